using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Npgsql;
using Vigil.Postgres.Protocol;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Reviews;

/// <summary>
/// Reviews of statements sent by native PostgreSQL clients through the proxy: 42501 naming the review and its link,
/// the approved text running once for the same identity, and the optional hold that needs no retry.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed partial class NativeReviewTests(GatewayFixture gateway)
{
    private static int s_nextId = 80_000 + Random.Shared.Next(0, 10_000) * 10;

    private static int NextId() => Interlocked.Add(ref s_nextId, 1);

    private async Task<NpgsqlConnection> OpenAsync(ReviewScenario s, Identities.Created who)
    {
        var connection = new NpgsqlConnection(gateway.ProxyConnectionStringFor(s.Connection, who.Token) + ";Include Error Detail=true");
        await connection.OpenAsync();
        return connection;
    }

    private static async Task<PostgresException> RefusedAsync(NpgsqlConnection connection, string sql) =>
        (await FluentActions.Awaiting(() => new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync()).Should().ThrowAsync<PostgresException>()).Which;

    [Fact]
    public async Task A_statement_needing_approval_names_its_review_and_runs_once_after_approval()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        var sql = ReviewScenario.MediumInsert(NextId());
        await using var client = await OpenAsync(s, s.Requester);

        var refused = await RefusedAsync(client, sql);
        refused.SqlState.Should().Be("42501");
        var reviewId = ReviewIdPattern().Match(refused.MessageText).Groups[1].Value;
        reviewId.Should().NotBeEmpty(refused.MessageText);
        refused.MessageText.Should().StartWith("vigil: approval required by AI session analyzer: ")
            .And.Contain($"{gateway.HttpAddress}/api/reviews/{reviewId}");
        (await new NpgsqlCommand("SELECT 1", client).ExecuteScalarAsync()).Should().Be(1, "the session stays usable");

        (await s.DecideAsync(s.Reviewer, reviewId, approve: true)).Status.Should().Be(HttpStatusCode.OK);
        (await new NpgsqlCommand(sql, client).ExecuteNonQueryAsync()).Should().Be(1);
        (await s.ReviewAsync(reviewId))["status"]!.GetValue<string>().Should().Be("executed");

        var again = await RefusedAsync(client, sql);
        ReviewIdPattern().Match(again.MessageText).Groups[1].Value.Should().NotBe(reviewId, "the approval was used once");
    }

    [Fact]
    public async Task The_approval_does_not_cover_another_identity_or_another_text()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        var sql = ReviewScenario.MediumInsert(NextId());
        await using var requester = await OpenAsync(s, s.Requester);
        var reviewId = ReviewIdPattern().Match((await RefusedAsync(requester, sql)).MessageText).Groups[1].Value;
        await s.DecideAsync(s.Reviewer, reviewId, approve: true);

        await using var outsider = await OpenAsync(s, s.Outsider);
        (await RefusedAsync(outsider, sql)).SqlState.Should().Be("42501");
        (await RefusedAsync(requester, sql.Replace("'reviewed'", "'changed'"))).SqlState.Should().Be("42501");
        (await s.ReviewAsync(reviewId))["status"]!.GetValue<string>().Should().Be("approved", "neither used it");
        (await new NpgsqlCommand(sql, requester).ExecuteNonQueryAsync()).Should().Be(1);
    }

    [Fact]
    public async Task With_hold_seconds_the_statement_waits_for_the_decision_and_runs_without_a_retry()
    {
        var s = await ReviewScenario.CreateAsync(gateway, ruleFields: new() { ["hold_seconds"] = 20 });
        var sql = ReviewScenario.MediumInsert(NextId());
        await using var client = await OpenAsync(s, s.Requester);

        var watch = Stopwatch.StartNew();
        var running = new NpgsqlCommand(sql, client).ExecuteNonQueryAsync();
        var reviewId = await PendingReviewIdAsync(s);
        await Task.Delay(300);
        running.IsCompleted.Should().BeFalse("the proxy holds the statement");
        (await s.DecideAsync(s.Reviewer, reviewId, approve: true)).Status.Should().Be(HttpStatusCode.OK);

        (await running).Should().Be(1);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        (await s.ReviewAsync(reviewId))["status"]!.GetValue<string>().Should().Be("executed");
    }

    [Fact]
    public async Task An_allowed_query_sent_before_a_held_one_is_answered_without_waiting_for_its_decision()
    {
        var s = await ReviewScenario.CreateAsync(gateway, ruleFields: new() { ["hold_seconds"] = 20 });
        await using var client = await RawPgClient.ConnectAsync(gateway.PgPort);
        await client.LoginAsync(s.Connection, s.Requester.Token);

        // Both Query messages in one write: the proxy reads them together, and the second waits for a reviewer.
        await client.SendAsync(w =>
        {
            FrontendMessageWriter.WriteQuery(w, "SELECT 'first'");
            FrontendMessageWriter.WriteQuery(w, ReviewScenario.MediumInsert(NextId()));
        });
        var watch = Stopwatch.StartNew();
        var codes = new List<byte>();
        while (codes.LastOrDefault() != BackendMessageCode.ReadyForQuery)
        {
            codes.Add((await client.ReadAsync(TimeSpan.FromSeconds(5))).Code);
        }
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "the first query does not wait for the second's review");
        codes.Should().Contain(BackendMessageCode.DataRow).And.Contain(BackendMessageCode.CommandComplete);

        var reviewId = await PendingReviewIdAsync(s);
        await s.DecideAsync(s.Reviewer, reviewId, approve: false, "no");
        (await client.ReadErrorAsync()).Message.Should().StartWith($"vigil: review {reviewId} rejected");
    }

    [Fact]
    public async Task A_held_statement_that_is_rejected_is_refused_with_the_reason()
    {
        var s = await ReviewScenario.CreateAsync(gateway, ruleFields: new() { ["hold_seconds"] = 20 });
        await using var client = await OpenAsync(s, s.Requester);

        var running = new NpgsqlCommand(ReviewScenario.MediumInsert(NextId()), client).ExecuteNonQueryAsync();
        var reviewId = await PendingReviewIdAsync(s);
        await s.DecideAsync(s.Reviewer, reviewId, approve: false, "not during business hours");

        var refused = (await FluentActions.Awaiting(() => running).Should().ThrowAsync<PostgresException>()).Which;
        refused.SqlState.Should().Be("42501");
        refused.MessageText.Should().Be($"vigil: review {reviewId} rejected by {s.Reviewer.Name}");
        refused.Detail.Should().Be("not during business hours");
        (await new NpgsqlCommand("SELECT 1", client).ExecuteScalarAsync()).Should().Be(1);
    }

    [Fact]
    public async Task A_hold_that_runs_out_answers_with_the_pending_review()
    {
        var s = await ReviewScenario.CreateAsync(gateway, ruleFields: new() { ["hold_seconds"] = 1 });
        await using var client = await OpenAsync(s, s.Requester);
        var watch = Stopwatch.StartNew();
        var refused = await RefusedAsync(client, ReviewScenario.MediumInsert(NextId()));
        watch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(0.9));
        refused.MessageText.Should().Contain("approval required");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(301)]
    public async Task Hold_seconds_is_bounded(int hold)
    {
        var act = () => gateway.CreateRuleOnNewConnectionAsync(new() { ["hold_seconds"] = hold });
        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("field 'hold_seconds' must be between 0 and 300");
    }

    private async Task<string> PendingReviewIdAsync(ReviewScenario s)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var (_, body) = await s.SendAsync(s.Reviewer, HttpMethod.Get, $"/api/reviews?connection={s.Connection}&status=pending");
            if (body["data"]!.AsArray().FirstOrDefault() is { } review)
            {
                return review["id"]!.GetValue<string>();
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("no pending review appeared");
    }

    [GeneratedRegex(@"\(review ([0-9a-f-]{36})")]
    private static partial Regex ReviewIdPattern();
}
