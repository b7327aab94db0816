namespace Vigil.Analysis.Static.Postgres;

/// <summary>Building and comparing verdicts.</summary>
internal static class PgVerdicts
{
    /// <summary>The verdict for a script with nothing in it.</summary>
    public static readonly StaticVerdict Empty = Low("Empty input", "No SQL statement was found; only whitespace or comments.");

    public static StaticVerdict Low(string title, string explanation) => new(RiskLevel.Low, title, explanation, "", false);

    public static StaticVerdict Medium(string title, string explanation, string evidence) =>
        new(RiskLevel.Medium, title, explanation, evidence, false);

    public static StaticVerdict High(string title, string explanation, string evidence, bool certain) =>
        new(RiskLevel.High, title, explanation, evidence, certain);

    /// <summary>The worse of two verdicts: the higher level; at equal levels a certain one wins, then the first.</summary>
    public static StaticVerdict Worse(StaticVerdict current, StaticVerdict? candidate)
    {
        if (candidate is null)
        {
            return current;
        }

        if (candidate.Level > current.Level || (candidate.Level == current.Level && candidate.Certain && !current.Certain))
        {
            return candidate;
        }

        return current;
    }
}
