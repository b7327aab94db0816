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
    /// but a statement keeps its leading and trailing comments, and the body of a SQL-standard function
    /// (<c>CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN ATOMIC …; … END</c>, PostgreSQL 14+) stays whole, by psql's
    /// own rule (psqlscan.l: BEGIN, and CASE inside it, open a block that END closes, at parenthesis depth 0).
    /// </summary>
    /// <remarks>
    /// The analyzer keeps cutting at every top-level <c>;</c>: psql's rule is a heuristic a name can steer
    /// (<c>CREATE FUNCTION begin() … ; DROP TABLE t</c>), and cutting more often only shows the analyzer more candidate
    /// statements. What this merges wrongly the server refuses: exec sends each piece as one extended-protocol
    /// statement, which cannot hold two.
    /// </remarks>
    public static List<string> SplitText(string sql, PgLexerOptions? options = null)
    {
        var statements = new List<string>();
        var tokens = PgLexer.Tokenize(sql, includeComments: true, options: options);
        var depth = 0;
        var segmentStart = 0;
        var hasCode = false;
        var routine = new RoutineBody();
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
                case PgTokenKind.Identifier:
                    routine.Word(token.Span(sql), depth);
                    break;
                case PgTokenKind.Semicolon when depth == 0 && !routine.Open:
                    if (hasCode)
                    {
                        statements.Add(sql[segmentStart..token.Start].Trim());
                    }

                    segmentStart = token.End;
                    hasCode = false;
                    routine = new RoutineBody();
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

    /// <summary>
    /// psql's tracking of a SQL-standard routine body (psqlscan.l, the <c>{identifier}</c> rule): the statement's
    /// leading words must read <c>CREATE [OR REPLACE] FUNCTION|PROCEDURE</c>; then, at parenthesis depth 0, BEGIN opens
    /// a block, CASE inside a block opens another, END closes one, and a <c>;</c> inside a block ends nothing.
    /// </summary>
    private struct RoutineBody
    {
        private int _words;
        private int _blocks;
        private char _w0, _w1, _w2, _w3;

        /// <summary>Inside a BEGIN … END block of a routine body.</summary>
        public readonly bool Open => _blocks > 0;

        public void Word(ReadOnlySpan<char> word, int depth)
        {
            if (_words < 4 && (Is(word, "create") || Is(word, "or") || Is(word, "replace") || Is(word, "function") || Is(word, "procedure")))
            {
                var first = char.ToLowerInvariant(word[0]);
                _ = _words switch { 0 => _w0 = first, 1 => _w1 = first, 2 => _w2 = first, _ => _w3 = first };
            }
            _words++;
            var routine = _w0 == 'c' && (_w1 is 'f' or 'p' || (_w1 == 'o' && _w2 == 'r' && _w3 is 'f' or 'p'));
            if (!routine || depth != 0)
            {
                return;
            }
            if (Is(word, "begin") || (Is(word, "case") && _blocks > 0))
            {
                _blocks++;
            }
            else if (Is(word, "end") && _blocks > 0)
            {
                _blocks--;
            }
        }

        private static bool Is(ReadOnlySpan<char> word, string keyword) => word.Equals(keyword, StringComparison.OrdinalIgnoreCase);
    }
}
