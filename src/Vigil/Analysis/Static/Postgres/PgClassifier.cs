using System.Buffers;
using System.Text;

namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// Classifies the statements of one comment-free token sequence. One instance per token array: the script itself,
/// or a DO block's body lexed from the same source string. Split by concern into partial files (reads, writes,
/// DDL, commands, predicates).
/// </summary>
internal sealed partial class PgClassifier
{
    /// <summary>DO bodies and constant EXECUTE strings nest; deeper nesting is High rather than unbounded recursion.</summary>
    private const int MaxNesting = 4;
    private const int MaxEvidenceChars = 80;

    /// <summary>Parenthesized subqueries, CTE bodies and EXPLAIN targets recurse; deeper than this is not classified
    /// further (and is Medium) so that "((((…" cannot exhaust the stack.</summary>
    private const int MaxStatementDepth = 64;

    private readonly string _src;
    private readonly PgToken[] _t;
    private readonly int _count;
    private readonly int _nesting;
    private readonly PgLexerOptions _options;
    private int _statementDepth;

    /// <param name="source">The string the tokens point into.</param>
    /// <param name="tokens">Comment-free tokens; may be a pooled array longer than <paramref name="count"/>.</param>
    /// <param name="count">How many of <paramref name="tokens"/> are valid.</param>
    /// <param name="nesting">How many DO bodies / EXECUTE strings enclose this code.</param>
    /// <param name="options">How the tokens were lexed (and nested code is lexed): standard_conforming_strings.</param>
    private PgClassifier(string source, PgToken[] tokens, int count, int nesting, PgLexerOptions options)
    {
        _src = source;
        _t = tokens;
        _count = count;
        _nesting = nesting;
        _options = options;
    }

    /// <summary>What lexing a script found besides its verdict.</summary>
    /// <param name="PlainBackslash">A plain <c>'…'</c> (or <c>N'…'</c>) literal contains a backslash: the only place where
    /// standard_conforming_strings changes the token boundaries.</param>
    /// <param name="Unterminated">A literal, quoted identifier, dollar quote or comment runs to the end of the text;
    /// PostgreSQL rejects the whole message then (its lexer raises an error before any statement runs).</param>
    internal readonly record struct LexFacts(bool PlainBackslash, bool Unterminated);

    /// <summary>Lexes <paramref name="source"/>[<paramref name="start"/>..<paramref name="end"/>) with
    /// <paramref name="options"/>, splits it and returns the worst statement's verdict.</summary>
    public static StaticVerdict AnalyzeScript(string source, int start, int end, int nesting, PgLexerOptions options) =>
        AnalyzeScript(source, start, end, nesting, options, out _);

    /// <inheritdoc cref="AnalyzeScript(string, int, int, int, PgLexerOptions)"/>
    public static StaticVerdict AnalyzeScript(string source, int start, int end, int nesting, PgLexerOptions options, out LexFacts facts)
    {
        var buffer = ArrayPool<PgToken>.Shared.Rent(64);
        var plainBackslash = false;
        var unterminated = false;
        try
        {
            var count = 0;
            var lexer = new PgLexer(source, start, end, options);
            while (lexer.Next(out var token))
            {
                unterminated |= !token.Terminated;
                if (token.IsComment)
                {
                    continue;
                }

                plainBackslash |= token.Kind == PgTokenKind.String && token.Span(source).Contains('\\');
                if (count == buffer.Length)
                {
                    var bigger = ArrayPool<PgToken>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan().CopyTo(bigger);
                    ArrayPool<PgToken>.Shared.Return(buffer);
                    buffer = bigger;
                }

                buffer[count++] = token;
            }

            facts = new LexFacts(plainBackslash, unterminated);
            return new PgClassifier(source, buffer, count, nesting, options).Script();
        }
        finally
        {
            ArrayPool<PgToken>.Shared.Return(buffer);
        }
    }

