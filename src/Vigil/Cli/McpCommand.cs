using System.CommandLine;
using Vigil.Adapters.Mcp;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil mcp</c>: an MCP server over stdio for agents (Claude Code, Claude Desktop, Cursor) that start their tools as
/// local processes. Authenticated with <c>VIGIL_TOKEN</c> or the stored login (<c>vigil login</c>), against
/// <c>VIGIL_GATEWAY_URL</c>. The token is checked before serving (<c>GET /api/userinfo</c>): an unknown, expired or
/// revoked token, or an unreachable gateway, prints one <c>vigil: …</c> line on stderr and exits 1, so the agent's MCP
/// client shows why the server did not start. Standard output carries only the protocol; logs go to stderr.
/// </summary>
public static class McpCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var command = new Command("mcp", "Serve Vigil's tools to an AI agent over MCP (stdio); see docs/mcp.md");
        command.SetAction((_, cancellationToken) => CliOutput.RunAsync(async client =>
        {
            await client.SendAsync(HttpMethod.Get, "api/userinfo", null, cancellationToken);
            using var logging = LoggerFactory.Create(builder => builder
                .SetMinimumLevel(LogLevel.Warning)
                .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
            await using var bridge = new StdioBridge(new Uri(client.BaseAddress, "api/mcp"), client.Token!, logging);
            await bridge.RunAsync(cancellationToken);
            return 0;
        }));
        return command;
    }
}
