using System.Text.Json.Nodes;
using Vigil.Analysis.Providers;
using Vigil.Analysis.Rules;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// The AI Session Analyzer's configuration: the LLM provider (<c>ai_provider_get|set|delete</c> over
/// <c>/api/ai/session-analyzer/providers</c>, admins only; the API key is write-only and shown masked) and the
/// per-connection rules (<c>ai_rules_list</c>, <c>ai_rule_get|create|update|delete</c> over
/// <c>/api/ai/session-analyzer/rules</c>; auditors read).
/// </summary>
internal static class AnalyzerRoutes
{
    private const string Provider = "api/ai/session-analyzer/providers", Rules = "api/ai/session-analyzer/rules";

    private static readonly string[] Actions = ["allow", "require_approval", "block"];

    public static IEnumerable<ApiRoute> All =>
    [
        new("ai_provider_get", "Show the analyzer's LLM provider", Audience.Admins, ToolEffect.Read, HttpMethod.Get, Provider,
            "The LLM provider the AI Session Analyzer asks to classify each command's risk: provider, model, api_url, the API key "
            + "masked, and its recent health (last_success_at, last_error). An error answer means none is set: the analyzer "
            + "then works offline with its static analysis.",
            Schema.Object(null, []), Answers.Item("Analyzer provider")),
        new("ai_provider_set", "Set the analyzer's LLM provider", Audience.Admins, ToolEffect.Change, HttpMethod.Post, Provider,
            "Set (or replace) the LLM provider that classifies commands. The API key is write-only: stored encrypted, shown "
            + "masked afterwards. The analyzer's verdict cache is cleared.",
            Schema.Object(null,
            [
                ("provider", Schema.String("openai, anthropic, azure-openai, or custom (any OpenAI-compatible endpoint)", RiskProviderFactory.Providers)),
                ("model", Schema.String("Model name, e.g. gpt-4o-mini or claude-3-5-haiku-latest (for azure-openai: the deployment)")),
                ("api_key", Schema.String("The provider's API key: write-only, never returned")),
                ("api_url", Schema.String("Base URL (required for azure-openai and custom), absolute http(s), without query")),
            ], "provider", "model", "api_key"),
            Answers.Item("Analyzer provider set")),
        new("ai_provider_delete", "Remove the analyzer's LLM provider", Audience.Admins, ToolEffect.Delete, HttpMethod.Delete, Provider,
            "Remove the LLM provider and its key; the analyzer then classifies with its static analysis only.",
            Schema.Object(null, []), Answers.Done("Removed the analyzer's provider; analysis is static only.")),
        AdminTools.List("ai_rules_list", "List analyzer rules", Audience.Auditors, Rules,
            "The analyzer rules: for each, the connections it governs and the action per risk level (allow, require_approval, block).",
            [AdminTools.ConnectionFilter("rules")],
            Answers.Table("Analyzer rules", "name", "connection_names", "risk_evaluation.low_risk_action", "risk_evaluation.medium_risk_action", "risk_evaluation.high_risk_action")),
        AdminTools.Get("ai_rule_get", "Show an analyzer rule", Audience.Auditors, Rules + "/{name}", "name", "The rule's name",
            "One analyzer rule with all its fields (custom_prompt, on_provider_error, timeout_ms, native_analysis, hold_seconds)."),
        new("ai_rule_create", "Create an analyzer rule", Audience.Admins, ToolEffect.Create, HttpMethod.Post, Rules,
            "Create a rule mapping each risk level of the analyzer's verdict to an action on the connections it names: allow "
            + "(run), require_approval (park the command for a human's review) or block. A connection belongs to at most one "
            + "rule; connections without one use the defaults (low allow, medium require_approval, high block).",
            Schema.Object(null, [("name", Schema.String("Unique name (1-63 letters, digits, '_', '-', '.')")), .. RuleFields()], "name", "connection_names", "risk_evaluation"),
            Answers.Item("Analyzer rule '{name}' created")),
        new("ai_rule_update", "Replace an analyzer rule", Audience.Admins, ToolEffect.Change, HttpMethod.Put, Rules + "/{name}",
            "Replace an analyzer rule with the fields given: fields left out take their defaults, so call ai_rule_get first and "
            + "send every field to keep. The name cannot change. Applies to the next command of every open session.",
            Schema.Object(null, [("name", Schema.String("The rule to replace")), .. RuleFields()], "name", "connection_names", "risk_evaluation"),
            Answers.Item("Analyzer rule '{name}' replaced")),
        AdminTools.Delete("ai_rule_delete", "Delete an analyzer rule", Rules + "/{name}", "name", "The rule's name",
            "Delete an analyzer rule; its connections fall back to the defaults (low allow, medium require_approval, high block).",
            "Deleted analyzer rule '{name}'."),
    ];

    /// <summary>The fields of <see cref="RuleRequest"/> but <c>name</c>.</summary>
    private static IEnumerable<(string, JsonObject)> RuleFields() =>
    [
        ("description", Schema.String("Free text")),
        AdminTools.ConnectionNames("the rule governs (each in at most one rule)"),
        ("risk_evaluation", Schema.Object("The action per risk level; a level left out takes its default", [
            ("low_risk_action", Schema.String("Action for low risk (default allow)", Actions)),
            ("medium_risk_action", Schema.String("Action for medium risk (default require_approval)", Actions)),
            ("high_risk_action", Schema.String("Action for high risk (default block)", Actions)),
        ])),
        ("custom_prompt", Schema.String("Your policy in words, added to the analyzer's prompt (e.g. \"the billing schema is sensitive\")", maxLength: RuleRequest.MaxCustomPrompt)),
        ("on_provider_error", Schema.String("Action when the LLM provider fails (default require_approval; never laxer than the static analysis)", Actions)),
        ("timeout_ms", Schema.Integer($"Bound on one provider exchange, milliseconds (default {RuleRequest.DefaultTimeoutMs})", RuleRequest.MinTimeoutMs, RuleRequest.MaxTimeoutMs)),
        ("native_analysis", Schema.String("How statements from native clients (psql) are analyzed: static (default), llm, or off", ["static", "llm", "off"])),
        ("hold_seconds", Schema.Integer("How long the proxy holds a statement needing approval, waiting for the decision (default 0: answer at once)", 0, RuleRequest.MaxHoldSeconds)),
    ];
}
