using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Vigil.Tests.Fixtures;

/// <summary>The MCP SDK's own client, connected to a test gateway over Streamable HTTP or through <c>vigil mcp</c> (stdio).</summary>
public static class McpClients
{
    /// <summary>The client name and version the test agents report in <c>initialize</c>.</summary>
    public static readonly Implementation Agent = new() { Name = "test-agent", Version = "1.2.3" };

    /// <summary>A client of <c>/api/mcp</c> authenticated with <paramref name="token"/>.</summary>
    /// <remarks>
    /// <paramref name="protocolVersion"/> pins the revision; e.g. <c>2025-11-25</c> makes the client open with
    /// <c>initialize</c> and hold a stateful session, as the agents of 2025 and 2026 do.
    /// </remarks>
    public static Task<McpClient> ConnectHttpAsync(this GatewayFixture gateway, string token, Implementation? client = null, string? protocolVersion = null) =>
        McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(gateway.HttpAddress + "/api/mcp"),
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
            }),
            new McpClientOptions { ClientInfo = client ?? Agent, ProtocolVersion = protocolVersion });

    /// <summary>A client that spawns <c>vigil mcp</c> with <paramref name="token"/> in <c>VIGIL_TOKEN</c>.</summary>
    public static Task<McpClient> ConnectStdioAsync(this GatewayFixture gateway, string token, Implementation? client = null) =>
        McpClient.CreateAsync(
            new StdioClientTransport(new StdioClientTransportOptions
            {
                Command = "dotnet",
                Arguments = [Processes.VigilDll, "mcp"],
                EnvironmentVariables = new Dictionary<string, string?>
                {
                    ["VIGIL_GATEWAY_URL"] = gateway.HttpAddress,
                    ["VIGIL_TOKEN"] = token,
                    ["HOME"] = Path.Combine(Path.GetTempPath(), "vigil-mcp-home"),
                },
            }),
            new McpClientOptions { ClientInfo = client ?? Agent });
}
