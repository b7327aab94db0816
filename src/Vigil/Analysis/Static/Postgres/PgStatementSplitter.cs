namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// Splits a script into statements at top-level <c>;</c>, as psql and the simple-query protocol do: a <c>;</c> inside
/// parentheses, a string, a quoted identifier, a dollar quote or a comment does not end a statement. Empty
/// statements (<c>;;</c>, comment-only) are dropped. The one splitter of the gateway: the analyzer and <c>vigil exec</c>
/// both cut scripts here, with the session's <see cref="PgLexerOptions"/>.
/// </summary>
public static class PgStatementSplitter
{
    /// <summary>Character ranges of the statements in <paramref name="sql"/>, each from its first to its last
    /// non-comment token (the <c>;</c> excluded).</summary>
    /// <param name="sql">The script.</param>
    /// <param name="options">How the session lexes strings; null is <see cref="PgLexerOptions.Standard"/>.</param>
    public static List<Range> Split(string sql, PgLexerOptions? options = null)
    {
        var tokens = PgLexer.Tokenize(sql, options: options);
        var ranges = new List<Range>();
        foreach (var (start, end, _) in Split(tokens.ToArray().AsSpan()))
        {
            ranges.Add(new Range(tokens[start].Start, tokens[end - 1].End));
        }

        return ranges;
    }

    /// <summary>
    /// The text between top-level <c>;</c>s, comments included and surrounding white space trimmed, for statements
    /// that are sent one at a time (<c>vigil exec</c>): the same cut as <see cref="Split(string, PgLexerOptions?)"/>,
    /// but a statement keeps its leading and trailing comments.
    /// </summary>
    public static List<string> SplitText(string sql, PgLexerOptions? options = null)
    {
        var statements = new List<string>();
        var tokens = PgLexer.Tokenize(sql, includeComments: true, options: options);
        var depth = 0;
        var segmentStart = 0;
        var hasCode = false;
        foreach (var token in tokens)
        {
            switch (token.Kind)
            {
                case PgTokenKind.OpenParen:
                    depth++;
                    break;
                case PgTokenKind.CloseParen:
                    depth = Math.Max(0, depth - 1);
                    break;
                case PgTokenKind.Semicolon when depth == 0:
                    if (hasCode)
                    {
                        statements.Add(sql[segmentStart..token.Start].Trim());
                    }

                    segmentStart = token.End;
                    hasCode = false;
                    continue;
            }

            hasCode |= !token.IsComment;
        }

        if (hasCode)
        {
            statements.Add(sql[segmentStart..].Trim());
        }

        return statements;
    }

    /// <summary>Token ranges <c>[Start, End)</c> of the statements in a comment-free token sequence;
    /// <c>Balanced</c> is false when a statement ended with an unclosed parenthesis.</summary>
    internal static List<(int Start, int End, bool Balanced)> Split(ReadOnlySpan<PgToken> tokens)
    {
        var statements = new List<(int, int, bool)>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            switch (tokens[i].Kind)
            {
                case PgTokenKind.OpenParen:
                    depth++;
                    break;
                case PgTokenKind.CloseParen:
                    // A stray ")" is a syntax error in PostgreSQL; never let it hide a later ";".
                    depth = Math.Max(0, depth - 1);
                    break;
                case PgTokenKind.Semicolon when depth == 0:
                    if (i > start)
                    {
                        statements.Add((start, i, true));
                    }

                    start = i + 1;
                    break;
            }
        }

        if (tokens.Length > start)
        {
            statements.Add((start, tokens.Length, depth == 0));
        }

        return statements;
    }
}
