namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// Splits a script into statements where PostgreSQL's grammar ends them (gram.y <c>stmtmulti</c>): at a top-level
/// <c>;</c>, not one inside parentheses, a string, a quoted identifier, a dollar quote or a comment, and not one inside
/// the body of a SQL-standard routine (<c>CREATE [OR REPLACE] FUNCTION|PROCEDURE name(…) … BEGIN ATOMIC …; END</c>,
/// PostgreSQL 14+, <see cref="RoutineBodies"/>). Empty statements (<c>;;</c>, comment-only) are dropped. The one
/// splitter of the gateway: the analyzer classifies and <c>vigil exec</c> runs exactly these statements, cut with the
/// session's <see cref="PgLexerOptions"/>.
/// </summary>
public static class PgStatementSplitter
{
    /// <summary>Character ranges of the statements in <paramref name="sql"/>, each from its first to its last
    /// non-comment token (the <c>;</c> excluded).</summary>
    /// <param name="sql">The script.</param>
    /// <param name="options">How the session lexes strings; null is <see cref="PgLexerOptions.Standard"/>.</param>
    public static List<Range> Split(string sql, PgLexerOptions? options = null)
    {
        var tokens = PgLexer.Tokenize(sql, options: options).ToArray();
        var ranges = new List<Range>();
        foreach (var (start, end, _) in Split(sql, tokens))
        {
            ranges.Add(new Range(tokens[start].Start, tokens[end - 1].End));
        }

        return ranges;
    }

    /// <summary>
    /// The statements of <paramref name="sql"/> as text to send one at a time (<c>vigil exec</c>): the same cut as
    /// <see cref="Split(string, PgLexerOptions?)"/>, but each statement keeps its leading and trailing comments (the
    /// text between its <c>;</c>s, surrounding white space trimmed).
    /// </summary>
    public static List<string> SplitText(string sql, PgLexerOptions? options = null)
    {
        var tokens = PgLexer.Tokenize(sql, options: options).ToArray();
        var statements = new List<string>();
        foreach (var (start, end, _) in Split(sql, tokens))
        {
            // A statement starts right after the ";" that ended the previous one (or at the beginning).
            var from = start == 0 ? 0 : tokens[start - 1].End;
            var to = end < tokens.Length ? tokens[end].Start : sql.Length;
            statements.Add(sql[from..to].Trim());
        }

        return statements;
    }

    /// <summary>Token ranges <c>[Start, End)</c> of the statements in a comment-free token sequence;
    /// <c>Balanced</c> is false when a statement ended with an unclosed parenthesis.</summary>
    /// <param name="source">The string the tokens point into.</param>
    /// <param name="tokens">Comment-free tokens.</param>
    /// <param name="routineBodies">
    /// False cuts at every top-level <c>;</c>, routine bodies included: for PL/pgSQL code, whose own statements end at
    /// every <c>;</c>, where cutting more often only shows the analyzer more candidate statements.
    /// </param>
    internal static List<(int Start, int End, bool Balanced)> Split(string source, ReadOnlySpan<PgToken> tokens, bool routineBodies = true)
    {
        var statements = new List<(int, int, bool)>();
        var depth = 0;
        var start = 0;
        var bodies = routineBodies ? new RoutineBodies() : null;
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
                case PgTokenKind.Semicolon when depth == 0 && bodies is not { Open: true }:
                    if (i > start)
                    {
                        statements.Add((start, i, true));
                    }

                    start = i + 1;
                    bodies?.Reset();
                    continue;
            }

