namespace Vigil.Analysis.Rules;

/// <summary>How proxied PostgreSQL statements are analyzed under a rule (<c>native_analysis</c>).</summary>
public enum NativeAnalysis
{
    /// <summary><c>static</c> (default): the static analyzer, raised by a cached provider verdict for the same fingerprint.</summary>
    Static,
    /// <summary><c>llm</c>: as static, then the provider for fingerprints not yet cached.</summary>
    Llm,
    /// <summary><c>off</c>: statements are not analyzed (exec commands still are).</summary>
    Off,
}

/// <summary>The action for each risk level (<c>risk_evaluation</c>).</summary>
public sealed record RiskEvaluation(AnalysisAction LowRiskAction, AnalysisAction MediumRiskAction, AnalysisAction HighRiskAction)
{
    /// <summary>The action for <paramref name="level"/>.</summary>
    public AnalysisAction ActionFor(RiskLevel level) => level switch
    {
        RiskLevel.Low => LowRiskAction,
        RiskLevel.Medium => MediumRiskAction,
        _ => HighRiskAction,
    };
}

/// <summary>
/// A per-connection analyzer rule (the upstream product's shape): which connections, the action per risk level, and
/// how the provider is used. A connection belongs to at most one rule.
/// </summary>
/// <param name="Name">Unique name.</param>
/// <param name="Description">Free text, optional.</param>
/// <param name="ConnectionNames">Connections it governs (each exists and belongs to no other rule).</param>
/// <param name="RiskEvaluation">Action per level.</param>
/// <param name="CustomPrompt">Operator policy prepended to the system prompt, optional.</param>
/// <param name="OnProviderError">Action when the provider fails (never laxer than the static floor's action).</param>
/// <param name="TimeoutMs">Bound on one provider exchange, milliseconds (100–120000; default 10000).</param>
/// <param name="NativeAnalysis">How proxied statements are analyzed.</param>
/// <param name="HoldSeconds">How long the proxy holds a statement that needs approval, waiting for the decision before it answers (0–300; 0 = answer at once).</param>
/// <param name="CreatedAt">Creation time.</param>
/// <param name="UpdatedAt">Last change.</param>
public sealed record AnalysisRule(
    string Name,
    string? Description,
    IReadOnlyList<string> ConnectionNames,
    RiskEvaluation RiskEvaluation,
    string? CustomPrompt,
    AnalysisAction OnProviderError,
    int TimeoutMs,
    NativeAnalysis NativeAnalysis,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int HoldSeconds = 0);

/// <summary>API spelling of <see cref="NativeAnalysis"/>.</summary>
public static class NativeAnalysisModes
{
    /// <summary><c>static</c>, <c>llm</c> or <c>off</c>.</summary>
    public static string Name(this NativeAnalysis mode) => mode switch
    {
        NativeAnalysis.Static => "static",
        NativeAnalysis.Llm => "llm",
        _ => "off",
    };

    /// <summary>Parses <c>static</c>, <c>llm</c> or <c>off</c>.</summary>
    public static bool TryParse(string? text, out NativeAnalysis mode)
    {
        (var ok, mode) = text?.ToLowerInvariant() switch
        {
            "static" => (true, NativeAnalysis.Static),
            "llm" => (true, NativeAnalysis.Llm),
            "off" => (true, NativeAnalysis.Off),
            _ => (false, NativeAnalysis.Static),
        };
        return ok;
    }
}
