using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Vigil.Tests.Webhooks;

/// <summary>
/// Delivery end to end on a gateway with fast retries (<see cref="WebhookGateway"/>): events published through
/// <c>IEventPublisher</c> reach a real local HTTP endpoint, signed per Standard Webhooks, retried with backoff, failed
/// after the attempt budget, and replayable.
/// </summary>
public sealed class WebhookDeliveryTests(WebhookGateway gateway) : IClassFixture<WebhookGateway>
{
    private WebhookReceiver Receiver => gateway.Receiver;

    private static object Review(string id) => new
    {
        id, type = "onetime", session_id = "s-" + id, connection = "prod", requested_by = "alice@example.com",
        input = "DELETE FROM users", input_sha256 = "ab12", ai_analysis = new { risk_level = "high", title = "Bulk delete", explanation = "Deletes every user." },
        reviewer_groups = new[] { "dba" }, min_approvals = 1, status = "pending", decisions = Array.Empty<object>(),
        expires_at = "2030-01-01T00:00:00Z", url = "http://vigil.example/reviews/" + id,
    };

    [Fact]
    public async Task A_subscribed_event_arrives_signed_per_Standard_Webhooks_and_is_recorded_delivered()
    {
        var url = Receiver.NewUrl();
        var (id, secret) = await gateway.CreateWebhookAsync(url, ["review.created"]);
        var before = DateTimeOffset.UtcNow;
        gateway.Publisher.Publish("review.created", Review("r1"));

        var request = (await Receiver.WaitForAsync(url)).Single();
        StandardWebhookVerifier.Verify(secret, request).Should().BeTrue("the consumer's own verification accepts the signature");
        StandardWebhookVerifier.Verify("whsec_" + Convert.ToBase64String(new byte[32]), request).Should().BeFalse("another key does not verify");
        request.Header("content-type").Should().StartWith("application/json");
        request.Header("webhook-id").Should().MatchRegex("^msg_[0-9a-f]{32}$");
        long.Parse(request.Header("webhook-timestamp")!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeCloseTo(before.ToUnixTimeSeconds(), 30);
        request.Header("webhook-signature").Should().StartWith("v1,");

        var body = request.Json;
        body["type"]!.GetValue<string>().Should().Be("review.created");
        DateTimeOffset.Parse(body["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).Should().BeCloseTo(before, TimeSpan.FromSeconds(30));
        body["data"]!["requested_by"]!.GetValue<string>().Should().Be("alice@example.com");
        body["data"]!["ai_analysis"]!["risk_level"]!.GetValue<string>().Should().Be("high");

        var delivery = (await gateway.WaitForDeliveriesAsync(id, d => d.Count == 1 && d[0]["status"]!.GetValue<string>() == "delivered")).Single();
        delivery["id"]!.GetValue<string>().Should().Be(request.Header("webhook-id"));
        delivery["event_type"]!.GetValue<string>().Should().Be("review.created");
        delivery["attempts"]!.GetValue<int>().Should().Be(1);
        delivery["last_status_code"]!.GetValue<int>().Should().Be(200);
        delivery["last_error"].Should().BeNull();
        delivery["next_attempt_at"].Should().BeNull();
        delivery["delivered_at"]!.GetValue<string>().Should().EndWith("Z");
    }

    [Fact]
    public async Task Only_subscribed_types_are_delivered_and_star_takes_all()
    {
        var opens = Receiver.NewUrl();
        var everything = Receiver.NewUrl();
        var (opensId, _) = await gateway.CreateWebhookAsync(opens, ["session.open"]);
        var (allId, _) = await gateway.CreateWebhookAsync(everything, ["*"]);
        gateway.Publisher.Publish("review.approved", Review("r2"));
        gateway.Publisher.Publish("session.open", new { id = "s-2", connection = "prod" });
        gateway.Publisher.Publish("not.a.type", new { });
        await gateway.FlushAsync();

        await Receiver.WaitForAsync(everything, 3);
        (await Receiver.WaitForAsync(opens)).Single().Json["type"]!.GetValue<string>().Should().Be("session.open");
        (await gateway.DeliveriesAsync(opensId)).Should().ContainSingle();
        (await gateway.DeliveriesAsync(allId)).Select(d => d["event_type"]!.GetValue<string>()).Should().BeEquivalentTo("review.approved", "session.open", "not.a.type");
        await Task.Delay(500);
        Receiver.RequestsTo(opens).Should().ContainSingle("review.approved was never queued for a session.open endpoint");
    }

    [Fact]
    public async Task A_500_is_retried_after_the_backoff_with_the_same_webhook_id()
    {
        var url = Receiver.NewUrl();
        Receiver.Respond(url, ReceiverReply.Fail(500, "database is down"), ReceiverReply.Ok);
        var (id, secret) = await gateway.CreateWebhookAsync(url, ["review.created"]);
        gateway.Publisher.Publish("review.created", Review("r3"));

        var requests = await Receiver.WaitForAsync(url, 2);
        requests[1].At.Should().BeOnOrAfter(requests[0].At + WebhookGateway.RetryBase - TimeSpan.FromMilliseconds(20), "the first retry waits the base delay");
        requests[1].Header("webhook-id").Should().Be(requests[0].Header("webhook-id"));
        requests.Should().OnlyContain(r => StandardWebhookVerifier.Verify(secret, r), "every attempt is signed afresh");

        var delivery = (await gateway.WaitForDeliveriesAsync(id, d => d.Count == 1 && d[0]["status"]!.GetValue<string>() == "delivered")).Single();
        delivery["attempts"]!.GetValue<int>().Should().Be(2);
        delivery["last_status_code"]!.GetValue<int>().Should().Be(200);
    }

    [Fact]
    public async Task A_failed_attempt_keeps_the_status_and_the_start_of_the_answer_while_it_waits()
    {
        var url = Receiver.NewUrl();
        Receiver.Respond(url, ReceiverReply.Fail(503, "maintenance " + new string('x', 10_000)));
        var (id, _) = await gateway.CreateWebhookAsync(url, ["review.created"]);
        gateway.Publisher.Publish("review.created", Review("r4"));

        var delivery = (await gateway.WaitForDeliveriesAsync(id, d => d.Count == 1 && d[0]["attempts"]!.GetValue<int>() >= 1)).Single();
        delivery["last_status_code"]!.GetValue<int>().Should().Be(503);
        var error = delivery["last_error"]!.GetValue<string>();
        error.Should().StartWith("HTTP 503: maintenance x");
        error.Length.Should().BeLessThanOrEqualTo(4096 + 20, "at most 4 KiB of the answer is kept");
        if (delivery["status"]!.GetValue<string>() == "pending")
        {
            delivery["next_attempt_at"]!.GetValue<string>().Should().EndWith("Z");
        }
        (await gateway.DeliveriesAsync(id, "&status=delivered")).Should().BeEmpty();
        (await gateway.Http.GetAsync($"/api/webhooks/{id}/deliveries?status=lost")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_hanging_endpoint_times_out_and_is_retried_while_another_gets_its_event_at_once()
    {
        var hanging = Receiver.NewUrl();
        var healthy = Receiver.NewUrl();
        Receiver.Respond(hanging, ReceiverReply.HangForever);
        var (hangingId, _) = await gateway.CreateWebhookAsync(hanging, ["review.created"]);
        var (healthyId, _) = await gateway.CreateWebhookAsync(healthy, ["review.created"]);
        gateway.Publisher.Publish("review.created", Review("r5"));

        var first = (await Receiver.WaitForAsync(hanging)).First();
        var prompt = (await Receiver.WaitForAsync(healthy)).Single();
        prompt.At.Should().BeBefore(first.At + WebhookGateway.AttemptTimeout, "the healthy endpoint does not wait for the hanging one's timeout");
        await gateway.WaitForDeliveriesAsync(healthyId, d => d.Count == 1 && d[0]["status"]!.GetValue<string>() == "delivered");

        var retried = await Receiver.WaitForAsync(hanging, 2);
        retried[1].At.Should().BeOnOrAfter(first.At + WebhookGateway.AttemptTimeout, "the second attempt follows the first one's timeout");
        var delivery = (await gateway.WaitForDeliveriesAsync(hangingId, d => d.Count == 1 && d[0]["attempts"]!.GetValue<int>() >= 1)).Single();
        delivery["last_error"]!.GetValue<string>().Should().Contain("timed out after 1.5 s");
        delivery["last_status_code"].Should().BeNull();
    }

    [Fact]
    public async Task An_unreachable_endpoint_fails_after_the_attempt_budget_and_a_replay_delivers_it_with_the_same_id()
    {
        var port = ClosedPort();
        var (id, _) = await gateway.CreateWebhookAsync($"http://127.0.0.1:{port}/hook", ["review.rejected"]);
        gateway.Publisher.Publish("review.rejected", Review("r6"));

        var failed = (await gateway.WaitForDeliveriesAsync(id, d => d.Count == 1 && d[0]["status"]!.GetValue<string>() == "failed")).Single();
        failed["attempts"]!.GetValue<int>().Should().Be(WebhookGateway.MaxAttempts);
        failed["last_status_code"].Should().BeNull();
        failed["last_error"]!.GetValue<string>().Should().StartWith("request failed:");
        failed["next_attempt_at"].Should().BeNull();
        failed["delivered_at"].Should().BeNull();
        (await gateway.DeliveriesAsync(id, "&status=failed")).Should().ContainSingle();

        // The endpoint moves to a working URL; the admin replays the failed delivery.
        var url = Receiver.NewUrl();
        (await gateway.Http.PutAsJsonAsync($"/api/webhooks/{id}", new { url, event_types = new[] { "review.rejected" } })).EnsureSuccessStatusCode();
        var messageId = failed["id"]!.GetValue<string>();
        var replay = await gateway.Http.PostAsync($"/api/webhooks/{id}/deliveries/{messageId}/replay", null);
        replay.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var replayed = (await replay.Content.ReadFromJsonAsync<JsonObject>())!;
        replayed["id"]!.GetValue<string>().Should().Be(messageId);
        replayed["status"]!.GetValue<string>().Should().BeOneOf("pending", "delivered"); // the dispatcher may be quicker than the answer

        (await Receiver.WaitForAsync(url)).Single().Header("webhook-id").Should().Be(messageId, "a replay is the same message (the consumer's idempotency key)");
        var delivered = (await gateway.WaitForDeliveriesAsync(id, d => d.Count == 1 && d[0]["status"]!.GetValue<string>() == "delivered")).Single();
        delivered["attempts"]!.GetValue<int>().Should().Be(WebhookGateway.MaxAttempts + 1);

        (await gateway.Http.PostAsync($"/api/webhooks/{id}/deliveries/msg_unknown/replay", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        var url = Receiver.NewUrl();
        var target = Receiver.NewUrl();
        Receiver.Respond(url, ReceiverReply.Redirect(target));
        var (id, _) = await gateway.CreateWebhookAsync(url, ["review.expired"]);
        gateway.Publisher.Publish("review.expired", Review("r7"));

        var delivery = (await gateway.WaitForDeliveriesAsync(id, d => d.Count == 1 && d[0]["attempts"]!.GetValue<int>() >= 1)).Single();
        delivery["last_status_code"]!.GetValue<int>().Should().Be(302);
        delivery["last_error"]!.GetValue<string>().Should().Contain("redirect").And.Contain(target);
        Receiver.RequestsTo(target).Should().BeEmpty();
    }

    [Fact]
    public async Task Deleting_a_webhook_drops_its_queue()
    {
        var url = Receiver.NewUrl();
        Receiver.Respond(url, ReceiverReply.Fail(500));
        var (id, _) = await gateway.CreateWebhookAsync(url, ["review.created"]);
        gateway.Publisher.Publish("review.created", Review("r8"));
        await Receiver.WaitForAsync(url);
        (await gateway.Http.DeleteAsync($"/api/webhooks/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var count = Receiver.RequestsTo(url).Count;
        gateway.Publisher.Publish("review.created", Review("r9"));
        await gateway.FlushAsync();
        await Task.Delay(WebhookGateway.RetryBase * 3);
        Receiver.RequestsTo(url).Count.Should().BeLessThanOrEqualTo(count + 1, "at most an attempt already in flight finishes");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
