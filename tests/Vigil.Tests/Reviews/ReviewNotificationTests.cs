using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;
using Vigil.Tests.Webhooks;

namespace Vigil.Tests.Reviews;

/// <summary>
/// The gateway's real events reach webhooks: a review's life (created, approved, rejected), the sessions around it,
/// high-risk analyses and granted access, signed per Standard Webhooks; Slack and Teams get a message to decide from;
/// an endpoint that hangs does not slow the command path.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ReviewNotificationTests(GatewayFixture gateway) : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private readonly List<string> _webhooks = [];

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var id in _webhooks)
        {
            await gateway.Http.DeleteAsync($"/api/webhooks/{id}");
        }
        await _receiver.DisposeAsync();
    }

    private async Task<(string Url, string Secret)> SubscribeAsync(string format, params string[] types)
    {
        var url = _receiver.NewUrl();
        var response = await gateway.Http.PostAsJsonAsync("/api/webhooks", new { url, event_types = types, format });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        _webhooks.Add(body["id"]!.GetValue<string>());
        return (url, body["secret"]!.GetValue<string>());
    }

    private static IEnumerable<JsonObject> Events(IEnumerable<ReceivedWebhook> received, string type, string? reviewId = null) =>
        received.Select(r => r.Json).Where(e => e["type"]!.GetValue<string>() == type && (reviewId is null || e["data"]!["id"]?.GetValue<string>() == reviewId));

    private async Task<IReadOnlyList<ReceivedWebhook>> WaitUntilAsync(string url, Func<IReadOnlyList<ReceivedWebhook>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var received = _receiver.RequestsTo(url);
            if (done(received))
            {
                return received;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{received.Count} deliveries, not the expected ones: {string.Join(", ", received.Select(r => r.Json["type"]))}");
            }
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_reviews_life_and_its_sessions_are_delivered_signed()
    {
        var (url, secret) = await SubscribeAsync("standard", "*");
        var s = await ReviewScenario.CreateAsync(gateway);

        var (_, waiting) = await s.ExecAsync(s.Requester, ReviewScenario.MediumInsert(91_000 + Random.Shared.Next(1000)));
        var reviewId = waiting["review"]!["id"]!.GetValue<string>();
        await s.DecideAsync(s.Reviewer, reviewId, approve: true);
        await s.SendAsync(s.Requester, HttpMethod.Post, $"/api/reviews/{reviewId}/execute");
        await s.ExecAsync(s.Requester, "DROP TABLE items");

        // Deliveries run concurrently and other sessions of the shared gateway publish too: wait for the ones asserted on.
        var sessionId = waiting["id"]!.GetValue<string>();
        var received = await WaitUntilAsync(url, r =>
            Events(r, "review.approved", reviewId).Any()
            && Events(r, "session.close").Count(e => e["data"]!["id"]!.GetValue<string>() == sessionId) == 2
            && Events(r, "analysis.high_risk").Any(e => e["data"]!["connection"]!.GetValue<string>() == s.Connection));
        received.Should().OnlyContain(r => StandardWebhookVerifier.Verify(secret, r, null));
        var created = Events(received, "review.created", reviewId).Single()["data"]!;
        created["input"]!.GetValue<string>().Should().StartWith("INSERT INTO items");
        created["url"]!.GetValue<string>().Should().EndWith($"/api/reviews/{reviewId}");
        created["ai_analysis"]!["risk_level"]!.GetValue<string>().Should().Be("medium");
        Events(received, "review.approved", reviewId).Single()["data"]!["decisions"]![0]!["by"]!.GetValue<string>().Should().Be(s.Reviewer.Name);
        Events(received, "session.close").Select(e => e["data"]!).Where(d => d["id"]!.GetValue<string>() == sessionId)
            .Select(d => d["status"]!.GetValue<string>()).Should().Contain(["waiting_review", "done"]);
        var high = Events(received, "analysis.high_risk").Single(e => e["data"]!["connection"]!.GetValue<string>() == s.Connection)["data"]!;
        high["input"]!.GetValue<string>().Should().Be("DROP TABLE items");
        high["ai_analysis"]!["action"]!.GetValue<string>().Should().Be("block");
    }

    [Fact]
    public async Task Slack_and_Teams_get_a_message_to_decide_from()
    {
        var (slack, _) = await SubscribeAsync("slack", "review.created");
        var (teams, _) = await SubscribeAsync("teams", "review.created");
        var s = await ReviewScenario.CreateAsync(gateway);
        var (_, waiting) = await s.ExecAsync(s.Requester, ReviewScenario.MediumInsert(92_000 + Random.Shared.Next(1000)));
        var reviewId = waiting["review"]!["id"]!.GetValue<string>();
        var title = waiting["ai_analysis"]!["title"]!.GetValue<string>();

        var slackText = (await WaitUntilAsync(slack, r => r.Any(x => x.Text.Contains(reviewId)))).Select(r => r.Text).Single(t => t.Contains(reviewId));
        slackText.Should().Contain("INSERT INTO items").And.Contain(s.Requester.Name).And.Contain(s.Connection).And.Contain(title).And.Contain("medium");
        var teamsCard = (await WaitUntilAsync(teams, r => r.Any(x => x.Text.Contains(reviewId)))).Select(r => r.Json).Single(j => j.ToJsonString().Contains(reviewId));
        teamsCard["attachments"]![0]!["contentType"]!.GetValue<string>().Should().Be("application/vnd.microsoft.card.adaptive");
        teamsCard.ToJsonString().Should().Contain($"/api/reviews/{reviewId}").And.Contain(s.Requester.Name);
    }

    [Fact]
    public async Task Granted_access_is_an_event()
    {
        var (url, _) = await SubscribeAsync("standard", "access.granted");
        var s = await ReviewScenario.CreateAsync(gateway, new { require_jit_for_connect = true });
        var (_, request) = await s.SendAsync(s.Requester, HttpMethod.Post, "/api/access-requests", new { connection = s.Connection, duration = "1h", reason = "incident" });
        var reviewId = request["id"]!.GetValue<string>();
        await s.DecideAsync(s.Reviewer, reviewId, approve: true);

        var granted = Events(await WaitUntilAsync(url, r => Events(r, "access.granted", reviewId).Any()), "access.granted", reviewId).Single()["data"]!;
        granted["requested_by"]!.GetValue<string>().Should().Be(s.Requester.Name);
        granted["access_expires_at"]!.GetValue<string>().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_hanging_webhook_does_not_slow_the_command_path()
    {
        var (hanging, _) = await SubscribeAsync("standard", "*");
        _receiver.Respond(hanging, ReceiverReply.HangForever);
        var s = await ReviewScenario.CreateAsync(gateway);

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            var (status, body) = await s.ExecAsync(s.Requester, "SELECT 1");
            status.Should().Be(HttpStatusCode.OK, body.ToJsonString());
        }
        watch.Stop();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "five commands do not wait on a webhook that never answers");
        (await _receiver.WaitForAsync(hanging)).Should().NotBeEmpty("the deliveries were attempted");
    }
}
