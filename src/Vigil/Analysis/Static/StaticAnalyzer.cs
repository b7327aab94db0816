using System.Text;
using Vigil.Analysis.Static.Kubernetes;
using Vigil.Analysis.Static.Postgres;
using Vigil.Analysis.Static.Shell;

namespace Vigil.Analysis.Static;

/// <summary>
/// The deterministic analyzer for every <see cref="InputType"/>: the offline default, the shortcut (a certain High
/// skips the provider) and the floor (the final level is never below its verdict).
/// </summary>
public static class StaticAnalyzer
{
    /// <summary>The verdict on <paramref name="input"/> read as <paramref name="type"/>; an unknown type is Medium.</summary>
    /// <param name="type">An <see cref="InputType"/>.</param>
    /// <param name="input">The command text.</param>
    /// <param name="postgres">For SQL, the session's lexical settings (null: PostgreSQL's defaults).</param>
    public static StaticVerdict Analyze(string type, string input, PgLexerOptions? postgres = null) => type switch
    {
        InputType.Postgres => PostgresAnalyzer.Analyze(input, postgres),
        InputType.Shell => ShellAnalyzer.Analyze(input),
        InputType.Kubernetes => KubectlAnalyzer.Analyze(input),
        InputType.Http => KubernetesHttpAnalyzer.Analyze(input),
        _ => new StaticVerdict(RiskLevel.Medium, "Unknown input type", $"No analyzer understands input of type '{type}', so it is treated as medium risk.", "", false),
    };

    /// <summary>
    /// The verdict-cache key of <paramref name="input"/>: for SQL the pg_stat_statements-style fingerprint, for other
    /// types the text with runs of whitespace collapsed.
    /// </summary>
    public static string Fingerprint(string type, string input, PgLexerOptions? postgres = null) =>
        type == InputType.Postgres ? PostgresFingerprint.Compute(input, postgres) : CollapseWhitespace(input);

    private static string CollapseWhitespace(string input)
    {
        var builder = new StringBuilder(input.Length);
        var space = false;
        foreach (var c in input.AsSpan().Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }
}