            bodies?.Token(source, tokens, i, depth);
        }

        if (tokens.Length > start)
        {
            statements.Add((start, tokens.Length, depth == 0));
        }

        return statements;
    }

    /// <summary>
    /// Where a SQL-standard routine body opens and closes, by the grammar (gram.y <c>CreateFunctionStmt</c>,
    /// <c>opt_routine_body</c>), not by psql's heuristic that any BEGIN opens a block (psqlscan.l: a function named
    /// <c>begin</c>, or a column aliased <c>case</c>, steers it). A body opens at <c>BEGIN ATOMIC</c> after the header of
    /// a statement that reads <c>CREATE [OR REPLACE] FUNCTION|PROCEDURE name(…)</c> (ATOMIC follows BEGIN nowhere else
    /// in valid SQL), and holds <c>stmt ;</c> pieces until an END where a piece may start (after a piece's <c>;</c>, or
    /// right after ATOMIC). Inside it CASE, a reserved word, opens an expression that END closes, unless the word is a
    /// name: after <c>.</c> or <c>AS</c>, or a bare column label (<c>SELECT 1 case;</c>: followed by what may follow a
    /// select-list entry); an END that closes neither is a label too. Bodies nest (a piece may define a routine).
    /// Invalid SQL may be cut differently from the server, which then runs none of it (a simple Query is parsed whole
    /// before any statement runs; an extended-protocol statement holds one statement).
    /// </summary>
    private sealed class RoutineBodies
    {
        /// <summary>What may follow a bare column label in a select or RETURNING list, and can never follow CASE.</summary>
        private static readonly string[] LabelFollowers =
            ["from", "into", "where", "group", "having", "window", "order", "limit", "offset", "fetch", "for", "union", "intersect", "except", "returning"];

        private readonly Stack<int> _bodies = new(); // parenthesis depth of each open body
        private readonly Stack<int> _cases = new();  // parenthesis depth of each open CASE inside a body
        private int _word;            // leading words of the current statement that read as a routine header; -1 when done
        private bool _or;             // the header reads CREATE OR …
        private bool _routine;        // the header reads CREATE [OR REPLACE] FUNCTION|PROCEDURE
        private bool _argsOpened;     // its argument list opened …
        private bool _argsClosed;     // … and closed: a body may follow
        private bool _atomic;         // the token is the ATOMIC of BEGIN ATOMIC
        private bool _pieceStart;     // the token may start a piece of the innermost body

        /// <summary>Inside a routine body: a <c>;</c> there ends nothing.</summary>
        public bool Open => _bodies.Count > 0;

        /// <summary>The depth the current statement lives at: 0 at top level, its body's inside one.</summary>
        private int StatementDepth => Open ? _bodies.Peek() : 0;

        /// <summary>A statement ended (a top-level <c>;</c>).</summary>
        public void Reset()
        {
            _bodies.Clear();
            _cases.Clear();
            NewStatement();
        }

        private void NewStatement()
        {
            _word = 0;
            _or = _routine = _argsOpened = _argsClosed = false;
            _pieceStart = Open;
        }

        /// <summary>Reads token <paramref name="i"/>; <paramref name="depth"/> is the parenthesis depth after it.</summary>
        public void Token(string source, ReadOnlySpan<PgToken> tokens, int i, int depth)
        {
            var token = tokens[i];
            var pieceStart = _pieceStart;
            _pieceStart = false;
            if (_atomic)
            {
                _atomic = false;
                NewStatement(); // the body's first piece starts after ATOMIC
                return;
            }

            if (Open && token.Kind == PgTokenKind.Semicolon && depth == _bodies.Peek())
            {
                NewStatement(); // the body's next piece
                return;
            }

            Header(source, token, depth);
            if (_argsClosed && depth == StatementDepth && token.Is(source, "begin") && i + 1 < tokens.Length && tokens[i + 1].Is(source, "atomic"))
            {
                _bodies.Push(depth);
                _atomic = true;
                return;
            }

            if (!Open || token.Kind != PgTokenKind.Identifier)
            {
                return;
            }

            if (token.Is(source, "end") && pieceStart && depth == _bodies.Peek())
            {
                _bodies.Pop();
                // Back in the statement that holds the body; it has had its body.
                _word = -1;
                _routine = _argsClosed = false;
                return;
            }

            if (IsName(source, tokens, i))
            {
                return;
            }

            if (token.Is(source, "case") && !FollowsLabel(source, tokens, i + 1))
            {
                _cases.Push(depth);
            }
            else if (token.Is(source, "end") && _cases.Count > 0 && _cases.Peek() == depth)
            {
                _cases.Pop();
            }
        }

        /// <summary>Reads CREATE [OR REPLACE] FUNCTION|PROCEDURE name(…) at the start of the current statement.</summary>
        private void Header(string source, PgToken token, int depth)
        {
            if (_routine)
            {
                if (!_argsOpened && token.Kind == PgTokenKind.OpenParen && depth == StatementDepth + 1)
                {
                    _argsOpened = true;
                }
                else if (_argsOpened && token.Kind == PgTokenKind.CloseParen && depth == StatementDepth)
                {
                    _argsClosed = true;
                }

                return;
            }

            if (_word < 0)
            {
                return;
            }

            var fits = (_word, _or) switch
            {
                (0, _) => token.Is(source, "create"),
                (1, _) when token.Is(source, "or") => _or = true,
                (1, false) or (3, true) => token.Is(source, "function") || token.Is(source, "procedure"),
                (2, true) => token.Is(source, "replace"),
                _ => false,
            };
            _word = fits ? _word + 1 : -1;
            _routine = fits && _word == (_or ? 4 : 2);
        }

        /// <summary>A word used as a name: after "." (a qualified name or field) or after AS (a column label).</summary>
        private static bool IsName(string source, ReadOnlySpan<PgToken> tokens, int i) =>
            i > 0 && (tokens[i - 1].Kind == PgTokenKind.Dot || tokens[i - 1].Is(source, "as"));

        /// <summary>True when the token at <paramref name="next"/> may follow a bare column label but never CASE.</summary>
        private static bool FollowsLabel(string source, ReadOnlySpan<PgToken> tokens, int next)
        {
            if (next >= tokens.Length || tokens[next].Kind is PgTokenKind.Comma or PgTokenKind.Semicolon or PgTokenKind.CloseParen)
            {
                return true;
            }

            foreach (var word in LabelFollowers)
            {
                if (tokens[next].Is(source, word))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
