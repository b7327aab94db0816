using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Analysis;

/// <summary>
/// Exec sessions under an analyzer rule (low allow, medium require_approval, high block) with no provider configured:
/// the static analyzer decides, and the verdict is stored on the session.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ExecAnalysisTests(GatewayFixture gateway)
{
    private async Task<(HttpStatusCode Status, JsonNode Body)> ExecAsync(string connection, string script)
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection, script });
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task High_risk_is_blocked_and_nothing_runs()
    {
        var (connection, rule) = await gateway.CreateRuleOnNewConnectionAsync();
        await using (var direct = new NpgsqlConnection(gateway.DirectConnectionString()))
        {
            await direct.OpenAsync();
            await new NpgsqlCommand("CREATE TABLE IF NOT EXISTS analyzer_victim (id int); GRANT ALL ON analyzer_victim TO app", direct).ExecuteNonQueryAsync();
        }
        var (status, body) = await ExecAsync(connection, "DROP TABLE analyzer_victim");
        status.Should().Be(HttpStatusCode.OK);
        body["status"]!.GetValue<string>().Should().Be("blocked");
        body["exit_code"]!.GetValue<int>().Should().Be(2);
        var analysis = body["ai_analysis"]!;
        analysis["risk_level"]!.GetValue<string>().Should().Be("high");
        analysis["action"]!.GetValue<string>().Should().Be("block");
        analysis["source"]!.GetValue<string>().Should().Be("static");
        analysis["rule"]!.GetValue<string>().Should().Be(rule);
        analysis["evidence"]!.GetValue<string>().Should().NotBeEmpty();
        var title = analysis["title"]!.GetValue<string>();
        body["output"]!.GetValue<string>().Should().StartWith($"vigil: blocked by AI session analyzer: {title}\n")
            .And.Contain(analysis["explanation"]!.GetValue<string>());

        await using (var direct = new NpgsqlConnection(gateway.DirectConnectionString()))
        {
            await direct.OpenAsync();
            (await new NpgsqlCommand("SELECT to_regclass('analyzer_victim') IS NOT NULL", direct).ExecuteScalarAsync()).Should().Be(true);
        }
        var session = await gateway.LatestSessionAsync(connection, "exec");
        session.Status.Should().Be("blocked");
        session.AiAnalysis!.RiskLevel.Should().Be("high");
        session.Events!.Select(e => e.Kind).Should().Equal("input", "blocked");
        session.Events![1].AiAnalysis!.Title.Should().Be(title);
    }

    [Fact]
    public async Task Medium_risk_waits_for_review_with_a_pending_review_record()
    {
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync();
        var (status, body) = await ExecAsync(connection, "INSERT INTO items (id, name) VALUES (9001, 'pending')");
        status.Should().Be(HttpStatusCode.Accepted);
        body["status"]!.GetValue<string>().Should().Be("waiting_review");
        body["exit_code"]!.GetValue<int>().Should().Be(4);
        body["ai_analysis"]!["risk_level"]!.GetValue<string>().Should().Be("medium");
        body["ai_analysis"]!["action"]!.GetValue<string>().Should().Be("require_approval");
        var reviewId = body["review"]!["id"]!.GetValue<string>();
        body["review"]!["status"]!.GetValue<string>().Should().Be("pending");
        body["output"]!.GetValue<string>().Should().Contain($"review {reviewId}");

        var session = await gateway.LatestSessionAsync(connection, "exec");
        session.Status.Should().Be("waiting_review");
        session.Review!.Id.Should().Be(reviewId);
        await using var direct = new NpgsqlConnection(gateway.DirectConnectionString());
        await direct.OpenAsync();
        (await new NpgsqlCommand("SELECT count(*) FROM items WHERE id = 9001", direct).ExecuteScalarAsync()).Should().Be(0L);
    }

    [Fact]
    public async Task Low_risk_runs_and_the_verdict_is_kept_on_the_session_list_detail_and_export()
    {
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync();
        var (status, body) = await ExecAsync(connection, "SELECT name FROM items WHERE id = 7");
        status.Should().Be(HttpStatusCode.OK);
        body["status"]!.GetValue<string>().Should().Be("done");
        body["ai_analysis"]!["risk_level"]!.GetValue<string>().Should().Be("low");
        body["ai_analysis"]!["action"]!.GetValue<string>().Should().Be("allow");
        var id = body["id"]!.GetValue<string>();

        await gateway.FlushRecordingAsync();
        var lows = await gateway.Http.GetFromJsonAsync<JsonNode>($"/api/sessions?connection={connection}&risk_level=low");
        lows!["data"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).Should().Contain(id);
        lows["data"]![0]!["ai_analysis"]!["risk_level"]!.GetValue<string>().Should().Be("low");
        var highs = await gateway.Http.GetFromJsonAsync<JsonNode>($"/api/sessions?connection={connection}&risk_level=high");
        highs!["data"]!.AsArray().Should().BeEmpty();
        (await gateway.Http.GetAsync("/api/sessions?risk_level=extreme")).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var csv = await gateway.Http.GetStringAsync($"/api/sessions/{id}/export?format=csv");
        csv.Split("\r\n")[0].Should().Contain("risk_level,title,action,source");
        csv.Should().Contain(",low,");
        var json = await gateway.Http.GetFromJsonAsync<JsonNode>($"/api/sessions/{id}/export?format=json");
        json!["ai_analysis"]!["risk_level"]!.GetValue<string>().Should().Be("low");
    }

    [Fact]
    public async Task Connections_without_a_rule_are_analyzed_and_allowed()
    {
        var (status, body) = await ExecAsync("pg", "DELETE FROM items WHERE true AND id < 0");
        status.Should().Be(HttpStatusCode.OK);
        body["status"]!.GetValue<string>().Should().Be("done");
        body["ai_analysis"]!["action"]!.GetValue<string>().Should().Be("allow");
        body["ai_analysis"]!["rule"].Should().BeNull();
    }

    [Fact]
    public async Task A_rule_change_applies_to_the_next_command()
    {
        var (connection, rule) = await gateway.CreateRuleOnNewConnectionAsync();
        (await ExecAsync(connection, "SELECT 1")).Body["status"]!.GetValue<string>().Should().Be("done");
        (await gateway.Http.PutAsJsonAsync($"/api/ai/session-analyzer/rules/{rule}", new
        {
            connection_names = new[] { connection },
            risk_evaluation = new { low_risk_action = "block", medium_risk_action = "block", high_risk_action = "block" },
        })).EnsureSuccessStatusCode();
        (await ExecAsync(connection, "SELECT 1")).Body["status"]!.GetValue<string>().Should().Be("blocked");
    }
}
