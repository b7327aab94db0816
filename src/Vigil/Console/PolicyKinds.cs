using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Analysis.Rules;
using Vigil.Analytics;
using Vigil.Guardrails;
using Vigil.Identity;
using Vigil.Masking;
using Vigil.Masking.Recognizers;
using Vigil.Masking.Rules;

namespace Vigil.WebConsole;

/// <summary>
/// A kind of policy the console edits: its path segment under <c>/policies</c>, its form (the API request's fields),
/// and its reads and writes, which are the API's own (<see cref="RuleEndpoints.SaveRuleAsync"/>,
/// <see cref="MaskingRuleEndpoints.SaveRuleAsync"/>, <see cref="GuardrailEndpoints.SaveGuardrailAsync"/> and their
/// deletes): same validation, same reload of the in-memory set, same analytics events.
/// </summary>
/// <param name="Slug">The path segment, e.g. <c>masking-rules</c>.</param>
/// <param name="Singular">"masking rule".</param>
/// <param name="Renames">Whether a save may change the name (analyzer rules are keyed by it and may not).</param>
/// <param name="Fields">The form.</param>
/// <param name="New">The form of a new one.</param>
/// <param name="Find">The API view of the one named, or null.</param>
/// <param name="Save">Creates (name null) or replaces: the saved name, or the form refused with the API's status.</param>
/// <param name="Delete">Null when deleted, else the API's problem.</param>
public sealed record PolicyKind(
    string Slug, string Singular, bool Renames, IReadOnlyList<FormField> Fields, PolicyForm New,
    Func<IServiceProvider, string, object?> Find,
    Func<IServiceProvider, CallerIdentity, string?, PolicyForm, CancellationToken, Task<(string? Name, PolicyForm? Refused, int Status)>> Save,
    Func<IServiceProvider, CallerIdentity, string, CancellationToken, Task<ProblemHttpResult?>> Delete)
{
    private static readonly string[] s_actions = ["allow", "require_approval", "block"];

    private static readonly FormField[] s_ruleFields =
    [
        new("name", "Name", FieldKind.Text),
        new("description", "Description", FieldKind.LongText),
        new("connection_names", "Connections", FieldKind.List, "Comma-separated; a connection belongs to at most one rule."),
        new("risk_evaluation.low_risk_action", "Low risk", FieldKind.Choice, Choices: s_actions),
        new("risk_evaluation.medium_risk_action", "Medium risk", FieldKind.Choice, Choices: s_actions),
        new("risk_evaluation.high_risk_action", "High risk", FieldKind.Choice, Choices: s_actions),
        new("on_provider_error", "When the AI provider fails", FieldKind.Choice, Choices: s_actions),
        new("native_analysis", "Native analysis", FieldKind.Choice, "static: the static analyzer first; llm: the AI provider only; off: none.", ["static", "llm", "off"]),
        new("timeout_ms", "Provider timeout (ms)", FieldKind.Number, $"{RuleRequest.MinTimeoutMs}–{RuleRequest.MaxTimeoutMs}; empty: {RuleRequest.DefaultTimeoutMs}."),
        new("hold_seconds", "Hold before running (s)", FieldKind.Number, $"0–{RuleRequest.MaxHoldSeconds}."),
        new("custom_prompt", "Custom prompt", FieldKind.LongText),
    ];

    private static readonly string[] s_strategies = ["redact", "partial", "hash", "null"];

    private static readonly FormField[] s_maskingFields =
    [
        new("name", "Name", FieldKind.Text),
        new("description", "Description", FieldKind.LongText),
        new("connection_names", "Connections", FieldKind.List, "Comma-separated."),
        new("strategy", "Strategy", FieldKind.Choice, "How a value is masked unless an entry says otherwise.", s_strategies),
        new("score_threshold", "Score threshold", FieldKind.Number, "0–1: the least confidence a detected value needs."),
        new("supported_entity_types", "Supported entity types (JSON)", FieldKind.Json,
            $$"""[{"name": "contact", "entity_types": ["EMAIL_ADDRESS"], "strategy": "partial"}]. Types: {{string.Join(", ", PresidioEntityTypes.All)}}."""),
        new("custom_entity_types", "Custom entity types (JSON)", FieldKind.Json, """[{"name": "EMPLOYEE_ID", "regex": "E-[0-9]{6}"}] or a "deny_list" of words."""),
        new("columns", "Columns (JSON)", FieldKind.Json, """[{"table_pattern": "users", "column_pattern": "ssn*", "strategy": "hash"}]."""),
        new("kubernetes_secrets", "Kubernetes Secrets", FieldKind.Choice,
            "On kubernetes connections: redact (default) replaces the values of Secret objects with vigil:redacted; reveal sends them to the client as the cluster does (the recording keeps them redacted).",
            [MaskingRule.RedactSecrets, MaskingRule.RevealSecrets]),
    ];

    private static readonly FormField[] s_guardrailFields =
    [
        new("name", "Name", FieldKind.Text),
        new("description", "Description", FieldKind.LongText),
        new("connection_names", "Connections", FieldKind.List, "Comma-separated."),
        new("input.rules", "Input rules (JSON)", FieldKind.Json, """[{"type": "deny_words_list", "words": ["DROP TABLE"], "message": "…"}] or {"type": "pattern_match", "pattern_regex": "…"}."""),
        new("output.rules", "Output rules (JSON)", FieldKind.Json, """[{"type": "pattern_match", "pattern_regex": "\\d{16}"}]."""),
    ];

    /// <summary>The analyzer rules (<c>/api/ai/session-analyzer/rules</c>).</summary>
    public static PolicyKind AnalyzerRules { get; } = new(
        "analyzer-rules", "analyzer rule", false, s_ruleFields, Values(("risk_evaluation.low_risk_action", "allow"), ("risk_evaluation.medium_risk_action", "require_approval"), ("risk_evaluation.high_risk_action", "block")),
        (services, name) => services.GetRequiredService<RuleSet>().All.FirstOrDefault(r => r.Name == name) is { } rule ? RuleView.From(rule) : null,
        (services, caller, name, form, ct) => SaveAsync<RuleRequest, RuleView>(form, s_ruleFields, v => v.Name, request => RuleEndpoints.SaveRuleAsync(
            caller, name, request, services.GetRequiredService<RuleRepository>(), services.GetRequiredService<RuleSet>(), services.GetRequiredService<AnalyticsLog>(),
            services.GetRequiredService<TimeProvider>(), ct)),
        (services, caller, name, ct) => RuleEndpoints.DeleteRuleAsync(
            caller, name, services.GetRequiredService<RuleRepository>(), services.GetRequiredService<RuleSet>(), services.GetRequiredService<AnalyticsLog>(), ct));

    /// <summary>The data masking rules (<c>/api/datamasking-rules</c>).</summary>
    public static PolicyKind MaskingRules { get; } = new(
        "masking-rules", "masking rule", true, s_maskingFields,
        Values(("strategy", "redact"), ("score_threshold", "0"), ("supported_entity_types", """[{"name": "contact", "entity_types": ["EMAIL_ADDRESS", "PHONE_NUMBER"]}]"""), ("custom_entity_types", "[]"), ("columns", "[]"), ("kubernetes_secrets", MaskingRule.RedactSecrets)),
        (services, key) => services.GetRequiredService<MaskingSet>().Find(key) is { } rule ? MaskingRuleView.From(rule) : null,
        (services, caller, key, form, ct) => SaveAsync<MaskingRuleRequest, MaskingRuleView>(form, s_maskingFields, v => v.Name, request => MaskingRuleEndpoints.SaveRuleAsync(
            caller, key, request, services.GetRequiredService<MaskingRuleRepository>(), services.GetRequiredService<MaskingSet>(), services.GetRequiredService<TimeProvider>(), ct)),
        (services, caller, key, ct) => MaskingRuleEndpoints.DeleteRuleAsync(caller, key, services.GetRequiredService<MaskingRuleRepository>(), services.GetRequiredService<MaskingSet>(), ct));

    /// <summary>The guardrails (<c>/api/guardrails</c>).</summary>
    public static PolicyKind Guardrails { get; } = new(
        "guardrails", "guardrail", true, s_guardrailFields, Values(("input.rules", "[]"), ("output.rules", "[]")),
        (services, key) => services.GetRequiredService<GuardrailSet>().Find(key) is { } guardrail ? GuardrailView.From(guardrail) : null,
        (services, caller, key, form, ct) => SaveAsync<GuardrailRequest, GuardrailView>(form, s_guardrailFields, v => v.Name, request => GuardrailEndpoints.SaveGuardrailAsync(
            caller, key, request, services.GetRequiredService<GuardrailRepository>(), services.GetRequiredService<GuardrailSet>(), services.GetRequiredService<TimeProvider>(), ct)),
        (services, caller, key, ct) => GuardrailEndpoints.DeleteGuardrailAsync(caller, key, services.GetRequiredService<GuardrailRepository>(), services.GetRequiredService<GuardrailSet>(), ct));

    /// <summary>Every kind, in the order the policies page shows them.</summary>
    public static IReadOnlyList<PolicyKind> All { get; } = [AnalyzerRules, MaskingRules, Guardrails];

    /// <summary>The form as a request, saved through the API's <paramref name="save"/>; a refusal comes back next to its field.</summary>
    internal static async Task<(string? Name, PolicyForm? Refused, int Status)> SaveAsync<TRequest, TView>(
        PolicyForm form, IReadOnlyList<FormField> fields, Func<TView, string> name, Func<TRequest, Task<(TView? View, ProblemHttpResult? Problem)>> save)
        where TRequest : class
    {
        var (request, refused) = form.ToRequest<TRequest>(fields);
        if (refused is not null)
        {
            return (null, refused, StatusCodes.Status400BadRequest);
        }
        var (view, problem) = await save(request!);
        return problem is null ? (name(view!), null, StatusCodes.Status200OK) : (null, form.Refuse(fields, problem.ProblemDetails.Detail ?? "refused"), problem.StatusCode);
    }

    private static PolicyForm Values(params (string Key, string Value)[] values) => new(values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal));
}
