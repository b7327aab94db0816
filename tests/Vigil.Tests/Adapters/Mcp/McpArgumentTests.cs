using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Mcp;

/// <summary>Bad tool arguments give a tool error (<c>isError: true</c> with a clear message), never a protocol error.</summary>
[Collection(GatewayCollection.Name)]
public sealed class McpArgumentTests(GatewayFixture gateway)
{
    public static TheoryData<string, string, string> BadCalls() => new()
    {
        { "connection_get", "{}", "missing argument 'name' (The connection's name" },
        { "connection_get", """{"name":"pg","verbose":true}""", "unknown argument 'verbose'; this tool takes name" },
        { "connection_get", """{"name":""}""", "missing argument 'name'" },
        { "connection_get", """{"name":"no-such-connection"}""", "connection 'no-such-connection' not found" },
        { "connection_tables", """{"connection":"no-such-connection"}""", "connection 'no-such-connection' not found" },
        { "connection_columns", """{"connection":"pg"}""", "missing argument 'table'" },
        { "connection_columns", """{"connection":"pg","table":"no_such_table"}""", "table 'no_such_table' not found on connection 'pg'" },
        { "session_get", """{"id":"no-such-session"}""", "session 'no-such-session' not found" },
        { "session_get", """{"id":" "}""", "missing argument 'id'" },
        { "session_result", """{"id":"../reviews"}""", "not found (HTTP 404)" },
        { "sessions_list", """{"status":"bogus"}""", "argument 'status' must be one of running, done" },
        { "sessions_list", """{"risk_level":"extreme"}""", "argument 'risk_level' must be one of low, medium, high" },
        { "sessions_list", """{"page_size":"many"}""", "argument 'page_size' must be an integer (got \"many\")" },
        { "sessions_list", """{"page_size":5000}""", "argument 'page_size' must be between 1 and 1000" },
        { "reviews_list", """{"status":"maybe"}""", "argument 'status' must be one of pending" },
        { "review_get", """{"id":"no-such-review"}""", "review 'no-such-review' not found" },
        { "review_wait", """{"id":"no-such-review","timeout_seconds":1}""", "review 'no-such-review' not found" },
        { "review_wait", """{"id":"x","timeout_seconds":301}""", "argument 'timeout_seconds' must be between 1 and 300" },
        { "review_execute", """{"id":"no-such-review"}""", "review 'no-such-review' not found" },
        { "review_execute", """{"id":"x","wait_seconds":-1}""", "argument 'wait_seconds' must be between 0 and 300" },
        { "review_decide", """{"id":"x","decision":"maybe","reason":"r"}""", "argument 'decision' must be one of approve, reject" },
        { "review_decide", """{"id":"x","decision":"approve"}""", "missing argument 'reason'" },
        { "analyze", """{"input":"select 1","type":"cobol"}""", "argument 'type' must be one of postgres, shell, kubernetes, http" },
        { "analyze", """{"type":"postgres"}""", "missing argument 'input'" },
        { "analyze", """{"input":"select 1","connection":"no-such-connection"}""", "connection 'no-such-connection' not found" },
        { "exec", """{"connection":"no-such-connection","script":"select 1"}""", "connection 'no-such-connection' not found" },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task A_bad_argument_is_a_tool_error_with_a_clear_message(string tool, string arguments, string message)
    {
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token);

        var answer = await client.CallAsync(tool, System.Text.Json.Nodes.JsonNode.Parse(arguments));

        answer.IsError.Should().BeTrue(answer.Text);
        answer.Text.Should().Contain(message);
        // The session stays usable after a failed call.
        (await client.CallAsync("me_get")).IsError.Should().BeFalse();
    }

    [Fact]
    public async Task Refused_calls_are_audited_as_failures_with_their_arguments()
    {
        var agent = await gateway.CreateServiceAccountAsync([await gateway.CreateGroupAsync()]);
        await using var client = await gateway.ConnectHttpAsync(agent.Token);

        (await client.CallAsync("sessions_list", new { status = "bogus" })).IsError.Should().BeTrue();
        (await client.CallAsync("session_get", new { id = "no-such-session" })).IsError.Should().BeTrue();
        (await client.CallAsync("connections_list")).IsError.Should().BeFalse();

        var audit = await gateway.ToolCallAuditAsync(agent.Name);
        audit.Select(a => (a!["resource"]!.GetValue<string>(), a["outcome"]!.GetValue<string>()))
            .Should().Equal(("connections_list", "success"), ("session_get", "failure"), ("sessions_list", "failure"));
        audit[2]!["request"]!["arguments"]!["status"]!.GetValue<string>().Should().Be("bogus");
        audit[2]!["request"]!["client"]!["name"]!.GetValue<string>().Should().Be(McpClients.Agent.Name);
    }
}
