using System.Text;

namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// DO blocks (PostgreSQL docs "DO", §43 PL/pgSQL): the body is lexed from the same source string and its SQL
/// statements classified; dynamic EXECUTE is High because the string it runs is only known at run time.
/// </summary>
internal sealed partial class PgClassifier
{
    private static readonly string[] BodyVerbs =
    [
        "select", "perform", "insert", "update", "delete", "merge", "drop", "truncate", "alter", "create", "grant",
        "revoke", "copy", "call", "lock", "set", "reset", "with", "comment", "refresh", "reindex", "cluster", "vacuum",
        "security", "reassign", "import", "do", "load",
    ];

    /// <summary>DO [LANGUAGE lang] code: at least Medium; the body's worst statement if worse.</summary>
    private StaticVerdict Do(int s, int e)
    {
        var floor = PgVerdicts.Medium("Anonymous code block", "A DO block runs procedural code; its statements are checked but it may do more.", Quote(s, e));
        var body = -1;
        var language = -1;
        for (var i = s + 1; i < e; i++)
        {
            if (_t[i].Is(_src, "language"))
            {
                language = ++i;
            }
            else if (_t[i].IsText && body < 0)
            {
                body = i;
            }
        }

        if (language >= 0 && language < e && !(_t[language].Is(_src, "plpgsql") || _t[language].Is(_src, "sql")
            || (_t[language].IsText && Text(language, e) is { } named && named.Equals("plpgsql", StringComparison.OrdinalIgnoreCase))
            || Name(language) is "plpgsql" or "sql"))
        {
            return IsUntrustedLanguage(language, e)
                ? PgVerdicts.High("Untrusted code", "The DO block runs in an untrusted language with the server's operating-system access.", Quote(s, Math.Min(e, language + 1)), certain: false)
                : floor;
        }

        if (body < 0)
        {
            return floor;
        }

        if (_nesting >= MaxNesting)
        {
            return PgVerdicts.High("Nested dynamic code", "Code blocks nested this deeply cannot be analyzed.", Quote(s, e), certain: false);
        }

        var token = _t[body];
        StaticVerdict inner;
        if (token.Kind == PgTokenKind.DollarString)
        {
            var (start, length) = token.BodyRange(_src);
            inner = AnalyzeBody(_src, start, start + length, _nesting + 1, _options);
        }
        else
        {
            // The server joins 'a' newline 'b' continuations and decodes escapes before PL/pgSQL sees the body.
            var text = Text(body, e) ?? "";
            inner = AnalyzeBody(text, 0, text.Length, _nesting + 1, _options);
        }

        if (inner.Level <= RiskLevel.Medium && inner.Level <= floor.Level)
        {
            return floor;
        }

        return inner with { Evidence = Cut("DO block: " + inner.Evidence) };
    }

    /// <summary>A PL/pgSQL body: tokens are split at top-level ";" and each SQL statement found after a block keyword
    /// (BEGIN, THEN, ELSE, LOOP, IN, QUERY…) is classified; dynamic EXECUTE and dangerous names anywhere count too.</summary>
    private static StaticVerdict AnalyzeBody(string source, int start, int end, int nesting, PgLexerOptions options)
    {
        var tokens = new List<PgToken>();
        var lexer = new PgLexer(source, start, end, options);
        while (lexer.Next(out var token))
        {
            if (!token.IsComment)
            {
                tokens.Add(token);
            }
        }

        var body = new PgClassifier(source, [.. tokens], tokens.Count, nesting, options);
        return body.Body();
    }

    private StaticVerdict Body()
    {
        var count = _count;
        var verdict = PgVerdicts.Low("Procedural code", "Procedural code with no risky statement found.");
        verdict = PgVerdicts.Worse(verdict, ScanNames(0, count));
        foreach (var (s, e, _) in PgStatementSplitter.Split(_src, _t.AsSpan(0, count), routineBodies: false))
        {
            for (var i = s; i < e; i++)
            {
                if (_t[i].Is(_src, "execute") && IsDynamicExecute(i, s, e))
                {
                    verdict = PgVerdicts.Worse(verdict, DynamicExecute(i, e));
                    continue;
                }

                if (!IsBodyVerb(i) || !(i == s || IsBlockBoundary(i - 1)))
                {
                    continue;
                }

                // FOR r IN SELECT … LOOP: the query ends at LOOP.
                var end = Is(i - 1, e, "in") ? Math.Max(i + 1, Top(i, e, "loop")) : e;
                if (end <= i)
                {
                    end = e;
                }

                verdict = PgVerdicts.Worse(verdict, _t[i].Is(_src, "perform") ? ReadArm(i, end, limited: false) : Statement(i, end));
            }
        }

        return verdict;
    }

    private bool IsBodyVerb(int i)
    {
        foreach (var verb in BodyVerbs)
        {
            if (_t[i].Is(_src, verb))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsBlockBoundary(int i)
    {
        var token = _t[i];
        return token.Is(_src, "begin") || token.Is(_src, "then") || token.Is(_src, "else") || token.Is(_src, "loop")
            || token.Is(_src, "in") || token.Is(_src, "query") || token.Is(_src, "declare") || token.Is(_src, "exception")
            || (token.Kind == PgTokenKind.Operator && token.Span(_src) is ">>");
    }

    /// <summary>EXECUTE in PL/pgSQL runs a string; GRANT EXECUTE and EXECUTE FUNCTION (triggers) do not.</summary>
    private bool IsDynamicExecute(int i, int s, int e) =>
        !(i > s && (_t[i - 1].Is(_src, "grant") || _t[i - 1].Is(_src, "revoke") || _t[i - 1].Kind == PgTokenKind.Comma))
        && !(Is(i + 1, e, "function") || Is(i + 1, e, "procedure") || Is(i + 1, e, "on"));

    /// <summary>EXECUTE expr [INTO …] [USING …]: always High; when expr is only string constants joined by ||, the
    /// resulting SQL is analyzed too and its evidence used when it is itself High.</summary>
    private StaticVerdict DynamicExecute(int i, int e)
    {
        var exprEnd = e;
        var into = Top(i + 1, e, "into");
        var @using = Top(i + 1, e, "using");
        if (into >= 0)
        {
            exprEnd = into;
        }

        if (@using >= 0 && @using < exprEnd)
        {
            exprEnd = @using;
        }

        var dynamic = PgVerdicts.High("Dynamic SQL", "EXECUTE runs SQL built at run time, whose contents cannot be checked in advance.", Quote(i, exprEnd), certain: false);
        var constant = new StringBuilder();
        for (var j = i + 1; j < exprEnd; j++)
        {
            var token = _t[j];
            if (token.IsText && (j - i) % 2 == 1)
            {
                constant.Append(Unescape(token));
            }
            else if (token.Kind == PgTokenKind.Operator && token.Span(_src) is "||" && (j - i) % 2 == 0)
            {
                continue;
            }
            else
            {
                return dynamic;
            }
        }

        if (constant.Length == 0 || _nesting >= MaxNesting)
        {
            return dynamic;
        }

        var text = constant.ToString();
        var inner = AnalyzeScript(text, 0, text.Length, _nesting + 1, _options);
        return inner.Level == RiskLevel.High
            ? inner with { Evidence = Cut("EXECUTE '" + text + "'"), Certain = inner.Certain }
            : dynamic;
    }

    /// <summary>The text of a string constant as the server reads it (§4.1.2), with the session's
    /// standard_conforming_strings; dollar-quoted bodies verbatim.</summary>
    private string Unescape(PgToken token) => PgLiterals.Text(_src, token, _options);
}
