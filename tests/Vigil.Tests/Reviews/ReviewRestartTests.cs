using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Vigil.Hosting;
using Vigil.Reviews;
using Vigil.Tests.Cli;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Reviews;

/// <summary>
/// Reviews live in the store, not in memory: a gateway restarted with pending reviews still has them, and a review
/// whose deadline passed while the gateway was down is expired when it comes back.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ReviewRestartTests(GatewayFixture gateway) : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), $"vigil-restart-{Guid.NewGuid():N}");
    private WebApplication? _app;
    private HttpClient _http = null!;

    public Task InitializeAsync() => StartAsync();

    public async Task DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_data, recursive: true);
    }

    /// <summary>Starts the gateway on the data directory; without <paramref name="sweep"/> the expiry sweep never runs, so only reads can expire.</summary>
    private async Task StartAsync(bool sweep = true)
    {
        _app = GatewayHost.Build(
            new GatewayOptions { DataDirectory = _data, HttpListen = "127.0.0.1:0", PgListen = "127.0.0.1:0", SshListen = "127.0.0.1:0", AdminToken = GatewayFixture.Token },
            services =>
            {
                if (!sweep)
                {
                    services.Remove(services.Single(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(ReviewExpiry)));
                }
            });
        await GatewayHost.BootstrapAsync(_app, CancellationToken.None);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(GatewayHost.HttpAddress(_app)) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.Token);
    }

    private async Task StopAsync()
    {
        _http.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    private async Task<HttpClient> ClientForNewUserAsync(string group)
    {
        var email = Identities.Unique("user") + "@example.com";
        (await _http.PostAsJsonAsync("/api/users", new { email, name = "U", groups = new[] { group } })).EnsureSuccessStatusCode();
        var token = (await (await _http.PostAsJsonAsync("/api/tokens", new { user = email })).Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
        var client = new HttpClient { BaseAddress = _http.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task<string> PendingReviewAsync(HttpClient requester, string connection, int id)
    {
        var response = await requester.PostAsJsonAsync("/api/sessions", new { connection, script = ReviewScenario.MediumInsert(id) });
        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["review"]!["id"]!.GetValue<string>();
    }

    private async Task CreateConnectionsAndRuleAsync(params (string Name, string Timeout)[] connections)
    {
        (await _http.PostAsJsonAsync("/api/groups", new { name = "dev" })).EnsureSuccessStatusCode();
        foreach (var (name, timeout) in connections)
        {
            (await _http.PostAsJsonAsync("/api/connections", new
            {
                name, type = "postgres", host = "127.0.0.1", port = gateway.Postgres.Port, database = "app", username = "app",
                password = GatewayFixture.AppPassword, ssl_mode = "disable", access_groups = new[] { "dev" }, review_timeout = timeout,
            })).EnsureSuccessStatusCode();
        }
        (await _http.PostAsJsonAsync("/api/ai/session-analyzer/rules", new
        {
            name = "restart-rule", connection_names = connections.Select(c => c.Name).ToArray(),
            risk_evaluation = new { low_risk_action = "allow", medium_risk_action = "require_approval", high_risk_action = "block" },
        })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_deadline_that_passed_while_down_reads_expired_on_every_read_path_before_any_sweep_and_is_published_once()
    {
        await CreateConnectionsAndRuleAsync(("fast", "2s"));
        // Deliveries are rows as soon as the event is published, whether or not the (closed) port ever answers.
        var hook = await _http.PostAsJsonAsync("/api/webhooks", new { url = "http://127.0.0.1:9/hook", event_types = new[] { "review.expired" } });
        hook.EnsureSuccessStatusCode();
        var hookId = (await hook.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        using var requester = await ClientForNewUserAsync("dev");
        var polled = await PendingReviewAsync(requester, "fast", 99_101);
        var shown = await PendingReviewAsync(requester, "fast", 99_102);
        var listed = await PendingReviewAsync(requester, "fast", 99_103);
        var byCli = await PendingReviewAsync(requester, "fast", 99_104);

        await StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await StartAsync(sweep: false);

        var started = DateTimeOffset.UtcNow;
        var reads = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _http.GetFromJsonAsync<JsonObject>($"/api/reviews/{polled}?wait=5s")));
        reads.Select(r => r!["status"]!.GetValue<string>()).Should().AllBe("expired", "the long poll reports the deadline, not the stored state");
        (DateTimeOffset.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(4), "an expired review is not waited on");
        var session = (await _http.GetFromJsonAsync<JsonObject>($"/api/sessions/{reads[0]!["session_id"]!.GetValue<string>()}"))!;
        session["status"]!.GetValue<string>().Should().Be("expired");

        (await _http.GetFromJsonAsync<JsonObject>($"/api/reviews/{shown}"))!["status"]!.GetValue<string>().Should().Be("expired");

        var pending = (await _http.GetFromJsonAsync<JsonObject>("/api/reviews?status=pending&connection=fast"))!["data"]!.AsArray();
        pending.Select(r => r!["id"]!.GetValue<string>()).Should().NotContain([listed, byCli]);
        var expired = (await _http.GetFromJsonAsync<JsonObject>("/api/reviews?status=expired&connection=fast"))!["data"]!.AsArray();
        expired.Select(r => r!["id"]!.GetValue<string>()).Should().Contain([polled, shown, listed, byCli]);

        using var cli = new CliRunner(gateway);
        var show = await cli.RunAsync(["reviews", "show", byCli, "--json"], gatewayUrl: _http.BaseAddress!.ToString().TrimEnd('/'));
        show.ExitCode.Should().Be(0, show.Stderr);
        JsonNode.Parse(show.Stdout)!["status"]!.GetValue<string>().Should().Be("expired");

        // Four reviews expired by concurrent and repeated reads: four events, not one per read.
        await WaitForDeliveriesAsync(hookId, 4);
        await Task.Delay(TimeSpan.FromSeconds(1));
        (await DeliveryCountAsync(hookId)).Should().Be(4);
    }

    private async Task<long> DeliveryCountAsync(string hookId) =>
        (await _http.GetFromJsonAsync<JsonObject>($"/api/webhooks/{hookId}/deliveries"))!["pages"]!["total"]!.GetValue<long>();

    private async Task WaitForDeliveriesAsync(string hookId, long count)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10);
        while (await DeliveryCountAsync(hookId) < count && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Pending_reviews_survive_a_restart_and_deadlines_that_passed_meanwhile_are_enforced()
    {
        await CreateConnectionsAndRuleAsync(("slow", "30m"), ("fast", "2s"));
        using var requester = await ClientForNewUserAsync("dev");
        var slow = await PendingReviewAsync(requester, "slow", 99_001);
        var fast = await PendingReviewAsync(requester, "fast", 99_002);

        await StopAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await StartAsync();

        var expired = (await _http.GetFromJsonAsync<JsonObject>($"/api/reviews/{fast}?wait=5s"))!;
        expired["status"]!.GetValue<string>().Should().Be("expired", "its deadline passed while the gateway was down");
        var session = (await _http.GetFromJsonAsync<JsonObject>($"/api/sessions/{expired["session_id"]!.GetValue<string>()}"))!;
        session["status"]!.GetValue<string>().Should().Be("expired");

        var pending = (await _http.GetFromJsonAsync<JsonObject>($"/api/reviews/{slow}"))!;
        pending["status"]!.GetValue<string>().Should().Be("pending");
        (await _http.PostAsync($"/api/reviews/{slow}/approve", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        using var again = new HttpClient { BaseAddress = _http.BaseAddress };
        again.DefaultRequestHeaders.Authorization = requester.DefaultRequestHeaders.Authorization;
        var executed = await again.PostAsync($"/api/reviews/{slow}/execute", null);
        executed.StatusCode.Should().Be(HttpStatusCode.OK, await executed.Content.ReadAsStringAsync());
        (await executed.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>().Should().Be("done");
    }
}
