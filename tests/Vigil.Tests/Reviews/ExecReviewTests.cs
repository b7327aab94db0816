using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Reviews;

/// <summary>
/// One-time reviews of exec commands end to end through the HTTP API: a medium-risk command waits, a reviewer
/// decides, the requester executes exactly the reviewed input once, in the session that asked.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ExecReviewTests(GatewayFixture gateway)
{
    private static int s_nextId = 70_000 + Random.Shared.Next(0, 10_000) * 10;

    private static int NextId() => Interlocked.Add(ref s_nextId, 1);

    private async Task<long> CountItemsAsync(int id)
    {
        await using var direct = new NpgsqlConnection(gateway.DirectConnectionString());
        await direct.OpenAsync();
        return (long)(await new NpgsqlCommand($"SELECT count(*) FROM items WHERE id = {id}", direct).ExecuteScalarAsync())!;
    }

    private static async Task<string> WaitingReviewAsync(ReviewScenario s, string script)
    {
        var (status, body) = await s.ExecAsync(s.Requester, script);
        status.Should().Be(HttpStatusCode.Accepted, body.ToJsonString());
        return body["review"]!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task Approved_command_runs_once_in_the_session_that_asked_for_it()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        var id = NextId();
        var (status, body) = await s.ExecAsync(s.Requester, ReviewScenario.MediumInsert(id));

        status.Should().Be(HttpStatusCode.Accepted);
        body["status"]!.GetValue<string>().Should().Be("waiting_review");
        var review = body["review"]!;
        var reviewId = review["id"]!.GetValue<string>();
        review["url"]!.GetValue<string>().Should().Be($"{gateway.HttpAddress}/api/reviews/{reviewId}");
        DateTimeOffset.Parse(review["expires_at"]!.GetValue<string>()).Should().BeCloseTo(DateTimeOffset.UtcNow.AddMinutes(30), TimeSpan.FromMinutes(1));
        body["output"]!.GetValue<string>().Should().Contain(reviewId).And.Contain(body["ai_analysis"]!["title"]!.GetValue<string>());

        var (_, waiting) = await s.SendAsync(s.Reviewer, HttpMethod.Get, "/api/reviews?waiting_for_me=true");
        waiting["data"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).Should().Contain(reviewId);
        var (_, shown) = await s.SendAsync(s.Reviewer, HttpMethod.Get, $"/api/reviews/{reviewId}");
        shown["input"]!.GetValue<string>().Should().Be(ReviewScenario.MediumInsert(id));
        shown["input_sha256"]!.GetValue<string>().Should().Be(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ReviewScenario.MediumInsert(id)))));
        shown["ai_analysis"]!["risk_level"]!.GetValue<string>().Should().Be("medium");
        shown["reviewer_groups"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Equal(s.ReviewerGroup);
        shown["requested_by"]!.GetValue<string>().Should().Be(s.Requester.Name);
        shown["session_id"]!.GetValue<string>().Should().Be(body["id"]!.GetValue<string>());

        var (approveStatus, approved) = await s.DecideAsync(s.Reviewer, reviewId, approve: true, "looks scoped");
        approveStatus.Should().Be(HttpStatusCode.OK, approved.ToJsonString());
        approved["status"]!.GetValue<string>().Should().Be("approved");
        approved["decisions"]!.AsArray().Should().ContainSingle();
        approved["decisions"]![0]!["by"]!.GetValue<string>().Should().Be(s.Reviewer.Name);
        approved["decisions"]![0]!["reason"]!.GetValue<string>().Should().Be("looks scoped");
        (await CountItemsAsync(id)).Should().Be(0, "approval alone runs nothing");

        var (executeStatus, executed) = await s.SendAsync(s.Requester, HttpMethod.Post, $"/api/reviews/{reviewId}/execute");
        executeStatus.Should().Be(HttpStatusCode.OK, executed.ToJsonString());
        executed["status"]!.GetValue<string>().Should().Be("done");
        executed["exit_code"]!.GetValue<int>().Should().Be(0);
        executed["id"]!.GetValue<string>().Should().Be(body["id"]!.GetValue<string>());
        (await CountItemsAsync(id)).Should().Be(1);

        var (againStatus, again) = await s.SendAsync(s.Requester, HttpMethod.Post, $"/api/reviews/{reviewId}/execute");
        againStatus.Should().Be(HttpStatusCode.Conflict);
        again["detail"]!.GetValue<string>().Should().Contain("executed");
        (await CountItemsAsync(id)).Should().Be(1);
        (await s.ReviewAsync(reviewId))["status"]!.GetValue<string>().Should().Be("executed");

        var session = await gateway.LatestSessionAsync(s.Connection, "exec");
        session.Id.Should().Be(body["id"]!.GetValue<string>());
        session.Status.Should().Be("done");
        session.Events!.Select(e => e.Kind).Should().Equal("input", "blocked", "approved", "statement", "output");
        session.Events![2].Message.Should().Be($"review {reviewId} approved by {s.Reviewer.Name}");
        session.Events!.Select(e => e.Seq).Should().Equal(1, 2, 3, 4, 5);
    }

    [Fact]
    public async Task Only_reviewers_other_than_the_requester_decide()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        var reviewId = await WaitingReviewAsync(s, ReviewScenario.MediumInsert(NextId()));

        var (self, selfBody) = await s.DecideAsync(s.Requester, reviewId, approve: true);
        self.Should().Be(HttpStatusCode.Forbidden);
        selfBody["detail"]!.GetValue<string>().Should().Be("you cannot approve your own review");

        var (outsider, _) = await s.DecideAsync(s.Outsider, reviewId, approve: true);
        outsider.Should().Be(HttpStatusCode.NotFound, "a user who may neither decide nor audit does not see the review");

        var (auditor, auditorBody) = await s.DecideAsync(s.Auditor, reviewId, approve: true);
        auditor.Should().Be(HttpStatusCode.Forbidden);
        auditorBody["detail"]!.GetValue<string>().Should().Contain(s.ReviewerGroup);

        var (early, earlyBody) = await s.SendAsync(s.Requester, HttpMethod.Post, $"/api/reviews/{reviewId}/execute");
        early.Should().Be(HttpStatusCode.Conflict);
        earlyBody["detail"]!.GetValue<string>().Should().Contain("pending");

        (await s.ReviewAsync(reviewId))["status"]!.GetValue<string>().Should().Be("pending");
        (await gateway.Http.PostAsync($"/api/reviews/{reviewId}/approve", null)).StatusCode.Should().Be(HttpStatusCode.OK, "admins may always decide");
    }

    [Fact]
    public async Task One_rejection_rejects_and_the_session_ends_rejected()
    {
        var s = await ReviewScenario.CreateAsync(gateway, new { min_approvals = 2 });
        var id = NextId();
        var reviewId = await WaitingReviewAsync(s, ReviewScenario.MediumInsert(id));

        (await s.DecideAsync(s.Reviewer, reviewId, approve: true)).Status.Should().Be(HttpStatusCode.OK);
        var (rejectStatus, rejected) = await s.DecideAsync(s.SecondReviewer, reviewId, approve: false, "wrong table");
        rejectStatus.Should().Be(HttpStatusCode.OK);
        rejected["status"]!.GetValue<string>().Should().Be("rejected");

        (await s.SendAsync(s.Requester, HttpMethod.Post, $"/api/reviews/{reviewId}/execute")).Status.Should().Be(HttpStatusCode.Conflict);
        (await CountItemsAsync(id)).Should().Be(0);
        var session = await gateway.LatestSessionAsync(s.Connection, "exec");
        session.Status.Should().Be("rejected");
        session.ExitCode.Should().Be(3);
        session.Reason.Should().Be($"review {reviewId} rejected by {s.SecondReviewer.Name}: wrong table");
    }

    [Fact]
    public async Task Min_approvals_counts_distinct_reviewers()
    {
        var s = await ReviewScenario.CreateAsync(gateway, new { min_approvals = 2 });
        var reviewId = await WaitingReviewAsync(s, ReviewScenario.MediumInsert(NextId()));

        var (first, firstBody) = await s.DecideAsync(s.Reviewer, reviewId, approve: true);
        first.Should().Be(HttpStatusCode.OK);
        firstBody["status"]!.GetValue<string>().Should().Be("pending");
        firstBody["min_approvals"]!.GetValue<int>().Should().Be(2);

        var (twice, twiceBody) = await s.DecideAsync(s.Reviewer, reviewId, approve: true);
        twice.Should().Be(HttpStatusCode.Conflict);
        twiceBody["detail"]!.GetValue<string>().Should().Be("you already decided this review");

        var (second, secondBody) = await s.DecideAsync(s.SecondReviewer, reviewId, approve: true);
        second.Should().Be(HttpStatusCode.OK);
        secondBody["status"]!.GetValue<string>().Should().Be("approved");
        secondBody["decisions"]!.AsArray().Select(d => d!["by"]!.GetValue<string>()).Should().BeEquivalentTo([s.Reviewer.Name, s.SecondReviewer.Name]);
    }

    [Fact]
    public async Task Two_reviewers_deciding_at_once_one_wins_consistently()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        for (var round = 0; round < 5; round++)
        {
            var reviewId = await WaitingReviewAsync(s, ReviewScenario.MediumInsert(NextId()));
            var results = await Task.WhenAll(s.DecideAsync(s.Reviewer, reviewId, approve: true), s.DecideAsync(s.SecondReviewer, reviewId, approve: false));

            results.Count(r => r.Status == HttpStatusCode.OK).Should().Be(1, $"round {round}: {results[0].Body.ToJsonString()} / {results[1].Body.ToJsonString()}");
            results.Count(r => r.Status == HttpStatusCode.Conflict).Should().Be(1);
            var winner = results.Single(r => r.Status == HttpStatusCode.OK).Body["status"]!.GetValue<string>();
            var stored = await s.ReviewAsync(reviewId);
            stored["status"]!.GetValue<string>().Should().Be(winner);
            stored["decisions"]!.AsArray().Should().ContainSingle("the loser's decision is not recorded");
        }
    }

    [Fact]
    public async Task Two_executions_at_once_run_the_command_once()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        var id = NextId();
        var reviewId = await WaitingReviewAsync(s, ReviewScenario.MediumInsert(id));
        await s.DecideAsync(s.Reviewer, reviewId, approve: true);

        var results = await Task.WhenAll(
            s.SendAsync(s.Requester, HttpMethod.Post, $"/api/reviews/{reviewId}/execute"),
            s.SendAsync(s.Requester, HttpMethod.Post, $"/api/reviews/{reviewId}/execute"),
            s.ExecAsync(s.Requester, ReviewScenario.MediumInsert(id)));

        results.Count(r => r.Status == HttpStatusCode.OK).Should().Be(1, string.Join(" / ", results.Select(r => r.Body.ToJsonString())));
        (await CountItemsAsync(id)).Should().Be(1);
    }

    [Fact]
    public async Task A_pending_review_expires_and_the_command_never_runs()
    {
        var s = await ReviewScenario.CreateAsync(gateway, new { review_timeout = "2s" });
        var id = NextId();
        var (_, body) = await s.ExecAsync(s.Requester, ReviewScenario.MediumInsert(id));
        var reviewId = body["review"]!["id"]!.GetValue<string>();

        var watch = Stopwatch.StartNew();
        var (_, waited) = await s.SendAsync(s.Requester, HttpMethod.Get, $"/api/reviews/{reviewId}?wait=20s");
        watch.Stop();
        waited["status"]!.GetValue<string>().Should().Be("expired");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(6), "the expiry sweep wakes the long poll");

        var (late, lateBody) = await s.DecideAsync(s.Reviewer, reviewId, approve: true);
        late.Should().Be(HttpStatusCode.Conflict);
        lateBody["detail"]!.GetValue<string>().Should().Contain("expired");
        (await s.SendAsync(s.Requester, HttpMethod.Post, $"/api/reviews/{reviewId}/execute")).Status.Should().Be(HttpStatusCode.Conflict);
        (await CountItemsAsync(id)).Should().Be(0);
        var session = await gateway.LatestSessionAsync(s.Connection, "exec");
        session.Status.Should().Be("expired");
        session.ExitCode.Should().Be(3);
    }

    [Fact]
    public async Task An_unused_approval_lapses_after_the_review_timeout()
    {
        var s = await ReviewScenario.CreateAsync(gateway, new { review_timeout = "2s" });
        var id = NextId();
        var reviewId = await WaitingReviewAsync(s, ReviewScenario.MediumInsert(id));
        (await s.DecideAsync(s.Reviewer, reviewId, approve: true)).Body["status"]!.GetValue<string>().Should().Be("approved");

        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var (status, body) = await s.SendAsync(s.Requester, HttpMethod.Post, $"/api/reviews/{reviewId}/execute");
        status.Should().Be(HttpStatusCode.Conflict);
        body["detail"]!.GetValue<string>().Should().Contain("expired");
        (await CountItemsAsync(id)).Should().Be(0);
    }

    [Fact]
    public async Task The_approval_is_bound_to_the_exact_input_the_requester_and_one_use()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        var id = NextId();
        var script = ReviewScenario.MediumInsert(id);
        var reviewId = await WaitingReviewAsync(s, script);
        (await s.DecideAsync(s.Reviewer, reviewId, approve: true)).Status.Should().Be(HttpStatusCode.OK);

        var (changed, changedBody) = await s.ExecAsync(s.Requester, script + " ");
        changed.Should().Be(HttpStatusCode.Accepted, "a changed input needs a review of its own");
        changedBody["review"]!["id"]!.GetValue<string>().Should().NotBe(reviewId);

        var (other, _) = await s.ExecAsync(s.Outsider, script);
        other.Should().Be(HttpStatusCode.Accepted, "someone else's identical command is not covered");

        var (same, sameBody) = await s.ExecAsync(s.Requester, script);
        same.Should().Be(HttpStatusCode.OK, sameBody.ToJsonString());
        sameBody["status"]!.GetValue<string>().Should().Be("done");
        (await CountItemsAsync(id)).Should().Be(1);
        (await s.ReviewAsync(reviewId))["status"]!.GetValue<string>().Should().Be("executed");

        var (third, _) = await s.ExecAsync(s.Requester, script);
        third.Should().Be(HttpStatusCode.Accepted, "the approval was used once");
    }

    [Fact]
    public async Task The_requester_cancels_and_nobody_else_can()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        var reviewId = await WaitingReviewAsync(s, ReviewScenario.MediumInsert(NextId()));

        (await s.SendAsync(s.Reviewer, HttpMethod.Post, $"/api/reviews/{reviewId}/cancel")).Status.Should().Be(HttpStatusCode.Forbidden);
        var (status, body) = await s.SendAsync(s.Requester, HttpMethod.Post, $"/api/reviews/{reviewId}/cancel");
        status.Should().Be(HttpStatusCode.OK);
        body["status"]!.GetValue<string>().Should().Be("cancelled");
        (await s.DecideAsync(s.Reviewer, reviewId, approve: true)).Status.Should().Be(HttpStatusCode.Conflict);
        (await s.SendAsync(s.Requester, HttpMethod.Post, $"/api/reviews/{reviewId}/cancel")).Status.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_long_poll_returns_as_soon_as_a_reviewer_decides()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        var reviewId = await WaitingReviewAsync(s, ReviewScenario.MediumInsert(NextId()));

        var watch = Stopwatch.StartNew();
        var poll = s.SendAsync(s.Requester, HttpMethod.Get, $"/api/reviews/{reviewId}?wait=30s");
        await Task.Delay(500);
        poll.IsCompleted.Should().BeFalse();
        await s.DecideAsync(s.Reviewer, reviewId, approve: true);
        var (_, body) = await poll;
        watch.Stop();
        body["status"]!.GetValue<string>().Should().Be("approved");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Lists_filter_and_limit_what_a_caller_sees()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        var reviewId = await WaitingReviewAsync(s, ReviewScenario.MediumInsert(NextId()));

        async Task<IReadOnlyList<string>> IdsAsync(Identities.Created who, string query) =>
            (await s.SendAsync(who, HttpMethod.Get, $"/api/reviews?{query}")).Body["data"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();

        (await IdsAsync(s.Requester, $"connection={s.Connection}")).Should().Equal(reviewId);
        (await IdsAsync(s.Requester, "waiting_for_me=true")).Should().NotContain(reviewId, "nobody reviews their own command");
        (await IdsAsync(s.Outsider, $"connection={s.Connection}")).Should().BeEmpty();
        (await IdsAsync(s.Auditor, $"connection={s.Connection}")).Should().Equal(reviewId);
        (await IdsAsync(s.Reviewer, $"connection={s.Connection}&status=pending&requester={s.Requester.Name}")).Should().Equal(reviewId);
        (await IdsAsync(s.Reviewer, $"connection={s.Connection}&status=approved")).Should().BeEmpty();
        await s.DecideAsync(s.Reviewer, reviewId, approve: true);
        (await IdsAsync(s.Reviewer, "waiting_for_me=true")).Should().NotContain(reviewId);
        (await IdsAsync(s.SecondReviewer, "waiting_for_me=true")).Should().NotContain(reviewId, "it is no longer pending");
    }

    [Theory]
    [InlineData("/api/reviews?status=maybe", "query parameter 'status' must be one of")]
    [InlineData("/api/reviews?type=forever", "query parameter 'type' must be onetime or jit")]
    [InlineData("/api/reviews?waiting_for_me=yes", "query parameter 'waiting_for_me' must be true or false")]
    [InlineData("/api/reviews/any?wait=soon", "query parameter 'wait' must be a duration")]
    [InlineData("/api/reviews/any?wait=5m", "query parameter 'wait' must be a duration up to 1m")]
    public async Task Bad_queries_are_400_with_the_parameter_named(string path, string detail)
    {
        var response = await gateway.Http.GetAsync(path);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>().Should().StartWith(detail);
    }

    [Fact]
    public async Task Unknown_reviews_and_bad_bodies_are_refused_clearly()
    {
        (await gateway.Http.GetAsync("/api/reviews/no-such-review")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.PostAsync("/api/reviews/no-such-review/approve", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.PostAsync("/api/reviews/no-such-review/execute", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var bad = await gateway.Http.PostAsync("/api/reviews/no-such-review/reject", new StringContent("{\"reason\":", System.Text.Encoding.UTF8, "application/json"));
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await gateway.Http.GetAsync("/api/reviews")).StatusCode.Should().Be(HttpStatusCode.OK);
        using var anonymous = gateway.ClientFor(null);
        (await anonymous.GetAsync("/api/reviews")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_connection_can_require_review_of_every_exec()
    {
        var s = await ReviewScenario.CreateAsync(gateway, new { require_review_for_exec = true });
        var (status, body) = await s.ExecAsync(s.Requester, "SELECT 1");
        status.Should().Be(HttpStatusCode.Accepted);
        body["ai_analysis"]!["risk_level"]!.GetValue<string>().Should().Be("low");
        body["output"]!.GetValue<string>().Should().Contain("every command on this connection needs approval");
    }

    [Theory]
    [InlineData("{\"min_approvals\":0}", "field 'min_approvals' must be between 1 and 10")]
    [InlineData("{\"review_timeout\":\"soon\"}", "field 'review_timeout' must be a duration")]
    [InlineData("{\"max_access_duration\":\"-1h\"}", "field 'max_access_duration' must be a duration")]
    [InlineData("{\"review_groups\":[\"no-such-group-x\"]}", "field 'review_groups': unknown group(s) 'no-such-group-x'")]
    [InlineData("{\"review_groups\":[\"Not A Group\"]}", "field 'review_groups': 'Not A Group' is not a group name")]
    public async Task Connection_review_fields_are_validated(string patch, string detail)
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var response = await gateway.Http.PatchAsync($"/api/connections/{connection}", new StringContent(patch, System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>().Should().StartWith(detail);
    }

    [Fact]
    public async Task Connection_review_fields_have_defaults_and_round_trip()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var created = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/connections/{connection}"))!;
        created["review_groups"]!.AsArray().Should().BeEmpty();
        created["min_approvals"]!.GetValue<int>().Should().Be(1);
        created["review_timeout"]!.GetValue<string>().Should().Be("30m");
        created["max_access_duration"]!.GetValue<string>().Should().Be("8h");
        created["require_jit_for_connect"]!.GetValue<bool>().Should().BeFalse();

        await ReviewScenario.PatchConnectionAsync(gateway, connection, new { review_timeout = "90s", max_access_duration = "1h30m", require_jit_for_connect = true });
        var patched = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/connections/{connection}"))!;
        patched["review_timeout"]!.GetValue<string>().Should().Be("1m30s");
        patched["max_access_duration"]!.GetValue<string>().Should().Be("1h30m");
        patched["require_jit_for_connect"]!.GetValue<bool>().Should().BeTrue();
    }
}
