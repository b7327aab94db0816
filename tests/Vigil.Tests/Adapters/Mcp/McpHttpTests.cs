using System.Net;
using System.Text.Json;
using ModelContextProtocol.Client;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Mcp;

/// <summary>The MCP endpoint <c>/api/mcp</c> driven by the SDK's client: authentication, tool lists per role, exec.</summary>
[Collection(GatewayCollection.Name)]
public sealed class McpHttpTests(GatewayFixture gateway)
{
    [Theory]
    [InlineData(null)]
    [InlineData("2025-11-25")]
    [InlineData("2025-06-18")]
    public async Task An_agent_runs_a_query_and_it_is_recorded_as_an_mcp_session_with_its_client(string? protocolVersion)
    {
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token, protocolVersion: protocolVersion);
        if (protocolVersion is not null)
        {
            client.NegotiatedProtocolVersion.Should().Be(protocolVersion);
            client.SessionId.Should().NotBeNullOrEmpty("clients that open with initialize hold a stateful session");
        }

        var result = await client.CallToolAsync("exec", new Dictionary<string, object?> { ["connection"] = "pg", ["script"] = "select 41 + 1 as answer" });

        result.IsError.Should().NotBe(true);
        var answer = result.StructuredContent!.Value;
        answer.GetProperty("status").GetString().Should().Be("done");
        answer.GetProperty("output").GetString().Should().Contain("42");
        var session = await gateway.LatestSessionAsync("pg", "mcp");
        session.Id.Should().Be(answer.GetProperty("session_id").GetString());
        session.ClientName.Should().Be("test-agent");
        session.ClientVersion.Should().Be("1.2.3");
        session.Tool.Should().Be("exec");
    }

    [Fact]
    public async Task Without_a_valid_token_the_endpoint_answers_401_pointing_at_the_resource_metadata()
    {
        using var http = new HttpClient { BaseAddress = new Uri(gateway.HttpAddress) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/mcp") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", "vgl_not_a_token");
        using var response = await http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var challenge = response.Headers.WwwAuthenticate.ToString();
        challenge.Should().Contain($"resource_metadata=\"{gateway.HttpAddress}/.well-known/oauth-protected-resource/api/mcp\"").And.Contain("error=\"invalid_token\"");
        var metadata = JsonDocument.Parse(await http.GetStringAsync("/.well-known/oauth-protected-resource/api/mcp")).RootElement;
        metadata.GetProperty("resource").GetString().Should().Be(gateway.HttpAddress + "/api/mcp");
        metadata.GetProperty("bearer_methods_supported").EnumerateArray().Select(e => e.GetString()).Should().Equal("header");
    }

    [Theory]
    [InlineData("{\"connection\":\"pg\"}", "script")]
    [InlineData("{\"connection\":\"pg\",\"script\":\"select 1\",\"wait_seconds\":\"soon\"}", "wait_seconds")]
    [InlineData("{\"connection\":\"no-such-connection\",\"script\":\"select 1\"}", "connection 'no-such-connection' not found")]
    [InlineData("{\"connection\":\"pg\",\"script\":\"select 1\",\"wait_seconds\":-5}", "wait_seconds")]
    [InlineData("{\"connection\":\"pg\",\"script\":\"select 1\",\"wait_second\":5}", "unknown argument 'wait_second'; exec takes connection, script, wait_seconds")]
    public async Task Bad_arguments_give_a_tool_error_and_the_session_goes_on(string arguments, string named)
    {
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token);

        var result = await client.CallToolAsync("exec", JsonSerializer.Deserialize<Dictionary<string, object?>>(arguments)!);

        result.IsError.Should().BeTrue();
        string.Concat(result.Content.OfType<ModelContextProtocol.Protocol.TextContentBlock>().Select(c => c.Text)).Should().Contain(named);
        (await client.CallToolAsync("me_get")).IsError.Should().NotBe(true);
    }

    [Fact]
    public async Task Every_tool_call_reads_included_is_one_audit_entry_with_the_client_and_the_arguments()
    {
        var (token, _) = await gateway.CreateTokenAsync(new { name = Identities.Unique("mcp-audit") });
        await using var client = await gateway.ConnectHttpAsync(token, new() { Name = "audited-agent", Version = "0.1" });

        await client.CallToolAsync("me_get");
        await client.CallToolAsync("exec", new Dictionary<string, object?> { ["connection"] = "pg" });
        await client.CallToolAsync("exec", new Dictionary<string, object?> { ["connection"] = "no-such-connection", ["script"] = "select 1" });

        var page = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/audit/logs?resource_type=mcp_tool&page_size=100")).RootElement;
        var mine = page.GetProperty("data").EnumerateArray()
            .Where(e => e.GetProperty("request").GetProperty("client").GetProperty("name").GetString() == "audited-agent").ToList();
        mine.Select(e => (e.GetProperty("resource").GetString(), e.GetProperty("outcome").GetString())).Should()
            .BeEquivalentTo([("me_get", "success"), ("exec", "failure"), ("exec", "failure")]);
        mine.Should().OnlyContain(e => e.GetProperty("action").GetString() == "call");
        mine.Where(e => e.GetProperty("resource").GetString() == "exec")
            .Select(e => e.GetProperty("request").GetProperty("arguments").GetProperty("connection").GetString())
            .Should().BeEquivalentTo(["pg", "no-such-connection"]);
    }
}
