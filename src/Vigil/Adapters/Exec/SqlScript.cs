using Vigil.Analysis.Static.Postgres;

namespace Vigil.Adapters.Exec;

/// <summary>
/// Cuts a SQL script into the statements <c>vigil exec</c> runs one at a time, with the analyzer's own lexer and
/// splitter (<see cref="PgStatementSplitter"/>: PostgreSQL docs §4.1, and gram.y for SQL-standard routine bodies), so
/// exec runs exactly the statements the analyzer classified and the server would cut. Empty statements are dropped;
/// each statement is returned trimmed, its comments kept.
/// </summary>
public static class SqlScript
{
    /// <summary>The statements of <paramref name="script"/>, in order.</summary>
    /// <param name="script">The script.</param>
    /// <param name="options">How the target lexes strings; null is <see cref="PgLexerOptions.Standard"/>.</param>
    public static IReadOnlyList<string> Split(string script, PgLexerOptions? options = null) => PgStatementSplitter.SplitText(script, options);

    /// <summary>Up to <paramref name="count"/> leading keywords of <paramref name="statement"/> after comments, upper-cased ("CREATE", "TABLE").</summary>
    public static IReadOnlyList<string> LeadingWords(string statement, int count)
    {
        var words = new List<string>();
        var lexer = new PgLexer(statement);
        while (words.Count < count && lexer.Next(out var token))
        {
            if (token.IsComment)
            {
                continue;
            }
            if (token.Kind != PgTokenKind.Identifier)
            {
                break;
            }
            words.Add(token.Span(statement).ToString().ToUpperInvariant());
        }
        return words;
    }
}
