using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Hosting;
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

    private async Task StartAsync()
    {
        _app = GatewayHost.Build(new GatewayOptions { DataDirectory = _data, HttpListen = "127.0.0.1:0", PgListen = "127.0.0.1:0", AdminToken = GatewayFixture.Token });
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

    [Fact]
    public async Task Pending_reviews_survive_a_restart_and_deadlines_that_passed_meanwhile_are_enforced()
    {
        (await _http.PostAsJsonAsync("/api/groups", new { name = "dev" })).EnsureSuccessStatusCode();
        foreach (var (name, timeout) in new[] { ("slow", "30m"), ("fast", "2s") })
        {
            (await _http.PostAsJsonAsync("/api/connections", new
            {
                name, type = "postgres", host = "127.0.0.1", port = gateway.Postgres.Port, database = "app", username = "app",
                password = GatewayFixture.AppPassword, ssl_mode = "disable", access_groups = new[] { "dev" }, review_timeout = timeout,
            })).EnsureSuccessStatusCode();
        }
        (await _http.PostAsJsonAsync("/api/ai/session-analyzer/rules", new
        {
            name = "restart-rule", connection_names = new[] { "slow", "fast" },
            risk_evaluation = new { low_risk_action = "allow", medium_risk_action = "require_approval", high_risk_action = "block" },
        })).EnsureSuccessStatusCode();
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