    private StaticVerdict Script()
    {
        StaticVerdict? worst = null;
        foreach (var (start, end, balanced) in PgStatementSplitter.Split(_src, _t.AsSpan(0, _count)))
        {
            var verdict = Statement(start, end);
            if (!_t[end - 1].Terminated)
            {
                // A string, quoted identifier or dollar quote that never closes: PostgreSQL would reject it, and what
                // the client meant is unknowable.
                verdict = PgVerdicts.Worse(verdict, PgVerdicts.Medium("Unterminated literal",
                    "A quoted string or identifier is never closed, so the statement cannot be parsed reliably.", Quote(start, end)));
            }

            if (!balanced)
            {
                // An unclosed "(" makes PostgreSQL reject the whole string, but stay on the safe side: classify every
                // ";"-separated piece as if the parentheses were not there, and never below Medium.
                verdict = PgVerdicts.Worse(verdict, PgVerdicts.Medium("Unparseable statement",
                    "Unbalanced parentheses; the statement could not be parsed reliably.", Quote(start, end)));
                var pieceStart = start;
                for (var i = start; i <= end; i++)
                {
                    if (i == end || _t[i].Kind == PgTokenKind.Semicolon)
                    {
                        if (i > pieceStart && (pieceStart != start || i != end))
                        {
                            verdict = PgVerdicts.Worse(verdict, Statement(pieceStart, i));
                        }

                        pieceStart = i + 1;
                    }
                }
            }

            worst = worst is null ? verdict : PgVerdicts.Worse(worst, verdict);
        }

        return worst ?? PgVerdicts.Empty;
    }

    /// <summary>One statement: what its verb does, then functions and catalogs used anywhere in it.</summary>
    private StaticVerdict Statement(int s, int e)
    {
        if (s >= e)
        {
            return PgVerdicts.Empty;
        }

        if (_statementDepth >= MaxStatementDepth)
        {
            return PgVerdicts.Worse(PgVerdicts.Medium("Deeply nested statement", "The statement nests too deeply to analyze fully.", Quote(s, e)), ScanNames(s, e));
        }

        _statementDepth++;
        try
        {
            if (Is(s, e, "explain"))
            {
                // Without ANALYZE nothing runs, not even the functions named in the statement.
                return Explain(s, e);
            }

            return PgVerdicts.Worse(Verb(s, e), ScanNames(s, e));
        }
        finally
        {
            _statementDepth--;
        }
    }

    private StaticVerdict Verb(int s, int e)
    {
        if (_t[s].Kind == PgTokenKind.OpenParen)
        {
            return Parenthesized(s, e);
        }

        Span<char> buffer = stackalloc char[16];
        switch (Lower(s, buffer))
        {
            case "select":
            case "values":
            case "table":
                return Read(s, e);
            case "with":
                return With(s, e);
            case "insert":
                return Insert(s, e);
            case "update":
                return Update(s, e);
            case "delete":
                return Delete(s, e);
            case "merge":
                return PgVerdicts.Medium("Data merge", "MERGE inserts, updates or deletes rows of the target table.", Quote(s, e));
            case "drop":
                return Drop(s, e);
            case "truncate":
                return PgVerdicts.High("Table truncation", "TRUNCATE removes every row at once and cannot be filtered.", Quote(s, e), certain: true);
            case "alter":
                return Alter(s, e);
            case "create":
                return Create(s, e);
            case "grant":
                return Grant(s, e);
            case "revoke":
                return PgVerdicts.Medium("Privilege change", "REVOKE changes who may access objects; it can break applications.", Quote(s, e));
            case "set":
                return Set(s, e);
            case "copy":
                return Copy(s, e);
            case "do":
                return Do(s, e);
            default:
                return OtherCommand(s, e, Lower(s, buffer));
        }
    }

