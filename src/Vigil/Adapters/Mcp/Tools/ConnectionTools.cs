using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Vigil.Adapters.Mcp.Tools;

/// <summary>
/// The connections the caller may use: <c>connections_list</c> (<c>GET /api/connections</c>, already narrowed by the API
/// to the caller's access groups and token) and <c>connection_get</c> (<c>GET /api/connections/{name}</c>). The API never
/// returns secrets (passwords, keys: only <c>has_password</c>), so neither do these tools.
/// </summary>
[McpServerToolType]
public static class ConnectionTools
{
    /// <summary>The caller's connections, one page.</summary>
    [McpServerTool(Name = "connections_list", Title = "List connections", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("List the connections (databases and other targets) you may use through Vigil: name, type, database, the "
        + "access modes allowed (`exec` means you can run commands with the `exec` tool) and whether every command needs a "
        + "human's review. Start here; pass a connection's `name` to `exec`, `connection_tables` and the other tools. "
        + "A connection you may not use is not listed.")]
    public static async Task<CallToolResult> ConnectionsList(
        VigilApi api,
        [Description("Page number, from 1 (default 1)"), Range(1, int.MaxValue)] int? page = null,
        [Description("Connections per page, 1 to 1000 (default 50)"), Range(1, 1000)] int? page_size = null,
        CancellationToken cancellationToken = default) =>
        ToolResults.List(
            await api.GetAsync(ToolParameters.Query("api/connections", ("page", page), ("page_size", page_size)), cancellationToken),
            "Connections you may use:", "name", "type", "database", "access_modes", "require_review_for_exec");

    /// <summary>One connection, by name.</summary>
    [McpServerTool(Name = "connection_get", Title = "Show a connection", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Show one connection's settings: type, host, port, database, database user, TLS mode, access modes, "
        + "review policy (reviewer groups, approvals needed, review timeout) and recording. Secrets are never shown. "
        + "An unknown connection, or one you may not use, is an error: call `connections_list` for the names.")]
    public static async Task<CallToolResult> ConnectionGet(
        VigilApi api,
        [Description("The connection's name (from connections_list)")] string name,
        CancellationToken cancellationToken = default)
    {
        var connection = ToolParameters.Required(name, "name", "the connection's name, from connections_list");
        return ToolResults.Object(await api.GetAsync($"api/connections/{VigilApi.Segment(connection)}", cancellationToken));
    }
}
