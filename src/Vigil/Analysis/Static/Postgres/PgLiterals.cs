using System.Globalization;
using System.Text;

namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// The values the server gives constants and names (PostgreSQL docs §4.1.1 identifiers, §4.1.2 string constants):
/// unquoted names fold ASCII letters to lower case (scan.l's <c>downcase_identifier</c>, which leaves other characters
/// alone); quoted names keep their case with <c>""</c> → <c>"</c>; <c>U&amp;"…"</c> and <c>U&amp;'…'</c> decode
/// <c>\XXXX</c>, <c>\+XXXXXX</c> and a doubled escape character (the escape set by <c>UESCAPE</c>); <c>E'…'</c> (and
/// <c>'…'</c> with <c>standard_conforming_strings</c> off) decode backslash escapes.
/// </summary>
/// <remarks>Malformed escapes, which the server rejects, decode to their raw characters; never throws.</remarks>
internal static class PgLiterals
{
    /// <summary>The name an identifier token denotes to the server.</summary>
    /// <param name="source">The text the token points into.</param>
    /// <param name="token">An <see cref="PgTokenKind.Identifier"/> or <see cref="PgTokenKind.QuotedIdentifier"/>.</param>
    /// <param name="escape">The Unicode escape character of a <c>U&amp;"…"</c> identifier (<c>\</c> unless UESCAPE says otherwise).</param>
    public static string Name(string source, PgToken token, char escape = '\\')
    {
        if (token.Kind != PgTokenKind.QuotedIdentifier)
        {
            return FoldAscii(token.Span(source));
        }

        var body = token.Body(source);
        var unicode = source[token.Start] is 'U' or 'u';
        return unicode ? Unicode(body, '"', escape) : Undouble(body, '"');
    }

    /// <summary>The text of a string constant token: what the server stores for it.</summary>
    /// <param name="source">The text the token points into.</param>
    /// <param name="token">A text constant (<see cref="PgToken.IsText"/>) or bit string; other kinds return their text.</param>
    /// <param name="options">The session's lexical settings (whether <c>'…'</c> takes backslash escapes).</param>
    /// <param name="escape">The Unicode escape character of a <c>U&amp;'…'</c> string.</param>
    public static string Text(string source, PgToken token, PgLexerOptions options, char escape = '\\')
    {
        var body = token.Body(source);
        return token.Kind switch
        {
            PgTokenKind.DollarString or PgTokenKind.BitString or PgTokenKind.HexString => body.ToString(),
            PgTokenKind.EscapeString => Backslash(body),
            PgTokenKind.String when !options.StandardConformingStrings => Backslash(body),
            PgTokenKind.String => Undouble(body, '\''),
            PgTokenKind.UnicodeString => Unicode(body, '\'', escape),
            _ => token.Span(source).ToString(),
        };
    }

    /// <summary>ASCII A–Z to a–z only, as the server folds unquoted identifiers in a multibyte encoding.</summary>
    public static string FoldAscii(ReadOnlySpan<char> word)
    {
        return string.Create(word.Length, word.ToString(), static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = char.IsAsciiLetterUpper(text[i]) ? (char)(text[i] | 0x20) : text[i];
            }
        });
    }

    private static string Undouble(ReadOnlySpan<char> body, char quote)
    {
        if (body.IndexOf(quote) < 0)
        {
            return body.ToString();
        }

        var text = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            text.Append(body[i]);
            if (body[i] == quote && i + 1 < body.Length && body[i + 1] == quote)
            {
                i++;
            }
        }

        return text.ToString();
    }

    /// <summary>§4.1.2.2: \b \f \n \r \t, \o \oo \ooo octal, \xh \xhh hex, \uXXXX, \UXXXXXXXX, any other character
    /// itself; '' is a quote.</summary>
    private static string Backslash(ReadOnlySpan<char> body)
    {
        var text = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == '\'' && i + 1 < body.Length && body[i + 1] == '\'')
            {
                i++;
                text.Append('\'');
                continue;
            }

            if (c != '\\' || i + 1 >= body.Length)
            {
                text.Append(c);
                continue;
            }

            var next = body[++i];
            switch (next)
            {
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case >= '0' and <= '7':
                    {
                        var value = 0;
                        var digits = 0;
                        while (digits < 3 && i < body.Length && body[i] is >= '0' and <= '7')
                        {
                            value = (value * 8) + (body[i++] - '0');
                            digits++;
                        }

                        i--;
                        text.Append((char)(value & 0xFF));
                        break;
                    }

                case 'x' when i + 1 < body.Length && char.IsAsciiHexDigit(body[i + 1]):
                    {
                        var digits = i + 2 < body.Length && char.IsAsciiHexDigit(body[i + 2]) ? 2 : 1;
                        text.Append((char)int.Parse(body.Slice(i + 1, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += digits;
                        break;
                    }

                case 'u' or 'U' when TryHex(body, i + 1, next == 'u' ? 4 : 8, out var code):
                    AppendCodePoint(text, code);
                    i += next == 'u' ? 4 : 8;
                    break;
                default:
                    text.Append(next);
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>§4.1.2.3 / §4.1.1: escape + 4 hex digits, escape + "+" + 6 hex digits, escape doubled; the quote doubled.</summary>
    private static string Unicode(ReadOnlySpan<char> body, char quote, char escape)
    {
        var text = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (c == quote && i + 1 < body.Length && body[i + 1] == quote)
            {
                i++;
                text.Append(quote);
            }
            else if (c == escape && i + 1 < body.Length && body[i + 1] == escape)
            {
                i++;
                text.Append(escape);
            }
            else if (c == escape && i + 1 < body.Length && body[i + 1] == '+' && TryHex(body, i + 2, 6, out var wide))
            {
                AppendCodePoint(text, wide);
                i += 7;
            }
            else if (c == escape && TryHex(body, i + 1, 4, out var code))
            {
                AppendCodePoint(text, code);
                i += 4;
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static bool TryHex(ReadOnlySpan<char> body, int start, int digits, out int value)
    {
        value = 0;
        return start + digits <= body.Length
            && int.TryParse(body.Slice(start, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    private static void AppendCodePoint(StringBuilder text, int code)
    {
        if (code is >= 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF))
        {
            text.Append(char.ConvertFromUtf32(code));
        }
        else
        {
            text.Append('\uFFFD');
        }
    }
}
