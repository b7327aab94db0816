namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// The deterministic PostgreSQL risk classifier: lexes a script (<see cref="PgLexer"/>, PostgreSQL docs §4.1),
/// splits it at top-level <c>;</c> (<see cref="PgStatementSplitter"/>) and classifies every statement by what it does
/// (verb, targets, WHERE clause, functions and catalogs it names). The script's verdict is its worst statement's.
/// </summary>
/// <remarks>
/// Strings, dollar-quoted literals and comments never raise a level, and a comment can never lower one: they are
/// separate tokens that classification skips. Statements it cannot classify are Medium, never Low. Thread-safe and
/// allocation-light; it never throws.
/// </remarks>
public static class PostgresAnalyzer
{
    /// <summary>Classifies a SQL script (one or more statements).</summary>
    /// <param name="sql">The script as the client sent it; null or empty is Low.</param>
    /// <returns>Level, a title of at most 4 words, an explanation of at most 30 words, the evidence (the construct
    /// that decided the level, quoted from the input without comments) and whether the verdict is certain.</returns>
    public static StaticVerdict Analyze(string sql) =>
        string.IsNullOrEmpty(sql) ? PgVerdicts.Empty : PgClassifier.AnalyzeScript(sql, 0, sql.Length, nesting: 0);
}
