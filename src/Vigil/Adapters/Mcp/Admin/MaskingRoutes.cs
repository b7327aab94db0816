using System.Text.Json.Nodes;
using Vigil.Masking.Recognizers;
using Vigil.Masking.Rules;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// Data masking rules over <c>/api/datamasking-rules</c> (docs/masking.md): <c>masking_rules_list</c>,
/// <c>masking_rule_get</c> (auditors), <c>masking_rule_create|update|delete</c> (admins). Entity types are Microsoft
/// Presidio's names (<see cref="PresidioEntityTypes.All"/>).
/// </summary>
internal static class MaskingRoutes
{
    private const string Path = "api/datamasking-rules";

    private static readonly string[] Strategies = ["redact", "partial", "hash", "null"];

    private const string StrategyHelp =
        "redact (<ENTITY_TYPE>), partial (all but the last 4 characters become *), hash (keyed HMAC, stable for joins), null (removed)";

    public static IEnumerable<ApiRoute> All =>
    [
        AdminTools.List("masking_rules_list", "List data masking rules", Audience.Auditors, Path,
            "The data masking rules: which connections each covers and what it masks in results before they reach a client or the recording.",
            [AdminTools.ConnectionFilter("rules")],
            Answers.Table("Data masking rules", "id", "name", "connection_names", "strategy")),
        AdminTools.Get("masking_rule_get", "Show a data masking rule", Audience.Auditors, Path + "/{rule}", "rule", "The rule's name or id",
            "One data masking rule with its entity types, custom entity types and column rules."),
        new("masking_rule_create", "Create a data masking rule", Audience.Admins, ToolEffect.Create, HttpMethod.Post, Path,
            "Create a rule that masks sensitive values in the results of the connections it names: Presidio entity types found "
            + "in any value (supported_entity_types), your own patterns or word lists (custom_entity_types), and whole columns "
            + "by name (columns). Give at least one of the three, or kubernetes_secrets: reveal alone. Applies to the next result of every open session.",
            Schema.Object(null, [("name", Schema.String("Unique name (1-63 letters, digits, spaces, '_', '-', '.')")), .. Fields()], "name", "connection_names"),
            Answers.Item("Data masking rule '{name}' created")),
        new("masking_rule_update", "Replace a data masking rule", Audience.Admins, ToolEffect.Change, HttpMethod.Put, Path + "/{rule}",
            "Replace a data masking rule with the fields given (fields left out are emptied or defaulted: call masking_rule_get "
            + "first and send everything to keep). A new `name` renames it.",
            Schema.Object(null, [("rule", Schema.String("The rule to replace: its name or id")), ("name", Schema.String("New name (default: unchanged)")), .. Fields()], "rule", "connection_names"),
            Answers.Item("Data masking rule '{rule}' replaced")),
        AdminTools.Delete("masking_rule_delete", "Delete a data masking rule", Path + "/{rule}", "rule", "The rule's name or id",
            "Delete a data masking rule: its connections' results are no longer masked by it.", "Deleted data masking rule '{rule}'."),
    ];

    /// <summary>The fields of <see cref="MaskingRuleRequest"/> but <c>name</c>.</summary>
    private static IEnumerable<(string, JsonObject)> Fields() =>
    [
        ("description", Schema.String("Free text", maxLength: MaskingRuleRequest.MaxDescription)),
        AdminTools.ConnectionNames("whose results the rule masks"),
        ("supported_entity_types", Schema.Array("Groups of Presidio entity types to find and mask in every value", Schema.Object(null,
        [
            ("name", Schema.String("A label for the group, e.g. \"contact\"")),
            ("entity_types", Schema.Strings("Presidio entity types, e.g. EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD", PresidioEntityTypes.All, 1)),
            ("strategy", Schema.String("Strategy for these (default: the rule's)", Strategies)),
        ], "name", "entity_types"))),
        ("custom_entity_types", Schema.Array("Your own entity types, each found by a regex or a deny list of words", Schema.Object(null,
        [
            ("name", Schema.String("Upper-case name, e.g. EMPLOYEE_ID (not a Presidio name)")),
            ("regex", Schema.String(".NET regular expression (give this or deny_list)", maxLength: MaskingRuleRequest.MaxRegexLength)),
            ("deny_list", Schema.Strings("Words or phrases to mask, case-insensitive (give this or regex)")),
            ("score", Schema.Number("Confidence of a match, 0-1 (default 1)", 0, 1)),
            ("strategy", Schema.String("Strategy for these (default: the rule's)", Strategies)),
        ], "name"))),
        ("score_threshold", Schema.Number("Lowest recognizer confidence that is masked, 0-1 (default 0)", 0, 1)),
        ("strategy", Schema.String("Default strategy: " + StrategyHelp + " (default redact)", Strategies)),
        ("columns", Schema.Array("Columns masked whole by name, whatever their values look like", Schema.Object(null,
        [
            ("table_pattern", Schema.String("Glob on the table name, * and ? wildcards (default *)")),
            ("column_pattern", Schema.String("Glob on the column name, e.g. *email*")),
            ("entity_type", Schema.String("Entity type the value is reported as (default COLUMN; a Presidio or custom type)")),
            ("strategy", Schema.String("Strategy for these (default: the rule's)", Strategies)),
        ], "column_pattern"))),
        ("kubernetes_secrets", Schema.String(
            "The data and stringData of Secret objects on the rule's kubernetes connections: redact (default: replaced by vigil:redacted) "
            + "or reveal (sent to the client as the cluster sends them; the recording keeps them redacted)", [MaskingRule.RedactSecrets, MaskingRule.RevealSecrets])),
    ];
}
