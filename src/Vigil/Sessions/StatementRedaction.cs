using System.Diagnostics.CodeAnalysis;
using System.Text;
using Vigil.Analysis;
using Vigil.Analysis.Static.Postgres;

namespace Vigil.Sessions;

/// <summary>
/// Removes passwords from statement text before it is kept anywhere but on its way to the target: session recordings,
/// webhook payloads, the audit log and logs. The analyzer and the target still get the statement as sent. Found with
/// the PostgreSQL lexer (<see cref="PgLexer"/>, docs §4.1), never by a regular expression over the raw text, so a
/// quote inside a comment or a dollar-quoted body cannot hide or fake a literal:
/// <list type="bullet">
/// <item>a text constant (<c>'…'</c>, <c>E'…'</c>, <c>U&amp;'…'</c>, <c>$tag$…$tag$</c>) right after the word
/// <c>PASSWORD</c> (or a word ending in it, such as postgres_fdw's <c>sslpassword</c> option; comments between them are
/// skipped) becomes <c>'********'</c>: <c>CREATE/ALTER ROLE|USER … [ENCRYPTED] PASSWORD '…'</c>, psql's
/// <c>\password</c> (<c>ALTER USER … PASSWORD 'SCRAM-SHA-256$…'</c>), <c>CREATE SERVER</c> / <c>CREATE|ALTER USER
/// MAPPING … OPTIONS ([ADD|SET] password '…')</c>;</item>
/// <item>inside any text constant, the value of a libpq connection-string key ending in <c>password</c>
/// (<c>password=…</c>, <c>password='…'</c>; dblink_connect, dblink, dblink_exec), the password of a URI
/// (<c>postgresql://user:…@host</c>), and a nested <c>PASSWORD '…'</c> (a statement inside a string, e.g.
/// <c>dblink_exec(…, 'ALTER ROLE r PASSWORD ''…''')</c>) become <c>********</c>;</item>
/// <item>dollar-quoted bodies (functions, <c>DO</c> blocks) are lexed again as SQL, so the rules apply inside them.</item>
/// </list>
/// Text without the word "password" or "://" is returned as is (the common case costs one vectorized search). An
/// analysis recorded or published with the command is redacted the same way (<see cref="Redact(AiAnalysis?)"/>).
/// </summary>
public static class StatementRedaction
{
    /// <summary>What a password is replaced by.</summary>
    public const string Mask = "********";

    private const int MaxNesting = 4;

