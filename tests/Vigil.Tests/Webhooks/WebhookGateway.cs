using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Hosting;
using Vigil.Tests.Fixtures;
using Vigil.Webhooks;

namespace Vigil.Tests.Webhooks;

/// <summary>
/// A gateway of its own on a temp data directory, with fast webhook retries (base 300 ms, cap 2 s, 3 attempts, 1.5 s
/// timeout) so retry and failure paths finish in seconds, plus a <see cref="WebhookReceiver"/>. It can be restarted on
/// the same data directory (<see cref="RestartAsync"/>).
/// </summary>
public sealed class WebhookGateway : IAsyncLifetime
{
    public static readonly TimeSpan RetryBase = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(1.5);
    public const int MaxAttempts = 3;

    private readonly string _data = Path.Combine(Path.GetTempPath(), "vigil-webhooks-" + Guid.NewGuid().ToString("N")[..8]);

    public WebApplication App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public WebhookReceiver Receiver { get; private set; } = null!;
    public string DataDirectory => _data;

    public IEventPublisher Publisher => App.Services.GetRequiredService<IEventPublisher>();

    public async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        await StartAppAsync();
    }

    public async Task DisposeAsync()
    {
        await StopAppAsync();
        await Receiver.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Stops the gateway (draining its outbox to disk) and starts a new one on the same data directory.</summary>
    public async Task RestartAsync(Func<Task>? whileDown = null)
    {
        await StopAppAsync();
        if (whileDown is not null)
        {
            await whileDown();
        }
        await StartAppAsync();
    }

    /// <summary>Completes when every event published so far is in the outbox table.</summary>
    public Task FlushAsync() => App.Services.GetRequiredService<WebhookOutbox>().FlushAsync(CancellationToken.None);

    /// <summary>Creates a webhook; returns its id and secret.</summary>
    public async Task<(string Id, string Secret)> CreateWebhookAsync(string url, string[] eventTypes, string? format = null)
    {
        var response = await Http.PostAsJsonAsync("/api/webhooks", new { url, event_types = eventTypes, format });
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return (json["id"]!.GetValue<string>(), json["secret"]!.GetValue<string>());
    }

    public async Task<List<JsonObject>> DeliveriesAsync(string webhookId, string query = "")
    {
        var page = (await Http.GetFromJsonAsync<JsonObject>($"/api/webhooks/{webhookId}/deliveries?page_size=1000{query}"))!;
        return page["data"]!.AsArray().Select(d => d!.AsObject()).ToList();
    }

    /// <summary>
    /// Polls the webhook's deliveries until <paramref name="done"/> holds for them; returns them. The outbox writes a
    /// moment after the publish, so <paramref name="done"/> sees an empty list first and must say false to it.
    /// </summary>
    public async Task<List<JsonObject>> WaitForDeliveriesAsync(string webhookId, Func<List<JsonObject>, bool> done, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var deliveries = await DeliveriesAsync(webhookId);
            if (done(deliveries))
            {
                return deliveries;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"deliveries of {webhookId} did not reach the expected state: {string.Join(", ", deliveries.Select(d => d.ToJsonString()))}");
            }
            await Task.Delay(50);
        }
    }

    private async Task StartAppAsync()
    {
        App = GatewayHost.Build(new GatewayOptions
        {
            DataDirectory = _data, HttpListen = "127.0.0.1:0", PgListen = "127.0.0.1:0", SshListen = "127.0.0.1:0", AdminToken = GatewayFixture.Token,
            WebhookRetryBase = RetryBase, WebhookRetryCap = TimeSpan.FromSeconds(2), WebhookMaxAttempts = MaxAttempts, WebhookTimeout = AttemptTimeout,
        });
        await GatewayHost.BootstrapAsync(App, CancellationToken.None);
        await App.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(GatewayHost.HttpAddress(App)) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.Token);
    }

    private async Task StopAppAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
