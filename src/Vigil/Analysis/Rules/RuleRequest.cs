using System.Text.RegularExpressions;

namespace Vigil.Analysis.Rules;

/// <summary>
/// Body of <c>POST /api/ai/session-analyzer/rules</c> and <c>PUT …/rules/{name}</c> (the upstream product's shape):
/// <c>{name, description?, connection_names[], risk_evaluation:{low_risk_action, medium_risk_action, high_risk_action},
/// custom_prompt?, on_provider_error?, timeout_ms?, native_analysis?, hold_seconds? (0–300, default 0)}</c>. Actions are <c>allow</c>,
/// <c>require_approval</c>, <c>block</c> or the upstream <c>allow_execution</c>, <c>require_access_request</c>,
/// <c>block_execution</c>; a missing action defaults to low allow, medium require_approval, high block.
/// </summary>
public sealed partial record RuleRequest(
    string? Name,
    string? Description,
    string[]? ConnectionNames,
    RuleRequest.RiskEvaluationRequest? RiskEvaluation,
    string? CustomPrompt,
    string? OnProviderError,
    int? TimeoutMs,
    string? NativeAnalysis,
    int? HoldSeconds = null)
{
    /// <summary>Longest <c>hold_seconds</c> accepted.</summary>
    public const int MaxHoldSeconds = 300;

    /// <summary>Bounds of <c>timeout_ms</c>.</summary>
    public const int MinTimeoutMs = 100, MaxTimeoutMs = 120_000, DefaultTimeoutMs = 10_000;

    /// <summary>Longest <c>custom_prompt</c> accepted, characters.</summary>
    public const int MaxCustomPrompt = 8_000;

    /// <summary>The <c>risk_evaluation</c> object.</summary>
    public sealed record RiskEvaluationRequest(string? LowRiskAction, string? MediumRiskAction, string? HighRiskAction);

    /// <summary>Validates and builds the rule; on failure the message names the bad field.</summary>
    public (AnalysisRule? Rule, string? Error) ToRule(string? nameOverride, DateTimeOffset now, DateTimeOffset? createdAt = null)
    {
        var name = nameOverride ?? Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            return (null, "missing field 'name'");
        }
        if (!NamePattern().IsMatch(name))
        {
            return (null, "field 'name' must be 1-63 characters of letters, digits, '_', '-' or '.', starting with a letter or digit");
        }
        if (ConnectionNames is null || ConnectionNames.Length == 0)
        {
            return (null, "field 'connection_names' must name at least one connection");
        }
        if (ConnectionNames.Any(string.IsNullOrWhiteSpace))
        {
            return (null, "field 'connection_names' has an empty name");
        }
        if (RiskEvaluation is null)
        {
            return (null, "missing field 'risk_evaluation'");
        }
        var actions = new AnalysisAction[3];
        var given = new[] { RiskEvaluation.LowRiskAction, RiskEvaluation.MediumRiskAction, RiskEvaluation.HighRiskAction };
        var defaults = new[] { AnalysisAction.Allow, AnalysisAction.RequireApproval, AnalysisAction.Block };
        var fields = new[] { "low_risk_action", "medium_risk_action", "high_risk_action" };
        for (var i = 0; i < 3; i++)
        {
            if (given[i] is null)
            {
                actions[i] = defaults[i];
            }
            else if (!AnalysisActions.TryParse(given[i], out actions[i]))
            {
                return (null, $"field 'risk_evaluation.{fields[i]}': unknown action '{given[i]}' (allow, require_approval, block)");
            }
        }
        var onError = AnalysisAction.RequireApproval;
        if (OnProviderError is not null && !AnalysisActions.TryParse(OnProviderError, out onError))
        {
            return (null, $"field 'on_provider_error': unknown action '{OnProviderError}' (allow, require_approval, block)");
        }
        if (TimeoutMs is < MinTimeoutMs or > MaxTimeoutMs)
        {
            return (null, $"field 'timeout_ms' must be between {MinTimeoutMs} and {MaxTimeoutMs}");
        }
        var native = Rules.NativeAnalysis.Static;
        if (NativeAnalysis is not null && !NativeAnalysisModes.TryParse(NativeAnalysis, out native))
        {
            return (null, $"field 'native_analysis': unknown mode '{NativeAnalysis}' (static, llm, off)");
        }
        if (HoldSeconds is < 0 or > MaxHoldSeconds)
        {
            return (null, $"field 'hold_seconds' must be between 0 and {MaxHoldSeconds}");
        }
        if (CustomPrompt is { Length: > MaxCustomPrompt })
        {
            return (null, $"field 'custom_prompt' is longer than {MaxCustomPrompt} characters");
        }
        return (new AnalysisRule(
            name, string.IsNullOrWhiteSpace(Description) ? null : Description,
            ConnectionNames.Distinct(StringComparer.Ordinal).ToArray(),
            new RiskEvaluation(actions[0], actions[1], actions[2]),
            string.IsNullOrWhiteSpace(CustomPrompt) ? null : CustomPrompt, onError, TimeoutMs ?? DefaultTimeoutMs, native,
            createdAt ?? now, now, HoldSeconds ?? 0), null);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex NamePattern();
}

/// <summary>The API shape of a rule: the request's fields with actions spelled canonically, plus timestamps.</summary>
public sealed record RuleView(
    string Name,
    string? Description,
    IReadOnlyList<string> ConnectionNames,
    RuleView.RiskEvaluationView RiskEvaluation,
    string? CustomPrompt,
    string OnProviderError,
    int TimeoutMs,
    string NativeAnalysis,
    int HoldSeconds,
    string CreatedAt,
    string UpdatedAt)
{
    /// <summary><c>{low_risk_action, medium_risk_action, high_risk_action}</c>.</summary>
    public sealed record RiskEvaluationView(string LowRiskAction, string MediumRiskAction, string HighRiskAction);

    /// <summary>The view of <paramref name="rule"/>.</summary>
    public static RuleView From(AnalysisRule rule) => new(
        rule.Name, rule.Description, rule.ConnectionNames,
        new RiskEvaluationView(rule.RiskEvaluation.LowRiskAction.Name(), rule.RiskEvaluation.MediumRiskAction.Name(), rule.RiskEvaluation.HighRiskAction.Name()),
        rule.CustomPrompt, rule.OnProviderError.Name(), rule.TimeoutMs, rule.NativeAnalysis.Name(), rule.HoldSeconds,
        Storage.Rfc3339.Format(rule.CreatedAt), Storage.Rfc3339.Format(rule.UpdatedAt));
}
