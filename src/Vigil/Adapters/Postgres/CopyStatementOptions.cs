using Vigil.Analysis.Static.Postgres;
using Vigil.Postgres.Copy;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// The options of the <c>COPY … TO STDOUT</c> a command ran, read with the analyzer's lexer, so the gateway splits the
/// CopyData stream into rows and fields as the server wrote them (PostgreSQL docs, COPY: the parenthesized option list
/// and the pre-9.0 keyword forms). CopyOutResponse gives only text versus binary, not CSV, delimiter or NULL string.
/// </summary>
internal static class CopyStatementOptions
{
    private static readonly HashSet<string> ValuedOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        "format", "delimiter", "null", "quote", "escape", "encoding", "default",
    };

    /// <summary>
    /// The options of the first <c>COPY … TO STDOUT</c> in <paramref name="sql"/>; <see cref="CopyOptions.Text"/> when it
    /// names none; null when there is none, it is binary, or its options cannot be read (the caller fails closed).
    /// </summary>
    public static CopyOptions? Read(string sql, PgLexerOptions? lexing)
    {
        foreach (var statement in PgStatementSplitter.SplitText(sql, lexing))
        {
            var tokens = Tokens(statement, lexing);
            if (tokens.Count == 0 || !tokens[0].Is(statement, "copy"))
            {
                continue;
            }
            var start = StdoutEnd(statement, tokens);
            if (start < 0)
            {
                continue;
            }
            try
            {
                return CopyOptions.FromStatement(Options(statement, tokens, start));
            }
            catch (ArgumentException)
            {
                return null;
            }
        }
        return null;
    }

    private static List<PgToken> Tokens(string statement, PgLexerOptions? lexing)
    {
        var tokens = new List<PgToken>();
        var lexer = new PgLexer(statement, lexing);
        while (lexer.Next(out var token))
        {
            if (!token.IsComment)
            {
                tokens.Add(token);
            }
        }
        return tokens;
    }

    /// <summary>The index after <c>TO STDOUT</c> at parenthesis depth 0, or -1.</summary>
    private static int StdoutEnd(string statement, List<PgToken> tokens)
    {
        var depth = 0;
        for (var i = 0; i + 1 < tokens.Count; i++)
        {
            var text = tokens[i].Span(statement);
            depth += text is "(" ? 1 : text is ")" ? -1 : 0;
            if (depth == 0 && tokens[i].Is(statement, "to") && tokens[i + 1].Is(statement, "stdout"))
            {
                return i + 2;
            }
        }
        return -1;
    }

    private static IEnumerable<KeyValuePair<string, string?>> Options(string statement, List<PgToken> tokens, int start)
    {
        for (var i = start; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind != PgTokenKind.Identifier)
            {
                continue;
            }
            var word = token.Span(statement).ToString().ToLowerInvariant();
            switch (word)
            {
                case "with":
                    break;
                case "csv" or "binary":
                    yield return new("format", word);
                    break;
                case "header":
                    yield return new("header", null);
                    if (i + 1 < tokens.Count && (tokens[i + 1].Kind == PgTokenKind.Number || tokens[i + 1].Is(statement, "true") || tokens[i + 1].Is(statement, "false") || tokens[i + 1].Is(statement, "match")))
                    {
                        i++;
                    }
                    break;
                case "force" or "force_quote" or "force_not_null" or "force_null" or "freeze":
                    // Quoting and NULL handling of listed columns do not change how rows and fields split.
                    yield return new(word == "force" ? "force_quote" : word, null);
                    i = SkipColumnList(statement, tokens, i + 1);
                    break;
                default:
                    if (!ValuedOptions.Contains(word) || i + 1 >= tokens.Count)
                    {
                        yield return new(word, null); // unknown: FromStatement refuses it
                        break;
                    }
                    i++;
                    if (tokens[i].Is(statement, "as") && i + 1 < tokens.Count)
                    {
                        i++;
                    }
                    yield return new(word, tokens[i].IsText ? tokens[i].Body(statement).ToString() : tokens[i].Span(statement).ToString());
                    break;
            }
        }
    }

    /// <summary>Skips <c>QUOTE</c>/<c>NOT NULL</c> words and a column list (<c>*</c>, <c>a, b</c> or <c>(a, b)</c>); returns the last index consumed.</summary>
    private static int SkipColumnList(string statement, List<PgToken> tokens, int i)
    {
        while (i < tokens.Count && (tokens[i].Is(statement, "quote") || tokens[i].Is(statement, "not") || tokens[i].Is(statement, "null")))
        {
            i++;
        }
        if (i < tokens.Count && tokens[i].Span(statement) is "(")
        {
            while (i < tokens.Count && tokens[i].Span(statement) is not ")")
            {
                i++;
            }
            return i;
        }
        while (i < tokens.Count && (tokens[i].Span(statement) is "*" or "," || (tokens[i].Kind is PgTokenKind.Identifier or PgTokenKind.QuotedIdentifier && !ValuedOptions.Contains(tokens[i].Span(statement).ToString()))))
        {
            i++;
        }
        return i - 1;
    }
}
