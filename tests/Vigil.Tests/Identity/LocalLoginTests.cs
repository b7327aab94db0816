using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Hosting;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Identity;

/// <summary>Local password login: the browser-session cookie, CSRF protection, no user enumeration, password changes.</summary>
[Collection(GatewayCollection.Name)]
public sealed class LocalLoginTests(GatewayFixture gateway)
{
    private const string Password = "correct horse battery staple";

    private HttpClient Browser(out CookieContainerHolder cookies)
    {
        cookies = new CookieContainerHolder();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies.Container, AllowAutoRedirect = false }) { BaseAddress = new Uri(gateway.HttpAddress) };
    }

    public sealed class CookieContainerHolder
    {
        public CookieContainer Container { get; } = new();
    }

    [Fact]
    public async Task Login_sets_an_HttpOnly_SameSite_cookie_and_the_session_reads_the_api()
    {
        var user = await gateway.CreateUserAsync([], Password);
        using var browser = Browser(out _);
        var response = await browser.PostAsJsonAsync("/api/localauth/login", new { email = user.Name, password = Password });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var setCookies = response.Headers.GetValues("Set-Cookie").ToList();
        var session = setCookies.Single(c => c.StartsWith("vigil_session=", StringComparison.Ordinal));
        session.Should().Contain("httponly").And.Contain("samesite=lax").And.Contain("path=/").And.NotContain("secure", "plain HTTP here; Secure is set over TLS");
        setCookies.Single(c => c.StartsWith("vigil_csrf=", StringComparison.Ordinal)).Should().NotContain("httponly");
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        body["user"]!["email"]!.GetValue<string>().Should().Be(user.Name);
        body["user"]!["login"]!.GetValue<string>().Should().Be("local");
        body["csrf_token"]!.GetValue<string>().Should().HaveLength(43);
        body.ToJsonString().Should().NotContain(session.Split(';')[0].Split('=')[1], "the session id travels only in the cookie");

        (await browser.GetFromJsonAsync<JsonObject>("/api/userinfo"))!["email"]!.GetValue<string>().Should().Be(user.Name);

        (await browser.PostAsync("/api/localauth/logout", null)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await browser.GetAsync("/api/userinfo")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Cookie_authenticated_changes_need_the_csrf_token_and_same_origin()
    {
        var user = await gateway.CreateUserAsync([], Password);
        using var browser = Browser(out _);
        var login = (await (await browser.PostAsJsonAsync("/api/localauth/login", new { email = user.Name, password = Password })).Content.ReadFromJsonAsync<JsonObject>())!;
        var csrf = login["csrf_token"]!.GetValue<string>();

        var noToken = await browser.PostAsJsonAsync("/api/tokens", new { name = "cli" });
        noToken.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await noToken.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>().Should().Contain("CSRF");

        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = JsonContent.Create(new { name = "cli" }) })
        {
            wrong.Headers.Add("X-CSRF-Token", csrf[..^1] + (csrf[^1] == 'A' ? 'B' : 'A'));
            (await browser.SendAsync(wrong)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
        using (var crossOrigin = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = JsonContent.Create(new { name = "cli" }) })
        {
            crossOrigin.Headers.Add("X-CSRF-Token", csrf);
            crossOrigin.Headers.Add("Origin", "https://evil.example");
            (await browser.SendAsync(crossOrigin)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
        using (var form = new HttpRequestMessage(HttpMethod.Post, "/api/localauth/password")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["csrf_token"] = "forged" }),
        })
        {
            (await browser.SendAsync(form)).StatusCode.Should().Be(HttpStatusCode.Forbidden, "a form post needs the real token too");
        }
        using (var good = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = JsonContent.Create(new { name = "cli", expires_in = "30d" }) })
        {
            good.Headers.Add("X-CSRF-Token", csrf);
            var created = await browser.SendAsync(good);
            created.StatusCode.Should().Be(HttpStatusCode.Created);
            (await created.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>().Should().StartWith("vgl_");
        }
        (await browser.GetAsync("/api/tokens")).StatusCode.Should().Be(HttpStatusCode.OK, "reads need no CSRF token");
    }

    [Fact]
    public async Task Failures_look_the_same_for_unknown_users_wrong_passwords_no_password_and_inactive_users()
    {
        var user = await gateway.CreateUserAsync([], Password);
        var passwordless = await gateway.CreateUserAsync([]);
        var inactive = await gateway.CreateUserAsync([], Password);
        (await gateway.Http.PatchAsJsonAsync($"/api/users/{inactive.Id}", new { status = "inactive" })).EnsureSuccessStatusCode();
        using var browser = Browser(out _);
        var attempts = new (string Email, string Password)[]
        {
            ("nobody-" + Guid.NewGuid().ToString("N")[..6] + "@example.com", Password),
            (user.Name, Password + "!"),
            (passwordless.Name, Password),
            (inactive.Name, Password),
        };
        var answers = new List<string>();
        var durations = new List<double>();
        foreach (var (email, password) in attempts)
        {
            // The fastest of three tries per case: a scheduling stall on a busy 2-core machine only ever adds time.
            var fastest = double.MaxValue;
            for (var i = 0; i < 3; i++)
            {
                var watch = Stopwatch.StartNew();
                var response = await browser.PostAsJsonAsync("/api/localauth/login", new { email, password });
                fastest = Math.Min(fastest, watch.Elapsed.TotalMilliseconds);
                response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
                response.Headers.Contains("Set-Cookie").Should().BeFalse();
                answers.Add((await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>());
            }
            durations.Add(fastest);
        }
        answers.Distinct().Should().Equal("invalid e-mail or password");
        // Every failure pays for one PBKDF2 derivation, so an unknown e-mail is not measurably faster than a wrong password.
        durations.Min().Should().BeGreaterThan(durations.Max() / 4, $"timings were {string.Join(", ", durations.Select(d => $"{d:F0} ms"))}");
    }

    [Fact]
    public async Task Password_change_needs_the_current_password_and_stores_a_pbkdf2_hash()
    {
        var user = await gateway.CreateUserAsync([], Password);
        using var client = gateway.ClientFor(user.Token);
        (await client.PostAsJsonAsync("/api/localauth/password", new { current_password = "wrong password!!", new_password = "a brand new passphrase" }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await client.PostAsJsonAsync("/api/localauth/password", new { current_password = Password, new_password = "short" }))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await client.PostAsJsonAsync("/api/localauth/password", new { current_password = Password, new_password = "a brand new passphrase" }))
            .StatusCode.Should().Be(HttpStatusCode.NoContent);
        using var browser = Browser(out _);
        (await browser.PostAsJsonAsync("/api/localauth/login", new { email = user.Name, password = Password })).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await browser.PostAsJsonAsync("/api/localauth/login", new { email = user.Name, password = "a brand new passphrase" })).StatusCode.Should().Be(HttpStatusCode.OK);

        await using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(gateway.DataDirectory, "vigil.db")};Mode=ReadOnly");
        await db.OpenAsync();
        await using var command = db.CreateCommand();
        command.CommandText = "SELECT password_hash FROM users WHERE email = $email";
        command.Parameters.AddWithValue("$email", user.Name);
        var stored = (string)(await command.ExecuteScalarAsync())!;
        stored.Should().MatchRegex(@"^pbkdf2_sha256\$600000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$");
        stored.Should().NotContain("passphrase");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"email\":\"a@example.com\"}")]
    [InlineData("not json")]
    public async Task Incomplete_login_requests_are_400(string body)
    {
        using var browser = Browser(out _);
        (await browser.PostAsync("/api/localauth/login", new StringContent(body, System.Text.Encoding.UTF8, "application/json")))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}

