using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Cli;

/// <summary>
/// <c>vigil exec</c> waiting for a review (approved, rejected, expired, interrupted with SIGINT, <c>--no-wait</c> then
/// <c>--review ID</c>), <c>vigil reviews list|show|approve|reject|cancel</c> and <c>vigil access request|list</c>, each
/// with the real binary against the shared gateway. Every test gets its own connection (rule: medium risk requires
/// approval), requester and reviewer groups, so reviews of other tests never show up.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ReviewCommandTests(GatewayFixture gateway) : IDisposable
{
    private readonly CliRunner _cli = new(gateway);

    /// <summary>A connection under review, a requester allowed to use it and reviewers allowed to decide.</summary>
    private sealed record Setup(string Connection, Identities.Created Requester, Identities.Created Reviewer, Identities.Created SecondReviewer);

    private async Task<Setup> SetupAsync(string reviewTimeout = "30m", int minApprovals = 1)
    {
        var requesters = await gateway.CreateGroupAsync();
        var reviewers = await gateway.CreateGroupAsync();
        var requester = await gateway.CreateUserAsync([requesters]);
        var reviewer = await gateway.CreateUserAsync([reviewers]);
        var second = await gateway.CreateUserAsync([reviewers]);
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync();
        var patched = await gateway.Http.PatchAsJsonAsync($"/api/connections/{connection}", new
        {
            access_groups = new[] { requesters }, review_groups = new[] { reviewers }, min_approvals = minApprovals, review_timeout = reviewTimeout,
        });
        patched.StatusCode.Should().Be(HttpStatusCode.OK, await patched.Content.ReadAsStringAsync());
        return new Setup(connection, requester, reviewer, second);
    }

    /// <summary>The table the reviewed commands write to (not the shared <c>items</c>, whose row count other tests check).</summary>
    private const string Table = "cli_reviewed";

    /// <summary>A medium-risk statement (the static analyzer: "Data write") with a value to find in the output.</summary>
    private async Task<(string Script, string Marker)> InsertAsync()
    {
        await using (var direct = new NpgsqlConnection(gateway.DirectConnectionString()))
        {
            await direct.OpenAsync();
            await new NpgsqlCommand($"CREATE TABLE IF NOT EXISTS {Table} (id int PRIMARY KEY, name text NOT NULL); GRANT ALL ON {Table} TO app", direct).ExecuteNonQueryAsync();
        }
        var id = Random.Shared.Next(1, int.MaxValue);
        var marker = $"reviewed-{id}";
        return ($"INSERT INTO {Table} (id, name) VALUES ({id}, '{marker}') RETURNING name", marker);
    }

    private static async Task<JsonNode> DecideAsync(HttpClient client, string id, string verb, string? reason = null)
    {
        var response = await client.PostAsJsonAsync($"/api/reviews/{id}/{verb}", new { reason });
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    private async Task<string> ReviewStatusAsync(string id)
    {
        var review = await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/reviews/{id}");
        return review!["status"]!.GetValue<string>();
    }

    private static void NoStackTrace(Processes.Result result)
    {
        result.Stderr.Should().NotContain("Unhandled").And.NotContain("Exception").And.NotMatchRegex(@"\n\s+at \S+\(");
    }

    [Fact]
    public async Task Exec_waits_reports_each_approval_and_runs_once_approved()
    {
        var setup = await SetupAsync(minApprovals: 2);
        var (script, marker) = await InsertAsync();
        using var exec = _cli.Start(["exec", setup.Connection, "-i", script], setup.Requester.Token);
        var id = (await exec.WaitForStderrAsync(@"vigil: review (\S+): ")).Groups[1].Value;
        await exec.WaitForStderrAsync("waiting for approval");
        exec.Stderr.Should().Contain("approval required by AI session analyzer: Data write")
            .And.Contain("INSERT adds rows").And.Contain($"/api/reviews/{id}");

        using var first = gateway.ClientFor(setup.Reviewer.Token);
        await DecideAsync(first, id, "approve", "looks fine");
        await exec.WaitForStderrAsync($@"vigil: 1/2 approvals \(approved by {setup.Reviewer.Name}: looks fine\)");
        using var second = gateway.ClientFor(setup.SecondReviewer.Token);
        await DecideAsync(second, id, "approve");

        var result = await exec.WaitAsync();
        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Contain(marker);
        result.Stderr.Should().Contain($"vigil: approved by {setup.Reviewer.Name}, {setup.SecondReviewer.Name}; running");
        (await ReviewStatusAsync(id)).Should().Be("executed");
    }

    [Fact]
    public async Task Exec_exits_3_with_the_reviewer_and_reason_when_rejected()
    {
        var setup = await SetupAsync();
        var (script, _) = await InsertAsync();
        using var exec = _cli.Start(["exec", setup.Connection, "-i", script, "--json"], setup.Requester.Token);
        var id = (await exec.WaitForStderrAsync(@"vigil: review (\S+): ")).Groups[1].Value;
        using var reviewer = gateway.ClientFor(setup.Reviewer.Token);
        await DecideAsync(reviewer, id, "reject", "not during the freeze");

        var result = await exec.WaitAsync();
        result.ExitCode.Should().Be(3, result.Stderr);
        result.Stderr.Should().Contain($"vigil: review {id} rejected by {setup.Reviewer.Name}: not during the freeze");
        var json = JsonNode.Parse(result.Stdout)!;
        json["status"]!.GetValue<string>().Should().Be("rejected");
        json["exit_code"]!.GetValue<int>().Should().Be(3);
        json["review"]!["id"]!.GetValue<string>().Should().Be(id);
        NoStackTrace(result);
    }

    [Fact]
    public async Task Exec_exits_3_when_the_review_expires()
    {
        var setup = await SetupAsync(reviewTimeout: "2s");
        var (script, _) = await InsertAsync();
        var result = await _cli.RunAsync(["exec", setup.Connection, "-i", script], token: setup.Requester.Token);
        result.ExitCode.Should().Be(3, result.Stderr);
        result.Stderr.Should().MatchRegex(@"vigil: review \S+ expired at \S+ without enough approvals \(0/1 approvals\)");
    }

    [Fact]
    public async Task No_wait_exits_4_and_review_id_runs_it_once_after_approval()
    {
        var setup = await SetupAsync();
        var (script, marker) = await InsertAsync();
        var waiting = await _cli.RunAsync(["exec", setup.Connection, "-i", script, "--no-wait"], token: setup.Requester.Token);
        waiting.ExitCode.Should().Be(4, waiting.Stderr);
        var id = System.Text.RegularExpressions.Regex.Match(waiting.Stderr, @"approval pending: review (\S+) ").Groups[1].Value;
        waiting.Stderr.Should().Contain($"vigil exec --review {id}");

        // Still pending: --review --no-wait does not wait either.
        var pending = await _cli.RunAsync(["exec", "--review", id, "--no-wait"], token: setup.Requester.Token);
        pending.ExitCode.Should().Be(4, pending.Stderr);
        pending.Stderr.Should().Contain($"review {id} is still pending (0/1 approvals)");

        var approved = await _cli.RunAsync(["reviews", "approve", id, "--reason", "ok"], token: setup.Reviewer.Token);
        approved.ExitCode.Should().Be(0, approved.Stderr);
        approved.Stdout.Should().Contain($"approved review {id} (now approved)");

        var run = await _cli.RunAsync(["exec", "--review", id], token: setup.Requester.Token);
        run.ExitCode.Should().Be(0, run.Stderr);
        run.Stdout.Should().Contain(marker);

        var again = await _cli.RunAsync(["exec", "--review", id, "--json"], token: setup.Requester.Token);
        again.ExitCode.Should().Be(1, again.Stderr);
        again.Stderr.Should().Contain($"review {id} was already executed at");
        again.Stdout.Should().BeEmpty();
        NoStackTrace(again);

        var wrong = await _cli.RunAsync(["exec", "other-connection", "--review", id], token: setup.Requester.Token);
        wrong.ExitCode.Should().Be(1);
        wrong.Stderr.Should().Contain($"is for connection '{setup.Connection}'");
    }

    [Fact]
    public async Task Wait_timeout_stops_waiting_with_exit_4_and_the_resume_hint()
    {
        var setup = await SetupAsync();
        var (script, _) = await InsertAsync();
        var result = await _cli.RunAsync(["exec", setup.Connection, "-i", script, "--wait-timeout", "2s"], token: setup.Requester.Token);
        result.ExitCode.Should().Be(4, result.Stderr);
        result.Stderr.Should().MatchRegex(@"vigil: stopped waiting \(--wait-timeout\): review (\S+) is still pending \(0/1 approvals\); resume with `vigil exec --review \1`");

        var bad = await _cli.RunAsync(["exec", setup.Connection, "-i", script, "--wait-timeout", "soon"], token: setup.Requester.Token);
        bad.ExitCode.Should().Be(1);
        bad.Stderr.Should().Contain("--wait-timeout must be a duration");
    }

    [Fact]
    public async Task Exec_without_a_connection_or_review_says_what_is_missing()
    {
        var result = await _cli.RunAsync(["exec", "-i", "SELECT 1"]);
        result.ExitCode.Should().Be(1);
        result.Stderr.Should().StartWith("vigil: no connection:").And.Contain("--review ID");

        var both = await _cli.RunAsync(["exec", "--review", "x", "-i", "SELECT 1"]);
        both.ExitCode.Should().Be(1);
        both.Stderr.Should().Contain("do not pass -i or -f");
    }

    [Fact]
    public async Task Ctrl_c_while_waiting_exits_4_with_the_resume_hint_and_leaves_the_review_pending()
    {
        var setup = await SetupAsync();
        var (script, _) = await InsertAsync();
        using var exec = _cli.Start(["exec", setup.Connection, "-i", script], setup.Requester.Token);
        var id = (await exec.WaitForStderrAsync(@"vigil: review (\S+): ")).Groups[1].Value;
        await exec.WaitForStderrAsync("waiting for approval");
        await exec.InterruptAsync();

        var result = await exec.WaitAsync(TimeSpan.FromSeconds(30));
        result.ExitCode.Should().Be(4, result.Stderr);
        result.Stderr.Should().Contain($"vigil: interrupted: review {id} is still pending (0/1 approvals); resume with `vigil exec --review {id}`");
        NoStackTrace(result);
        (await ReviewStatusAsync(id)).Should().Be("pending");
    }

    [Fact]
    public async Task Reviewers_list_show_and_decide_reviews_and_requesters_cannot_approve_their_own()
    {
        var setup = await SetupAsync();
        var (script, _) = await InsertAsync();
        var first = await _cli.RunAsync(["exec", setup.Connection, "-i", script, "--no-wait", "--json"], token: setup.Requester.Token);
        first.ExitCode.Should().Be(4, first.Stderr);
        var id = JsonNode.Parse(first.Stdout)!["review"]!["id"]!.GetValue<string>();

        var mine = await _cli.RunAsync(["reviews", "list", "--waiting-for-me"], token: setup.Reviewer.Token);
        mine.ExitCode.Should().Be(0, mine.Stderr);
        var lines = mine.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().MatchRegex(@"^ID\s+STATUS\s+CONNECTION\s+REQUESTER\s+RISK\s+TITLE\s+CREATED$");
        lines.Should().ContainSingle(l => l.StartsWith(id + " ")).Which.Should()
            .Contain("pending").And.Contain(setup.Connection).And.Contain(setup.Requester.Name).And.Contain("medium").And.Contain("Data write");
        var byConnection = await _cli.RunAsync(["reviews", "list", "--connection", setup.Connection, "--status", "pending", "--json"], token: setup.Reviewer.Token);
        JsonNode.Parse(byConnection.Stdout)!["data"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).Should().Equal(id);
        // The requester may not decide: nothing waits for them.
        (await _cli.RunAsync(["reviews", "list", "--waiting-for-me"], token: setup.Requester.Token)).Stdout.Should().NotContain(id);

        var self = await _cli.RunAsync(["reviews", "approve", id], token: setup.Requester.Token);
        self.ExitCode.Should().Be(1);
        self.Stderr.Should().Be("vigil: 403: you cannot approve your own review\n");

        var shown = await _cli.RunAsync(["reviews", "show", id], token: setup.Reviewer.Token);
        shown.ExitCode.Should().Be(0, shown.Stderr);
        shown.Stdout.Should().Contain("status       pending (0/1 approvals)").And.Contain(script)
            .And.Contain("risk         medium: Data write").And.Contain("INSERT adds rows").And.Contain("decisions:   none yet");

        var rejected = await _cli.RunAsync(["reviews", "reject", id, "--reason", "use the migration tool"], token: setup.Reviewer.Token);
        rejected.ExitCode.Should().Be(0, rejected.Stderr);
        rejected.Stdout.Should().Contain($"rejected review {id} (now rejected)");
        var after = await _cli.RunAsync(["reviews", "show", id], token: setup.Requester.Token);
        after.Stdout.Should().MatchRegex($@"rejected by {System.Text.RegularExpressions.Regex.Escape(setup.Reviewer.Name)} at \S+: use the migration tool");

        // A decided review refuses further decisions, and --review reports the rejection with exit 3.
        var late = await _cli.RunAsync(["reviews", "approve", id], token: setup.SecondReviewer.Token);
        late.ExitCode.Should().Be(1);
        late.Stderr.Should().StartWith("vigil: 409: ");
        var resume = await _cli.RunAsync(["exec", "--review", id], token: setup.Requester.Token);
        resume.ExitCode.Should().Be(3, resume.Stderr);
        resume.Stderr.Should().Contain("use the migration tool");

        // The requester may withdraw a pending review.
        var (script2, _) = await InsertAsync();
        var second = await _cli.RunAsync(["exec", setup.Connection, "-i", script2, "--no-wait", "--json"], token: setup.Requester.Token);
        var id2 = JsonNode.Parse(second.Stdout)!["review"]!["id"]!.GetValue<string>();
        var cancelled = await _cli.RunAsync(["reviews", "cancel", id2], token: setup.Requester.Token);
        cancelled.ExitCode.Should().Be(0, cancelled.Stderr);
        (await ReviewStatusAsync(id2)).Should().Be("cancelled");
    }

    [Fact]
    public async Task Access_request_prints_the_review_and_waits_for_the_grant()
    {
        var setup = await SetupAsync();
        var requested = await _cli.RunAsync(["access", "request", setup.Connection, "--duration", "1h", "--reason", "incident 42"], token: setup.Requester.Token);
        requested.ExitCode.Should().Be(0, requested.Stderr);
        var id = System.Text.RegularExpressions.Regex.Match(requested.Stdout, @"access request (\S+) is pending").Groups[1].Value;
        id.Should().NotBeEmpty(requested.Stdout);
        requested.Stdout.Should().Contain($"/api/reviews/{id}");

        var listed = await _cli.RunAsync(["access", "list"], token: setup.Requester.Token);
        listed.ExitCode.Should().Be(0, listed.Stderr);
        listed.Stdout.Split('\n').Should().Contain(l => l.StartsWith(id + " ") && l.Contains("pending") && l.Contains("1h") && l.Contains("incident 42"));

        using var waiting = _cli.Start(["access", "request", setup.Connection, "--duration", "30m", "--reason", "deploy", "--wait"], setup.Requester.Token);
        var second = (await waiting.WaitForStderrAsync(@"access request (\S+): ")).Groups[1].Value;
        await waiting.WaitForStderrAsync("waiting for approval");
        var approve = await _cli.RunAsync(["reviews", "approve", second], token: setup.Reviewer.Token);
        approve.ExitCode.Should().Be(0, approve.Stderr);
        var granted = await waiting.WaitAsync();
        granted.ExitCode.Should().Be(0, granted.Stderr);
        granted.Stdout.Should().MatchRegex($@"access to {setup.Connection} granted until \d{{4}}-\d\d-\d\dT");

        using var denied = _cli.Start(["access", "request", setup.Connection, "--duration", "30m", "--reason", "curious", "--wait"], setup.Requester.Token);
        var third = (await denied.WaitForStderrAsync(@"access request (\S+): ")).Groups[1].Value;
        using var reviewer = gateway.ClientFor(setup.Reviewer.Token);
        await DecideAsync(reviewer, third, "reject", "no");
        var refused = await denied.WaitAsync();
        refused.ExitCode.Should().Be(3, refused.Stderr);
        refused.Stderr.Should().Contain($"review {third} rejected by {setup.Reviewer.Name}: no");
    }

    public void Dispose() => _cli.Dispose();
}
