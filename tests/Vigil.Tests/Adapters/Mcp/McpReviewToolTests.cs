using System.Diagnostics;
using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Mcp;

/// <summary>
/// The review flow as an agent lives it: <c>exec</c> answers <c>waiting_review</c>, the agent cannot approve its own
/// review, <c>review_wait</c> returns when a human decides, <c>review_execute</c> runs the command once. Over HTTP and
/// through <c>vigil mcp</c> (stdio), with a reviewer agent deciding through <c>review_decide</c>.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class McpReviewToolTests(GatewayFixture gateway) : IAsyncLifetime
{
    private static int s_nextId = 90_000 + Random.Shared.Next(0, 5_000) * 10;
    private readonly List<int> _rows = [];

    /// <summary>A fresh row id for this test, deleted again when it ends (other tests count the seeded rows).</summary>
    private int NewRow()
    {
        var row = Interlocked.Increment(ref s_nextId);
        _rows.Add(row);
        return row;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await using var direct = new NpgsqlConnection(gateway.DirectConnectionString());
        await direct.OpenAsync();
        await new NpgsqlCommand("DELETE FROM items WHERE id = ANY(@ids)", direct) { Parameters = { new NpgsqlParameter<int[]>("ids", [.. _rows]) } }.ExecuteNonQueryAsync();
    }

    private async Task<long> CountItemsAsync(int id)
    {
        await using var direct = new NpgsqlConnection(gateway.DirectConnectionString());
        await direct.OpenAsync();
        return (long)(await new NpgsqlCommand($"SELECT count(*) FROM items WHERE id = {id}", direct).ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task A_medium_risk_command_waits_for_review_while_a_human_approves_then_runs_once()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        var row = NewRow();
        await using var client = await gateway.ConnectHttpAsync(s.Requester.Token);

        var exec = await client.CallAsync("exec", new { connection = s.Connection, script = ReviewScenario.MediumInsert(row) });
        exec.Str("status").Should().Be("waiting_review");
        var review = exec.Json["review"]!["id"]!.GetValue<string>();
        exec.Str("next").Should().Contain($"review_wait with id \"{review}\"");

        var own = await client.CallAsync("review_decide", new { id = review, decision = "approve", reason = "I trust myself" });
        own.IsError.Should().BeTrue(own.Text);
        own.Text.Should().Contain("you cannot approve your own review").And.Contain("call review_wait");
        (await s.ReviewAsync(review))["status"]!.GetValue<string>().Should().Be("pending");

        var shown = await client.CallAsync("review_get", new { id = review });
        shown.Str("status").Should().Be("pending");
        shown.Str("input").Should().Be(ReviewScenario.MediumInsert(row));
        shown.Str("next").Should().Contain("review_wait");

        var clock = Stopwatch.StartNew();
        var waiting = client.CallAsync("review_wait", new { id = review, timeout_seconds = 60 });
        await Task.Delay(TimeSpan.FromSeconds(1));
        waiting.IsCompleted.Should().BeFalse("review_wait holds until a decision");
        var (status, body) = await s.DecideAsync(s.Reviewer, review, approve: true, "scoped insert");
        status.Should().Be(System.Net.HttpStatusCode.OK, body.ToJsonString());
        var decided = await waiting;
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "the wait ends when the review is decided, not at its timeout");
        decided.IsError.Should().BeFalse(decided.Text);
        decided.Str("status").Should().Be("approved");
        decided.Str("next").Should().Contain("review_execute");
        decided.Text.Should().StartWith($"review {review}: approved");
        (await CountItemsAsync(row)).Should().Be(0, "approval alone runs nothing");

        var executed = await client.CallAsync("review_execute", new { id = review });
        executed.IsError.Should().BeFalse(executed.Text);
        executed.Str("status").Should().Be("done");
        executed.Str("session_id").Should().Be(exec.Str("session_id"));
        (await CountItemsAsync(row)).Should().Be(1);

        var again = await client.CallAsync("review_execute", new { id = review });
        again.IsError.Should().BeTrue(again.Text);
        again.Text.Should().Contain("executed");
        (await CountItemsAsync(row)).Should().Be(1);
        (await client.CallAsync("review_get", new { id = review })).Str("next").Should().Contain("already ran");
        var listed = await client.CallAsync("reviews_list", new { status = "executed", connection = s.Connection });
        listed.Json["data"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).Should().Equal(review);

        var audit = await gateway.ToolCallAuditAsync(s.Requester.Name);
        audit.Select(a => (a!["resource"]!.GetValue<string>(), a["outcome"]!.GetValue<string>())).Should().Contain(
            [("exec", "success"), ("review_decide", "failure"), ("review_wait", "success"), ("review_execute", "success"), ("review_execute", "failure")]);
    }

    [Fact]
    public async Task Review_wait_answers_pending_with_guidance_when_its_timeout_passes()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        await using var client = await gateway.ConnectHttpAsync(s.Requester.Token);
        var exec = await client.CallAsync("exec", new { connection = s.Connection, script = ReviewScenario.MediumInsert(NewRow()) });
        var review = exec.Json["review"]!["id"]!.GetValue<string>();

        var clock = Stopwatch.StartNew();
        var waited = await client.CallAsync("review_wait", new { id = review, timeout_seconds = 2 });

        clock.Elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(1.5)).And.BeLessThan(TimeSpan.FromSeconds(10));
        waited.IsError.Should().BeFalse(waited.Text);
        waited.Str("status").Should().Be("pending");
        waited.Str("next").Should().Contain("Call review_wait again").And.Contain("do not submit the command again");
    }

    [Fact]
    public async Task Over_stdio_an_agent_lists_tools_runs_a_query_and_runs_a_command_a_reviewer_agent_approved()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        var row = NewRow();
        await using var agent = await gateway.ConnectStdioAsync(s.Requester.Token);
        await using var reviewer = await gateway.ConnectHttpAsync(s.Reviewer.Token);

        var tools = (await agent.ListToolsAsync()).Select(t => t.Name).ToList();
        tools.Should().Contain(["connections_list", "connection_get", "connection_schemas", "connection_tables", "connection_columns", "exec",
            "sessions_list", "session_get", "session_result", "reviews_list", "review_get", "review_wait", "review_execute", "review_decide", "analyze"]);
        var connections = await agent.CallAsync("connections_list");
        connections.Json["data"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().Equal(s.Connection);
        var read = await agent.CallAsync("exec", new { connection = s.Connection, script = "SELECT count(*) AS n FROM items WHERE id = 1" });
        read.Str("status").Should().Be("done");
        read.Str("output").Should().Contain(" n \n---\n 1\n(1 row)");

        var exec = await agent.CallAsync("exec", new { connection = s.Connection, script = ReviewScenario.MediumInsert(row) });
        exec.Str("status").Should().Be("waiting_review");
        var review = exec.Json["review"]!["id"]!.GetValue<string>();
        var mine = await reviewer.CallAsync("reviews_list", new { waiting_for_me = true });
        mine.Json["data"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).Should().Contain(review);
        var approved = await reviewer.CallAsync("review_decide", new { id = review, decision = "approve", reason = "one row, fine" });
        approved.IsError.Should().BeFalse(approved.Text);
        approved.Str("status").Should().Be("approved");
        approved.Json["decisions"]![0]!["reason"]!.GetValue<string>().Should().Be("one row, fine");

        var waited = await agent.CallAsync("review_wait", new { id = review, timeout_seconds = 10 });
        waited.Str("status").Should().Be("approved");
        var executed = await agent.CallAsync("review_execute", new { id = review });
        executed.Str("status").Should().Be("done");
        (await CountItemsAsync(row)).Should().Be(1);

        var sessions = await gateway.McpSessionsAsync(s.Connection);
        sessions.Should().HaveCount(2).And.AllSatisfy(x => x!["client_name"]!.GetValue<string>().Should().Be(McpClients.Agent.Name));
        (await gateway.ToolCallAuditAsync(s.Reviewer.Name)).Select(a => a!["resource"]!.GetValue<string>()).Should().Contain(["reviews_list", "review_decide"]);
        (await gateway.ToolCallAuditAsync(s.Requester.Name)).Select(a => a!["resource"]!.GetValue<string>())
            .Should().Contain(["connections_list", "exec", "review_wait", "review_execute"]);
    }
}
