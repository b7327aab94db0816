using System.Text.Json.Nodes;
using ModelContextProtocol.Server;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// The admin tools: the gateway's configuration API (connections, analyzer provider and rules, masking rules,
/// guardrails, users, groups, service accounts, tokens, webhooks, audit log) as MCP tools, one <see cref="ApiRoute"/>
/// each, declared per area in this folder. Writes are for admins; the reads the API lets auditors make are for
/// auditors too; every other identity sees none of them. Registered with <c>.WithTools(AdminTools.All)</c>.
/// </summary>
public static class AdminTools
{
    /// <summary>Every admin route, in the order <c>tools/list</c> shows them.</summary>
    public static IReadOnlyList<ApiRoute> Routes { get; } =
    [
        .. ConnectionRoutes.All, .. AnalyzerRoutes.All, .. MaskingRoutes.All, .. GuardrailRoutes.All, .. IdentityRoutes.All,
        .. TokenRoutes.All, .. WebhookRoutes.All, .. AuditRoutes.All,
    ];

    /// <summary>The tools, built once.</summary>
    public static IReadOnlyList<McpServerTool> All { get; } = [.. Routes.Select(r => new ApiRouteTool(r))];

    /// <summary>
    /// A paged list tool: <paramref name="filters"/> and the paging arguments go to the query string, but those named in
    /// <paramref name="required"/> (the path's arguments, e.g. a webhook's <c>id</c>).
    /// </summary>
    internal static ApiRoute List(
        string name, string title, Audience audience, string path, string description, IEnumerable<(string, JsonObject)> filters, ApiRoute.Renderer answer,
        params string[] required) =>
        new(name, title, audience, ToolEffect.Read, HttpMethod.Get, path, description,
            Schema.Object(null, [.. filters, .. Schema.Paging()], required), answer);

    /// <summary>A tool reading one item at <paramref name="path"/>, whose one argument <paramref name="key"/> names it.</summary>
    internal static ApiRoute Get(string name, string title, Audience audience, string path, string key, string keyDescription, string description) =>
        new(name, title, audience, ToolEffect.Read, HttpMethod.Get, path, description,
            Schema.Object(null, [(key, Schema.String(keyDescription))], key), Answers.Item(title));

    /// <summary>A tool deleting the item at <paramref name="path"/> named by <paramref name="key"/>; <paramref name="done"/> says what happened.</summary>
    internal static ApiRoute Delete(string name, string title, string path, string key, string keyDescription, string description, string done) =>
        new(name, title, Audience.Admins, ToolEffect.Delete, HttpMethod.Delete, path, description,
            Schema.Object(null, [(key, Schema.String(keyDescription))], key), Answers.Done(done));

    /// <summary>The <c>connection</c> filter of the lists of rules that name connections.</summary>
    internal static (string, JsonObject) ConnectionFilter(string plural) =>
        ("connection", Schema.String($"Only the {plural} that name this connection"));

    /// <summary>A rule's <c>connection_names</c>.</summary>
    internal static (string, JsonObject) ConnectionNames(string what) =>
        ("connection_names", Schema.Strings($"Names of the connections {what} (each must exist; see connections_list)", minItems: 1));
}