    /// <summary>"(SELECT …) UNION (SELECT …)": each parenthesized part is classified; the script is at least Low.</summary>
    private StaticVerdict Parenthesized(int s, int e)
    {
        var verdict = PgVerdicts.Low("Read-only query", "A read-only query.");
        var i = s;
        while (i < e)
        {
            if (_t[i].Kind == PgTokenKind.OpenParen)
            {
                var close = Close(i, e);
                verdict = PgVerdicts.Worse(verdict, Statement(i + 1, close));
                i = close + 1;
            }
            else
            {
                i++;
            }
        }

        return verdict;
    }

    // ---- token helpers ----

    /// <summary>True when token <paramref name="i"/> (before <paramref name="e"/>) is the keyword.</summary>
    private bool Is(int i, int e, string keyword) => i >= 0 && i < e && _t[i].Is(_src, keyword);

    private bool IsKind(int i, int e, PgTokenKind kind) => i >= 0 && i < e && _t[i].Kind == kind;

    /// <summary>The token lower-cased into <paramref name="buffer"/>, or empty when it is not an unquoted word that fits.</summary>
    private ReadOnlySpan<char> Lower(int i, Span<char> buffer)
    {
        if ((uint)i >= (uint)_count)
        {
            return default;
        }

        var token = _t[i];
        if (token.Kind != PgTokenKind.Identifier || token.Length > buffer.Length)
        {
            return default;
        }

        // ASCII only, as the server folds unquoted names (downcase_identifier).
        var span = token.Span(_src);
        for (var j = 0; j < span.Length; j++)
        {
            buffer[j] = char.IsAsciiLetterUpper(span[j]) ? (char)(span[j] | 0x20) : span[j];
        }

        return buffer[..span.Length];
    }

    /// <summary>The name token <paramref name="i"/> denotes to the server: unquoted folded to lower case, quoted exact,
    /// <c>U&amp;"…"</c> decoded with its UESCAPE character. Empty when token <paramref name="i"/> is not a name.</summary>
    private string Name(int i)
    {
        if ((uint)i >= (uint)_count || _t[i].Kind is not (PgTokenKind.Identifier or PgTokenKind.QuotedIdentifier))
        {
            return "";
        }

        return PgLiterals.Name(_src, _t[i], UnicodeEscape(i));
    }

    /// <summary>The value of the text constant at <paramref name="i"/> (escapes decoded, <c>U&amp;'…'</c> with its UESCAPE,
    /// and the <c>'a'</c> newline <c>'b'</c> continuations of §4.1.2.1 joined); null when it is not a text constant.</summary>
    private string? Text(int i, int e)
    {
        if (i < 0 || i >= e || !_t[i].IsText)
        {
            return null;
        }

        var first = PgLiterals.Text(_src, _t[i], _options, UnicodeEscape(i));
        StringBuilder? joined = null;
        while (_t[i].Kind is PgTokenKind.String or PgTokenKind.EscapeString && IsKind(i + 1, e, PgTokenKind.String)
            && _src[_t[i + 1].Start] == '\'' && IsContinuation(_t[i].End, _t[i + 1].Start))
        {
            i++;
            (joined ??= new StringBuilder(first)).Append(PgLiterals.Text(_src, _t[i], _options));
        }

        return joined?.ToString() ?? first;
    }

    /// <summary>Only white space with a newline (and -- comments after it) between two literals joins them.</summary>
    private bool IsContinuation(int from, int to)
    {
        var gap = _src.AsSpan(from, to - from);
        return gap.IndexOfAny('\n', '\r') >= 0 && gap.IndexOf("/*", StringComparison.Ordinal) < 0;
    }

    /// <summary>The Unicode escape character of a <c>U&amp;</c> token at <paramref name="i"/>: the constant after a
    /// following UESCAPE, else a backslash.</summary>
    private char UnicodeEscape(int i) =>
        Is(i + 1, _count, "uescape") && IsKind(i + 2, _count, PgTokenKind.String) && _t[i + 2].Body(_src) is [var escape]
            ? escape
            : '\\';