    /// <summary>
    /// <paramref name="text"/> with every password the rules above find replaced; null stays null. Never throws: text
    /// that is not SQL is lexed like SQL (unknown characters are skipped) and redacted where the rules match.
    /// </summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)
            || (!text.Contains("password", StringComparison.OrdinalIgnoreCase) && !text.Contains("://", StringComparison.Ordinal)))
        {
            return text;
        }
        var ranges = new List<(int Start, int End, string Replacement)>();
        CollectSql(text, 0, text.Length, ranges, 0, PgLexerOptions.Standard);
        if (text.Contains('\\'))
        {
            // The session's standard_conforming_strings may be off ('a\'b' is one literal then): redact what either
            // reading calls a password, so a backslash cannot end the masked literal early and expose the rest.
            CollectSql(text, 0, text.Length, ranges, 0, PgLexerOptions.BackslashEscapes);
        }
        if (ranges.Count == 0)
        {
            return text;
        }
        // Outermost first; of two equal spans the SQL-level one ('********', the longer replacement) wins.
        ranges.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start)
            : a.End != b.End ? b.End.CompareTo(a.End) : b.Replacement.Length.CompareTo(a.Replacement.Length));
        var output = new StringBuilder(text.Length);
        var copied = 0;
        foreach (var (start, end, replacement) in ranges)
        {
            if (start < copied)
            {
                // Inside a range already replaced (a connection string in a PASSWORD literal), or overlapping one
                // from the other string reading: the mask grows to cover both.
                copied = Math.Max(copied, end);
                continue;
            }
            output.Append(text, copied, start - copied).Append(replacement);
            copied = end;
        }
        return output.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>
    /// <paramref name="analysis"/> with the same redaction applied to the parts that may quote the command: its
    /// <c>evidence</c> (a fragment of the statement), <c>title</c> and <c>explanation</c>; null stays null.
    /// </summary>
    [return: NotNullIfNotNull(nameof(analysis))]
    public static AiAnalysis? Redact(AiAnalysis? analysis) => analysis is null ? null : analysis with
    {
        Title = Redact(analysis.Title), Explanation = Redact(analysis.Explanation), Evidence = Redact(analysis.Evidence),
    };

    /// <summary>Collects the redactions of the SQL text in <paramref name="text"/>[start, end).</summary>
    private static void CollectSql(string text, int start, int end, List<(int, int, string)> ranges, int depth, PgLexerOptions options)
    {
        var lexer = new PgLexer(text, start, end, options);
        var afterPassword = false;
        while (lexer.Next(out var token))
        {
            if (token.IsComment)
            {
                continue;
            }
            if (token.IsText)
            {
                if (afterPassword)
                {
                    ranges.Add((token.Start, token.End, $"'{Mask}'"));
                }
                CollectInText(text, token, ranges);
                if (token.Kind == PgTokenKind.DollarString && token.Terminated && depth < MaxNesting)
                {
                    var (bodyStart, bodyLength) = token.BodyRange(text);
                    CollectSql(text, bodyStart, bodyStart + bodyLength, ranges, depth + 1, options);
                }
            }
            afterPassword = token.Kind is PgTokenKind.Identifier or PgTokenKind.QuotedIdentifier
                && token.Body(text).EndsWith("password", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>Collects the passwords inside one text constant, read as the characters it denotes.</summary>
    private static void CollectInText(string text, PgToken token, List<(int, int, string)> ranges)
    {
        var (content, raw) = Decode(text, token);
        if (content.Length == 0)
        {
            return;
        }
        void Add(int from, int to)
        {
            if (to > from)
            {
                ranges.Add((raw[from], raw[to], Mask));
            }
        }
        var s = content.AsSpan();
        for (var at = s.IndexOf("password", StringComparison.OrdinalIgnoreCase); at >= 0;)
        {
            var i = SkipSpaces(s, at + "password".Length);
            if (i < s.Length && s[i] == '=')
            {
                // libpq key=value: a value in single quotes (backslash escapes) or up to the next space.
                var value = SkipSpaces(s, i + 1);
                Add(value, ConnectionValueEnd(s, value));
            }
            else if (i > at + "password".Length && i < s.Length && s[i] == '\'')
            {
                // A statement inside the string: PASSWORD '…' with '' as an escaped quote.
                Add(i, QuotedEnd(s, i));
            }
            var next = s[(at + 1)..].IndexOf("password", StringComparison.OrdinalIgnoreCase);
            at = next < 0 ? -1 : at + 1 + next;
        }
        for (var at = s.IndexOf("://", StringComparison.Ordinal); at >= 0;)
        {
            // URI authority: [user[:password]@]host…; the password ends at the last '@' before the path.
            var authority = at + 3;
            var stop = authority;
            while (stop < s.Length && s[stop] is not ('/' or '?' or '#') && !char.IsWhiteSpace(s[stop]))
            {
                stop++;
            }
            var userInfo = s[authority..stop];
            var atSign = userInfo.LastIndexOf('@');
            var colon = atSign < 0 ? -1 : userInfo[..atSign].IndexOf(':');
            if (colon >= 0)
            {
                Add(authority + colon + 1, authority + atSign);
            }
            var next = s[stop..].IndexOf("://", StringComparison.Ordinal);
            at = next < 0 ? -1 : stop + next;
        }
    }

    /// <summary>
    /// The characters a text constant denotes (doubled quotes and, in <c>E'…'</c>, backslash escapes taken as the
    /// character after the backslash), with <c>raw[i]</c> the offset in <paramref name="text"/> where character i
    /// starts (and <c>raw[n]</c> the end of the body).
    /// </summary>
    private static (string Content, int[] Raw) Decode(string text, PgToken token)
    {
        var (start, length) = token.BodyRange(text);
        var end = start + length;
        var content = new StringBuilder(length);
        var raw = new List<int>(length + 1);
        var doubledQuotes = token.Kind != PgTokenKind.DollarString;
        var backslashes = token.Kind == PgTokenKind.EscapeString;
        for (var i = start; i < end;)
        {
            raw.Add(i);
            var step = (backslashes && text[i] == '\\') || (doubledQuotes && text[i] == '\'' && i + 1 < end && text[i + 1] == '\'') ? 2 : 1;
            step = Math.Min(step, end - i);
            content.Append(text[i + step - 1]);
            i += step;
        }
        raw.Add(end);
        return (content.ToString(), raw.ToArray());
    }

    private static int SkipSpaces(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }
        return i;
    }

    /// <summary>The end of a libpq connection-string value starting at <paramref name="i"/> (libpq's conninfo_parse).</summary>
    private static int ConnectionValueEnd(ReadOnlySpan<char> s, int i)
    {
        if (i < s.Length && s[i] == '\'')
        {
            for (var j = i + 1; j < s.Length; j++)
            {
                if (s[j] == '\\')
                {
                    j++;
                }
                else if (s[j] == '\'')
                {
                    return j + 1;
                }
            }
            return s.Length;
        }
        while (i < s.Length && !char.IsWhiteSpace(s[i]))
        {
            i += s[i] == '\\' ? 2 : 1;
        }
        return Math.Min(i, s.Length);
    }

    /// <summary>The end of an SQL string literal opening at <paramref name="i"/> (<c>''</c> is an escaped quote).</summary>
    private static int QuotedEnd(ReadOnlySpan<char> s, int i)
    {
        for (var j = i + 1; j < s.Length; j++)
        {
            if (s[j] != '\'')
            {
                continue;
            }
            if (j + 1 < s.Length && s[j + 1] == '\'')
            {
                j++;
                continue;
            }
            return j + 1;
        }
        return s.Length;
    }
}