/// <summary>Login rate limits, on a gateway of their own so the low limits do not disturb other tests.</summary>
public sealed class LoginRateLimitTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "vigil-ratelimit-" + Guid.NewGuid().ToString("N")[..8]);
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = GatewayHost.Build(new GatewayOptions
        {
            DataDirectory = _data, HttpListen = "127.0.0.1:0", PgListen = "127.0.0.1:0", SshListen = "127.0.0.1:0", AdminToken = GatewayFixture.Token,
            LoginAttemptsPerUser = 3, LoginAttemptsPerAddress = 6, LoginWindow = TimeSpan.FromMinutes(10),
        });
        await GatewayHost.BootstrapAsync(_app, CancellationToken.None);
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(GatewayHost.HttpAddress(_app)) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private async Task<HttpResponseMessage> LoginAsync(string email) =>
        await _http.PostAsJsonAsync("/api/localauth/login", new { email, password = "wrong password, surely" });

    [Fact]
    public async Task Per_user_then_per_address_limits_answer_429_with_Retry_After()
    {
        for (var i = 0; i < 3; i++)
        {
            (await LoginAsync("victim@example.com")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
        var limited = await LoginAsync("VICTIM@example.com");
        limited.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the per-user limit ignores case");
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        retryAfter.Should().BeInRange(1, 600);
        (await limited.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>().Should().Contain("too many login attempts");

        (await LoginAsync("someone-else@example.com")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "other users are not locked out");
        (await LoginAsync("third@example.com")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await LoginAsync("fourth@example.com")).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the seventh attempt from one address exceeds its limit of 6");
    }
}