    /// <summary>The index after the token at <paramref name="i"/> and its UESCAPE clause, if any.</summary>
    private int After(int i) => Is(i + 1, _count, "uescape") && IsKind(i + 2, _count, PgTokenKind.String) ? i + 3 : i + 1;

    /// <summary>Index of the ")" matching the "(" at <paramref name="open"/>, or <paramref name="e"/> when unclosed.</summary>
    private int Close(int open, int e)
    {
        var depth = 0;
        for (var i = open; i < e; i++)
        {
            var kind = _t[i].Kind;
            if (kind == PgTokenKind.OpenParen)
            {
                depth++;
            }
            else if (kind == PgTokenKind.CloseParen && --depth == 0)
            {
                return i;
            }
        }

        return e;
    }

    /// <summary>Index of the first occurrence of <paramref name="keyword"/> outside parentheses in [from, e), or -1.</summary>
    private int Top(int from, int e, string keyword) => TopAny(from, e, [keyword]);

    /// <summary>Index of the first token outside parentheses in [from, e) that is one of <paramref name="keywords"/>, or -1.</summary>
    private int TopAny(int from, int e, ReadOnlySpan<string> keywords)
    {
        var depth = 0;
        for (var i = from; i < e; i++)
        {
            var kind = _t[i].Kind;
            if (kind == PgTokenKind.OpenParen)
            {
                depth++;
            }
            else if (kind == PgTokenKind.CloseParen)
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0)
            {
                foreach (var keyword in keywords)
                {
                    if (_t[i].Is(_src, keyword))
                    {
                        return i;
                    }
                }
            }
        }

        return -1;
    }

    /// <summary>End of a (possibly qualified) name starting at <paramref name="i"/>: <c>a</c>, <c>a.b</c>, <c>"A".b.c</c>.</summary>
    private int NameEnd(int i, int e)
    {
        if (!IsName(i, e))
        {
            return i;
        }

        i = After(i);
        while (IsKind(i, e, PgTokenKind.Dot) && IsName(i + 1, e))
        {
            i = After(i + 1);
        }

        return Math.Min(i, e);
    }

    private bool IsName(int i, int e) => IsKind(i, e, PgTokenKind.Identifier) || IsKind(i, e, PgTokenKind.QuotedIdentifier);

    /// <summary>Tokens [from, to) re-joined with single spaces, for evidence: comments are gone, so a comment can never
    /// be quoted back to a reviewer. Cut at <see cref="MaxEvidenceChars"/>; string constants optionally masked.</summary>
    private string Quote(int from, int to, bool maskStrings = false)
    {
        var text = new StringBuilder();
        for (var i = from; i < to && i < _count; i++)
        {
            var token = _t[i];
            if (text.Length > 0 && !NoSpaceBetween(_t[i - 1].Kind, token.Kind))
            {
                text.Append(' ');
            }

            if (maskStrings && token.IsText)
            {
                text.Append("'…'");
            }
            else
            {
                text.Append(token.Span(_src));
            }

            if (text.Length > MaxEvidenceChars)
            {
                text.Length = MaxEvidenceChars;
                text.Append('…');
                break;
            }
        }

        return text.ToString();
    }

    private static bool NoSpaceBetween(PgTokenKind previous, PgTokenKind current) =>
        previous is PgTokenKind.OpenParen or PgTokenKind.Dot or PgTokenKind.OpenBracket
        || current is PgTokenKind.CloseParen or PgTokenKind.Comma or PgTokenKind.Dot or PgTokenKind.CloseBracket
        || (current == PgTokenKind.OpenParen && previous is PgTokenKind.Identifier or PgTokenKind.QuotedIdentifier);

    /// <summary>The name of a table or other object at [i, NameEnd) for evidence.</summary>
    private string Name(int i, int e) => i < e ? Quote(i, Math.Max(i + 1, NameEnd(i, e))) : "?";
}
