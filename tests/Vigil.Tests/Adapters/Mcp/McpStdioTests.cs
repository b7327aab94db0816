using ModelContextProtocol.Client;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Mcp;

/// <summary><c>vigil mcp</c> spawned by the SDK's stdio client: the same tools as <c>/api/mcp</c>, the agent's own identity and client name.</summary>
[Collection(GatewayCollection.Name)]
public sealed class McpStdioTests(GatewayFixture gateway)
{
    [Fact]
    public async Task The_stdio_server_serves_the_gateways_tools_and_records_the_agents_client()
    {
        await using var client = await gateway.ConnectStdioAsync(GatewayFixture.Token, new() { Name = "stdio-agent", Version = "9.8" });

        client.ServerInfo!.Name.Should().Be("vigil");
        client.ServerInstructions.Should().Contain("review_wait");
        var tools = await client.ListToolsAsync();
        tools.Select(t => t.Name).Should().Contain(["exec", "me_get", "serverinfo_get"]);
        var me = await client.CallToolAsync("me_get");
        me.StructuredContent!.Value.GetProperty("role").GetString().Should().Be("admin");

        var result = await client.CallToolAsync("exec", new Dictionary<string, object?> { ["connection"] = "pg", ["script"] = "select 'via stdio' as how" });

        result.StructuredContent!.Value.GetProperty("status").GetString().Should().Be("done");
        var session = await gateway.LatestSessionAsync("pg", "mcp");
        session.Id.Should().Be(result.StructuredContent!.Value.GetProperty("session_id").GetString());
        session.ClientName.Should().Be("stdio-agent");
        session.ClientVersion.Should().Be("9.8");
    }

    [Fact]
    public async Task A_bad_token_stops_the_stdio_server_at_startup_with_a_readable_error()
    {
        var run = await Processes.RunAsync("dotnet", [Processes.VigilDll, "mcp"], new Dictionary<string, string>
        {
            ["VIGIL_GATEWAY_URL"] = gateway.HttpAddress,
            ["VIGIL_TOKEN"] = "vgl_this_token_does_not_exist_0123456789",
        });

        run.ExitCode.Should().Be(1);
        run.Stdout.Should().BeEmpty("stdout belongs to the protocol");
        run.Stderr.Should().StartWith("vigil: ").And.Contain("401");
    }
}
