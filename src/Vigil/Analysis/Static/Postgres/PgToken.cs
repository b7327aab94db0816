namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// One lexical token: a kind and a span of the source text (no copy of the text is made).
/// </summary>
/// <param name="Kind">What the token is.</param>
/// <param name="Start">Offset of the first character in the source string.</param>
/// <param name="Length">Number of characters, including quotes, prefixes and dollar tags.</param>
/// <param name="Terminated">False when a string, quoted identifier, dollar quote or block comment ran to the end of
/// the input without its closing delimiter.</param>
public readonly record struct PgToken(PgTokenKind Kind, int Start, int Length, bool Terminated = true)
{
    /// <summary>Offset just past the last character.</summary>
    public int End => Start + Length;

    /// <summary>True for comments, which classification and fingerprinting skip.</summary>
    public bool IsComment => Kind is PgTokenKind.LineComment or PgTokenKind.BlockComment;

    /// <summary>True for constants: every string form and numbers.</summary>
    public bool IsConstant => Kind is PgTokenKind.String or PgTokenKind.EscapeString or PgTokenKind.UnicodeString
        or PgTokenKind.BitString or PgTokenKind.HexString or PgTokenKind.DollarString or PgTokenKind.Number;

    /// <summary>True for the string constant forms that hold text (standard, escape, Unicode, dollar-quoted).</summary>
    public bool IsText => Kind is PgTokenKind.String or PgTokenKind.EscapeString or PgTokenKind.UnicodeString
        or PgTokenKind.DollarString;

    /// <summary>The token's characters in <paramref name="source"/>.</summary>
    public ReadOnlySpan<char> Span(string source) => source.AsSpan(Start, Length);

    /// <summary>True when this is an unquoted word equal to <paramref name="lowerKeyword"/> ignoring case.</summary>
    /// <param name="source">The text the token was lexed from.</param>
    /// <param name="lowerKeyword">The keyword in lower case, e.g. <c>"delete"</c>.</param>
    public bool Is(string source, string lowerKeyword) =>
        Kind == PgTokenKind.Identifier && Length == lowerKeyword.Length
        && source.AsSpan(Start, Length).Equals(lowerKeyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The raw characters between the delimiters of a text constant or quoted identifier (escapes are not
    /// processed): the body of <c>'…'</c>, <c>E'…'</c>, <c>U&amp;'…'</c>, <c>"…"</c> or <c>$tag$…$tag$</c>.
    /// For other kinds, the whole token.
    /// </summary>
    public ReadOnlySpan<char> Body(string source)
    {
        var (start, length) = BodyRange(source);
        return source.AsSpan(start, length);
    }

    /// <summary>The offset and length of <see cref="Body"/> in <paramref name="source"/>.</summary>
    public (int Start, int Length) BodyRange(string source)
    {
        var text = source.AsSpan(Start, Length);
        int open, close;
        switch (Kind)
        {
            case PgTokenKind.String or PgTokenKind.QuotedIdentifier:
                open = text.Length > 0 && (text[0] is 'N' or 'n') ? 2 : 1;
                close = 1;
                break;
            case PgTokenKind.EscapeString or PgTokenKind.BitString or PgTokenKind.HexString:
                open = 2;
                close = 1;
                break;
            case PgTokenKind.UnicodeString:
                open = 3;
                close = 1;
                break;
            case PgTokenKind.DollarString:
                // The tag is "$" + optional name + "$"; the closing tag has the same length.
                var second = text.Length > 1 ? text[1..].IndexOf('$') : -1;
                open = second < 0 ? text.Length : second + 2;
                close = open;
                break;
            default:
                return (Start, Length);
        }

        if (Kind == PgTokenKind.QuotedIdentifier && text.Length > 1 && text[0] is 'U' or 'u')
        {
            open = 3;
        }

        if (!Terminated)
        {
            close = 0;
        }

        open = Math.Min(open, text.Length);
        var length = Math.Max(0, text.Length - open - close);
        return (Start + open, length);
    }
}
