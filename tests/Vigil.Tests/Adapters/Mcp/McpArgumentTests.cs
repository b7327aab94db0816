using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Mcp;

/// <summary>Bad tool arguments give a tool error (<c>isError: true</c> with a clear message), never a protocol error.</summary>
[Collection(GatewayCollection.Name)]
public sealed class McpArgumentTests(GatewayFixture gateway)
{
    /// <summary>Arguments the tools themselves refuse, or the API they translate to: the message is theirs.</summary>
    public static TheoryData<string, string, string> Refusals() => new()
    {
        { "connection_get", """{"name":"no-such-connection"}""", "connection 'no-such-connection' not found" },
        { "connection_get", """{"name":"  "}""", "missing argument 'name'" },
        { "connection_tables", """{"connection":"no-such-connection"}""", "connection 'no-such-connection' not found" },
        { "connection_columns", """{"connection":"pg","table":"no_such_table"}""", "table 'no_such_table' not found on connection 'pg'" },
        { "connection_columns", """{"connection":"pg","table":"items","schema":"nowhere"}""", "table 'nowhere.items' not found" },
        { "session_get", """{"id":"no-such-session"}""", "session 'no-such-session' not found" },
        { "sessions_list", """{"status":"open"}""", "argument 'status' must be one of running, done, failed" },
        { "sessions_list", """{"risk_level":"extreme"}""", "risk_level" },
        { "reviews_list", """{"status":"maybe"}""", "status" },
        { "analyze", """{"input":"select 1","type":"cobol"}""", "type" },
        { "session_get", """{"id":" "}""", "missing argument 'id'" },
        { "session_result", """{"id":"../reviews"}""", "not found" },
        { "review_get", """{"id":"no-such-review"}""", "review 'no-such-review' not found" },
        { "review_wait", """{"id":"no-such-review","timeout_seconds":1}""", "review 'no-such-review' not found" },
        { "review_execute", """{"id":"no-such-review"}""", "review 'no-such-review' not found" },
        { "review_decide", """{"id":"no-such-review","decision":"approve","reason":"fine"}""", "review 'no-such-review' not found" },
        { "review_decide", """{"id":"x","decision":"approve","reason":" "}""", "missing argument 'reason'" },
        { "analyze", """{"input":"select 1","connection":"no-such-connection"}""", "connection 'no-such-connection' not found" },
        { "exec", """{"connection":"no-such-connection","script":"select 1"}""", "connection 'no-such-connection' not found" },
    };

    /// <summary>Arguments that do not fit the tool's input schema (checked before the tool runs): the message names the argument.</summary>
    public static TheoryData<string, string, string> SchemaViolations() => new()
    {
        { "connection_get", "{}", "name" },
        { "connection_get", """{"name":"pg","verbose":true}""", "verbose" },
        { "connection_columns", """{"connection":"pg"}""", "table" },
        { "sessions_list", """{"page_size":"many"}""", "page_size" },
        { "sessions_list", """{"page_size":5000}""", "page_size" },
        { "reviews_list", """{"waiting_for_me":"yes"}""", "waiting_for_me" },
        { "review_wait", """{"id":"x","timeout_seconds":301}""", "timeout_seconds" },
        { "review_execute", """{"id":"x","wait_seconds":-1}""", "wait_seconds" },
        { "review_decide", """{"id":"x","decision":"maybe","reason":"r"}""", "decision" },
        { "review_decide", """{"id":"x","decision":"approve"}""", "reason" },
        { "analyze", """{"type":"postgres"}""", "input" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_argument_is_a_tool_error_with_a_clear_message(string tool, string arguments, string message)
    {
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token);

        var answer = await client.CallAsync(tool, System.Text.Json.Nodes.JsonNode.Parse(arguments));

        answer.IsError.Should().BeTrue(answer.Text);
        answer.Text.Should().Contain(message);
        // The session stays usable after a failed call.
        (await client.CallAsync("me_get")).IsError.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(SchemaViolations))]
    public async Task An_argument_outside_the_input_schema_is_a_tool_error_naming_it(string tool, string arguments, string named)
    {
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token);

        var answer = await client.CallAsync(tool, System.Text.Json.Nodes.JsonNode.Parse(arguments));

        answer.IsError.Should().BeTrue(answer.Text);
        answer.Text.Should().Contain(named).And.NotContain("An error occurred invoking");
        (await client.CallAsync("me_get")).IsError.Should().BeFalse();
    }

    [Fact]
    public async Task Optional_arguments_may_be_sent_as_null()
    {
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token);

        foreach (var (tool, arguments) in new[]
        {
            ("sessions_list", """{"connection":null,"type":null,"status":null,"risk_level":null,"page":null,"page_size":null}"""),
            ("reviews_list", """{"status":null,"waiting_for_me":null,"connection":null,"page":null,"page_size":null}"""),
            ("connections_list", """{"page":null,"page_size":null}"""),
            ("analyze", """{"input":"select 1","type":null,"connection":null}"""),
        })
        {
            var answer = await client.CallAsync(tool, System.Text.Json.Nodes.JsonNode.Parse(arguments));
            answer.IsError.Should().BeFalse($"{tool}: {answer.Text}");
        }
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
