using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace Vigil.Tests.Webhooks;

/// <summary>At-least-once across restarts: what was published before a stop is delivered by the next process.</summary>
public sealed class WebhookRestartTests : IAsyncLifetime
{
    private readonly WebhookGateway _gateway = new();

    public Task InitializeAsync() => _gateway.InitializeAsync();

    public Task DisposeAsync() => _gateway.DisposeAsync();

    [Fact]
    public async Task Events_queued_while_the_endpoint_is_down_are_delivered_after_a_restart()
    {
        // The endpoint's port is closed while the first gateway runs; a receiver opens it while the gateway is down.
        var port = FreePort();
        var (id, secret) = await _gateway.CreateWebhookAsync($"http://127.0.0.1:{port}/hook", ["review.created", "session.close"]);
        for (var i = 0; i < 3; i++)
        {
            _gateway.Publisher.Publish("review.created", new { id = $"r{i}" });
        }
        // Some of these may still be in the in-memory queue: stopping drains it to disk.
        for (var i = 0; i < 20; i++)
        {
            _gateway.Publisher.Publish("session.close", new { id = $"s{i}" });
        }

        WebhookReceiver? receiver = null;
        await _gateway.RestartAsync(async () => receiver = await WebhookReceiver.StartAsync(port));
        await using (receiver)
        {
            var url = $"http://127.0.0.1:{port}/hook";
            var requests = await receiver!.WaitForAsync(url, 23, 30);
            requests.Should().OnlyContain(r => StandardWebhookVerifier.Verify(secret, r));
            var ids = requests.Select(r => r.Json["data"]!["id"]!.GetValue<string>()).Distinct().ToList();
            ids.Should().HaveCount(23, "every event published before the stop arrives");
            var deliveries = await _gateway.WaitForDeliveriesAsync(id, d => d.Count == 23 && d.All(x => x["status"]!.GetValue<string>() == "delivered"), 30);
            deliveries.Select(d => d["id"]!.GetValue<string>()).Should().BeEquivalentTo(requests.Select(r => r.Header("webhook-id")).Distinct());
        }
    }

    [Fact]
    public async Task Webhooks_and_their_secrets_survive_a_restart()
    {
        var url = _gateway.Receiver.NewUrl();
        var (id, secret) = await _gateway.CreateWebhookAsync(url, ["access.granted"]);
        await _gateway.RestartAsync();
        (await _gateway.Http.GetAsync($"/api/webhooks/{id}")).StatusCode.Should().Be(HttpStatusCode.OK);
        _gateway.Publisher.Publish("access.granted", new { id = "a1" });
        StandardWebhookVerifier.Verify(secret, (await _gateway.Receiver.WaitForAsync(url)).Single()).Should().BeTrue();
        (await _gateway.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/api/webhooks"))!["pages"]!["total"]!.GetValue<long>().Should().Be(1, "each test has a gateway of its own");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
