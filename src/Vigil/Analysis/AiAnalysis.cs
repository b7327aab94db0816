using System.Text.Json.Serialization;

namespace Vigil.Analysis;

/// <summary>Where a verdict came from (<c>source</c> of <see cref="AiAnalysis"/>).</summary>
public static class AnalysisSource
{
    /// <summary>The deterministic analyzer decided (no provider, a certain High, the static mode, or the floor raised the LLM's level).</summary>
    public const string Static = "static";
    /// <summary>The provider answered now.</summary>
    public const string Llm = "llm";
    /// <summary>A provider verdict from the verdict cache.</summary>
    public const string Cache = "cache";
    /// <summary>The provider failed; <c>error</c> says why and the action is the rule's <c>on_provider_error</c> (never laxer than the static floor's).</summary>
    public const string Error = "error";
}

/// <summary>
/// The analysis of one command as stored on the session and returned by the API (<c>ai_analysis</c>, DESIGN.md):
/// <c>{risk_level, title, explanation, action, source, provider, model, latency_ms, cached, evidence, error, rule}</c>.
/// </summary>
/// <param name="RiskLevel"><c>low</c>, <c>medium</c> or <c>high</c>: max(static, LLM).</param>
/// <param name="Title">At most 4 words.</param>
/// <param name="Explanation">At most 30 words.</param>
/// <param name="Action"><c>allow</c>, <c>require_approval</c> or <c>block</c>.</param>
/// <param name="Source">See <see cref="AnalysisSource"/>.</param>
/// <param name="Provider">The provider asked (or whose cached verdict was used), null for static-only.</param>
/// <param name="Model">The provider's model, null for static-only.</param>
/// <param name="LatencyMs">Time the analysis took, milliseconds (fractional).</param>
/// <param name="Cached">True when the provider's verdict came from the cache.</param>
/// <param name="Evidence">The construct the static analyzer found, empty when none.</param>
/// <param name="Error">Why the provider failed (<see cref="AnalysisSource.Error"/>), else null.</param>
/// <param name="Rule">The rule that chose the action, null when the connection has none (then the action is <c>allow</c>).</param>
public sealed record AiAnalysis(
    string RiskLevel,
    string Title,
    string Explanation,
    string Action,
    string Source,
    string? Provider,
    string? Model,
    double LatencyMs,
    bool Cached,
    string Evidence,
    string? Error,
    string? Rule)
{
    /// <summary>Orders analyses by severity: risk level first, then action (the session shows its worst statement's).</summary>
    [JsonIgnore]
    public int Severity => RiskLevels.TryParse(RiskLevel, out var level) && AnalysisActions.TryParse(Action, out var action)
        ? (int)level * 3 + (int)action
        : -1;
}
