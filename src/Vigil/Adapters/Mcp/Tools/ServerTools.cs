using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Vigil.Adapters.Mcp.Tools;

/// <summary>Who the agent is and what this gateway is: <c>me_get</c> (<c>GET /api/userinfo</c>), <c>serverinfo_get</c> (<c>GET /api/serverinfo</c>).</summary>
[McpServerToolType]
public static class ServerTools
{
    /// <summary>The caller's identity.</summary>
    [McpServerTool(Name = "me_get", Title = "Who am I", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Your identity at Vigil: id, name, kind (user or service_account), groups and role (admin, auditor or standard), "
        + "and the connections your token is narrowed to, if any.")]
    public static async Task<CallToolResult> MeGet(VigilApi api, CancellationToken cancellationToken) =>
        ToolResults.Object(await api.GetAsync("api/userinfo", cancellationToken));

    /// <summary>The gateway's version and addresses.</summary>
    [McpServerTool(Name = "serverinfo_get", Title = "About this gateway", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("This Vigil gateway's version, public URL, PostgreSQL listener address, MCP endpoint and login methods.")]
    public static async Task<CallToolResult> ServerInfoGet(VigilApi api, CancellationToken cancellationToken) =>
        ToolResults.Object(await api.GetAsync("api/serverinfo", cancellationToken));
}
