using System.Text.Json.Nodes;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// Guardrails over <c>/api/guardrails</c> (docs/guardrails.md): <c>guardrails_list</c>, <c>guardrail_get</c> (auditors),
/// <c>guardrail_create|update|delete</c> (admins).
/// </summary>
internal static class GuardrailRoutes
{
    private const string Path = "api/guardrails";

    public static IEnumerable<ApiRoute> All =>
    [
        AdminTools.List("guardrails_list", "List guardrails", Audience.Auditors, Path,
            "The guardrails: deny-word and pattern rules that refuse a command (input) or stop a result (output) on the connections they name, before any analysis.",
            [AdminTools.ConnectionFilter("guardrails")],
            Answers.Table("Guardrails", "id", "name", "connection_names", "description")),
        AdminTools.Get("guardrail_get", "Show a guardrail", Audience.Auditors, Path + "/{guardrail}", "guardrail", "The guardrail's name or id",
            "One guardrail with its input and output rules."),
        new("guardrail_create", "Create a guardrail", Audience.Admins, ToolEffect.Create, HttpMethod.Post, Path,
            "Create a guardrail: input rules refuse a command that matches (it never runs), output rules stop a result that "
            + "matches. Rules are deny_words_list (words or phrases) or pattern_match (a .NET regex). Applies to the next "
            + "command of every open session on the named connections.",
            Schema.Object(null, [("name", Schema.String("Unique name (1-63 letters, digits, '_', '-', '.')")), .. Fields()], "name"),
            Answers.Item("Guardrail '{name}' created")),
        new("guardrail_update", "Replace a guardrail", Audience.Admins, ToolEffect.Change, HttpMethod.Put, Path + "/{guardrail}",
            "Replace a guardrail with the fields given (rules and connections left out are emptied: call guardrail_get first and "
            + "send everything to keep). A new `name` renames it.",
            Schema.Object(null, [("guardrail", Schema.String("The guardrail to replace: its name or id")), ("name", Schema.String("New name (default: unchanged)")), .. Fields()], "guardrail"),
            Answers.Item("Guardrail '{guardrail}' replaced")),
        AdminTools.Delete("guardrail_delete", "Delete a guardrail", Path + "/{guardrail}", "guardrail", "The guardrail's name or id",
            "Delete a guardrail; its rules stop applying at once.", "Deleted guardrail '{guardrail}'."),
    ];

    /// <summary>The fields of <see cref="Guardrails.GuardrailRequest"/> but <c>name</c>.</summary>
    private static IEnumerable<(string, JsonObject)> Fields() =>
    [
        ("description", Schema.String("Free text")),
        ("connection_names", Schema.Strings("Connections the guardrail applies to (each must exist)")),
        ("input", Rules("Rules on commands before they run")),
        ("output", Rules("Rules on results before they reach the client (deny words match anywhere in the text)")),
    ];

    private static JsonObject Rules(string description) => Schema.Object(description,
    [
        ("rules", Schema.Array("The rules; any match refuses", Schema.Object(null,
        [
            ("type", Schema.String("deny_words_list (any of `words`) or pattern_match (`pattern_regex`)", ["deny_words_list", "pattern_match"])),
            ("words", Schema.Strings("Words or phrases (deny_words_list), case-insensitive")),
            ("pattern_regex", Schema.String(".NET regular expression (pattern_match)")),
            ("name", Schema.String("A label shown when the rule matches")),
            ("message", Schema.String("What the refused caller is told")),
            ("match_in", Schema.String("all (default) or code: deny words outside SQL strings and comments only (input rules)", ["all", "code"])),
        ], "type"))),
    ]);
}
