using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Mcp;

/// <summary>
/// <c>exec</c> through the gates (masked, blocked), then <c>session_get</c>, <c>session_result</c>, <c>sessions_list</c> and
/// <c>analyze</c>, as an agent that may use the connection.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class McpSessionToolTests(GatewayFixture gateway)
{
    private const string Email = "ada.lovelace@example.com";

    [Fact]
    public async Task A_low_risk_query_runs_with_masked_output_and_the_session_tools_show_it_masked()
    {
        var dev = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([dev]);
        (await gateway.Http.PostAsJsonAsync("/api/datamasking-rules", new
        {
            name = Identities.Unique("mask"),
            connection_names = new[] { connection },
            supported_entity_types = new object[] { new { name = "contact", entity_types = new[] { "EMAIL_ADDRESS" } } },
        })).EnsureSuccessStatusCode();
        var agent = await gateway.CreateServiceAccountAsync([dev]);
        await using var client = await gateway.ConnectHttpAsync(agent.Token);

        await using (var direct = new NpgsqlConnection(gateway.DirectConnectionString()))
        {
            await direct.OpenAsync();
            await new NpgsqlCommand(
                $"""
                CREATE TABLE IF NOT EXISTS mcp_notes (id int PRIMARY KEY, note text);
                INSERT INTO mcp_notes VALUES (1, 'write to {Email}') ON CONFLICT DO NOTHING;
                GRANT SELECT ON mcp_notes TO app;
                """, direct).ExecuteNonQueryAsync();
        }

        var exec = await client.CallAsync("exec", new { connection, script = "select note, 42 as answer from mcp_notes where id = 1" });

        exec.IsError.Should().BeFalse(exec.Text);
        exec.Str("status").Should().Be("done");
        exec.Json["ai_analysis"]!["risk_level"]!.GetValue<string>().Should().Be("low");
        exec.Str("output").Should().Contain("<EMAIL_ADDRESS>").And.NotContain(Email);
        var id = exec.Str("session_id");

        var session = await client.CallAsync("session_get", new { id });
        session.IsError.Should().BeFalse(session.Text);
        session.Str("status").Should().Be("done");
        session.Str("tool").Should().Be("exec");
        session.Str("type").Should().Be("mcp");
        session.Str("client_name").Should().Be(McpClients.Agent.Name);
        session.Json["masking_info"]!["EMAIL_ADDRESS"]!.GetValue<long>().Should().Be(1);
        session.Text.Should().StartWith("status: done").And.Contain("tool: exec").And.Contain("<EMAIL_ADDRESS>").And.NotContain(Email);

        var result = await client.CallAsync("session_result", new { id });
        result.IsError.Should().BeFalse(result.Text);
        var statement = result.Json["statements"]!.AsArray().Single()!;
        statement["columns"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().Equal("note", "answer");
        statement["result_rows"]![0]![0]!.GetValue<string>().Should().Be("write to <EMAIL_ADDRESS>");
        statement["result_rows"]![0]![1]!.GetValue<string>().Should().Be("42");
        result.Text.Should().Contain("           note           | answer \n").And.Contain(" write to <EMAIL_ADDRESS> |     42\n").And.Contain("(1 row)").And.NotContain(Email);

        var listed = await client.CallAsync("sessions_list", new { connection, type = "mcp", status = "done" });
        listed.Json["data"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).Should().Equal(id);
        (await client.CallAsync("sessions_list", new { connection, status = "running" })).Json["data"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task A_high_risk_command_is_blocked_with_the_analyzers_title_and_explanation()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        await using var client = await gateway.ConnectHttpAsync(s.Requester.Token);

        var blocked = await client.CallAsync("exec", new { connection = s.Connection, script = "DROP TABLE items" });

        blocked.IsError.Should().BeFalse("a refusal is an answer, not a tool failure");
        blocked.Str("status").Should().Be("blocked");
        var analysis = blocked.Json["ai_analysis"]!;
        analysis["risk_level"]!.GetValue<string>().Should().Be("high");
        analysis["action"]!.GetValue<string>().Should().Be("block");
        blocked.Text.Should().Contain(analysis["title"]!.GetValue<string>()).And.Contain(analysis["explanation"]!.GetValue<string>());
        blocked.Str("next").Should().Contain("Do not retry");
        await using (var direct = new NpgsqlConnection(gateway.DirectConnectionString()))
        {
            await direct.OpenAsync();
            (await new NpgsqlCommand("SELECT to_regclass('public.items') IS NOT NULL", direct).ExecuteScalarAsync()).Should().Be(true);
        }

        var session = await client.CallAsync("session_get", new { id = blocked.Str("session_id") });
        session.Str("status").Should().Be("blocked");
        var result = await client.CallAsync("session_result", new { id = blocked.Str("session_id") });
        result.Json["statements"]!.AsArray().Should().BeEmpty();
        result.Text.Should().Contain("No statement ran");
        var listed = await client.CallAsync("sessions_list", new { connection = s.Connection, risk_level = "high" });
        listed.Json["data"]!.AsArray().Select(x => x!["status"]!.GetValue<string>()).Should().Equal("blocked");
    }

    [Fact]
    public async Task Analyze_classifies_without_running_and_says_what_the_connection_would_do()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        await using var client = await gateway.ConnectHttpAsync(s.Requester.Token);

        var drop = await client.CallAsync("analyze", new { input = "DROP TABLE items", connection = s.Connection });
        drop.IsError.Should().BeFalse(drop.Text);
        drop.Str("risk_level").Should().Be("high");
        drop.Str("action").Should().Be("block");
        drop.Str("next").Should().Contain("exec would refuse");
        drop.Text.Should().StartWith("risk: high: ");

        var insert = await client.CallAsync("analyze", new { input = ReviewScenario.MediumInsert(1), connection = s.Connection });
        insert.Str("action").Should().Be("require_approval");
        insert.Str("next").Should().Contain("waiting_review");

        var shell = await client.CallAsync("analyze", new { type = "shell", input = "rm -rf /" });
        shell.Str("risk_level").Should().Be("high");
        shell.Str("next").Should().Contain("No connection given");

        await gateway.FlushRecordingAsync();
        var sessions = (await gateway.Http.GetFromJsonAsync<JsonNode>($"/api/sessions?connection={s.Connection}"))!["data"]!.AsArray();
        sessions.Should().BeEmpty("analyze runs nothing");
    }

    [Fact]
    public async Task Session_result_shows_each_statement_with_its_table_or_its_error_once()
    {
        var dev = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([dev]);
        await using var client = await gateway.ConnectHttpAsync((await gateway.CreateServiceAccountAsync([dev])).Token);

        var failed = await client.CallAsync("exec", new { connection, script = "select id from items where id < 3 order by id; select 1/0" });
        failed.Str("status").Should().Be("failed");
        failed.Str("next").Should().Contain("fix the command");

        var result = await client.CallAsync("session_result", new { id = failed.Str("session_id") });
        var statements = result.Json["statements"]!.AsArray();
        statements.Select(x => x!["text"]!.GetValue<string>()).Should().Equal("select id from items where id < 3 order by id", "select 1/0");
        statements[0]!["command_tag"]!.GetValue<string>().Should().Be("SELECT 2");
        statements[1]!["sqlstate"]!.GetValue<string>().Should().Be("22012");
        result.Text.Should().Contain("=> select id from items where id < 3 order by id\n id \n----\n  1\n  2\n(2 rows)\n\n=> select 1/0\n");
        result.Text.Split("division by zero").Should().HaveCount(2, "the error is shown once: " + result.Text);
        result.Text.Should().Contain("ERROR:  division by zero (SQLSTATE 22012)");
    }
}
