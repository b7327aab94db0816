namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// The deterministic PostgreSQL risk classifier: lexes a script (<see cref="PgLexer"/>, PostgreSQL docs §4.1) with the
/// session's <see cref="PgLexerOptions"/>, splits it at top-level <c>;</c> (<see cref="PgStatementSplitter"/>) and
/// classifies every statement by what it does (verb, targets, WHERE clause, functions and catalogs it names). The
/// script's verdict is its worst statement's.
/// </summary>
/// <remarks>
/// Strings, dollar-quoted literals and comments never raise a level, and a comment can never lower one: they are
/// separate tokens that classification skips. Statements it cannot classify are Medium, never Low. Thread-safe and
/// allocation-light; it never throws.
/// <para>
/// Never assume the setting: when a plain <c>'…'</c> literal contains a backslash (the one place where
/// <c>standard_conforming_strings</c> moves token boundaries), the script is also classified with the opposite setting and
/// the stricter verdict wins. The reported setting can be stale when it matters: a pipelined statement, a function,
/// or a configuration reload can change it after the gateway last heard it and before the server parses this text. An
/// opposite reading that leaves a literal unterminated is ignored: under it the server rejects the whole message
/// before running any of it.
/// </para>
/// </remarks>
public static class PostgresAnalyzer
{
    /// <summary>Classifies a SQL script (one or more statements).</summary>
    /// <param name="sql">The script as the client sent it; null or empty is Low.</param>
    /// <param name="options">The session's lexical settings as the server reported them; null is
    /// <see cref="PgLexerOptions.Standard"/>.</param>
    /// <returns>Level, a title of at most 4 words, an explanation of at most 30 words, the evidence (the construct
    /// that decided the level, quoted from the input without comments) and whether the verdict is certain.</returns>
    public static StaticVerdict Analyze(string sql, PgLexerOptions? options = null)
    {
        if (string.IsNullOrEmpty(sql))
        {
            return PgVerdicts.Empty;
        }

        options ??= PgLexerOptions.Standard;
        var verdict = PgClassifier.AnalyzeScript(sql, 0, sql.Length, nesting: 0, options, out var facts);
        if (!facts.PlainBackslash)
        {
            return verdict;
        }

        var opposite = options.Opposite;
        var other = PgClassifier.AnalyzeScript(sql, 0, sql.Length, nesting: 0, opposite, out var otherFacts);
        if (otherFacts.Unterminated || ReferenceEquals(PgVerdicts.Worse(verdict, other), verdict))
        {
            return verdict;
        }

        var setting = opposite.StandardConformingStrings ? "on" : "off";
        return other with { Evidence = $"{other.Evidence} (read with standard_conforming_strings = {setting})" };
    }
}
