namespace Vigil.Analysis.Static.Shell;

/// <summary>Builds <see cref="StaticVerdict"/>s and picks the worse of two; shared by the shell and Kubernetes analyzers.</summary>
internal static class Verdicts
{
    private const int MaxEvidence = 120;

    private const int MaxTitleWords = 4;
    private const int MaxExplanationWords = 30;

    internal static StaticVerdict Low(string title, string explanation, string evidence = "") =>
        new(RiskLevel.Low, Words(title, MaxTitleWords), Words(explanation, MaxExplanationWords), Clip(evidence), false);

    internal static StaticVerdict Medium(string title, string explanation, string evidence) =>
        new(RiskLevel.Medium, Words(title, MaxTitleWords), Words(explanation, MaxExplanationWords), Clip(evidence), false);

    internal static StaticVerdict High(string title, string explanation, string evidence, bool certain = true) =>
        new(RiskLevel.High, Words(title, MaxTitleWords), Words(explanation, MaxExplanationWords), Clip(evidence), certain);

    /// <summary>Keeps at most <paramref name="max"/> words: a safety net for texts built with names from the input.</summary>
    private static string Words(string text, int max)
    {
        var words = 0;
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i])) { inWord = false; continue; }
            if (inWord) continue;
            inWord = true;
            if (++words > max) return text[..i].TrimEnd();
        }
        return text;
    }

    /// <summary>The higher level wins; on a tie a certain verdict beats an uncertain one, else the first stays.</summary>
    internal static StaticVerdict? Worse(StaticVerdict? a, StaticVerdict? b)
    {
        if (a is null) return b;
        if (b is null) return a;
        if (b.Level > a.Level) return b;
        if (b.Level == a.Level && b.Certain && !a.Certain) return b;
        return a;
    }

    /// <summary>Raises <paramref name="verdict"/> to at least <paramref name="floor"/>'s level.</summary>
    internal static StaticVerdict AtLeast(StaticVerdict verdict, StaticVerdict floor) => verdict.Level >= floor.Level ? verdict : floor;

    internal static string Clip(string evidence)
    {
        evidence = evidence.Trim();
        return evidence.Length <= MaxEvidence ? evidence : evidence[..(MaxEvidence - 1)] + "…";
    }
}
