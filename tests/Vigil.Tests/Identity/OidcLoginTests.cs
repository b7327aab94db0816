using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Vigil.Hosting;
using Vigil.Identity.Oidc;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Identity;

/// <summary>
/// OIDC login end to end: a gateway configured against the test provider, a browser (HttpClient with cookies, no
/// automatic redirects) walking GET /api/login → provider → /api/callback, for the web console and for vigil login's
/// loopback redirect, with users provisioned on first login and the provider's faults refused.
/// </summary>
public sealed class OidcLoginTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "vigil-oidc-" + Guid.NewGuid().ToString("N")[..8]);
    private OidcProvider _provider = null!;
    private WebApplication _app = null!;
    private string _gateway = "";
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _provider = await OidcProvider.StartAsync();
        _app = GatewayHost.Build(new GatewayOptions
        {
            DataDirectory = _data, HttpListen = "127.0.0.1:0", PgListen = "127.0.0.1:0", SshListen = "127.0.0.1:0", AdminToken = GatewayFixture.Token,
            Oidc = new OidcOptions(new Uri(_provider.Issuer), "vigil") { KeyRefreshInterval = TimeSpan.Zero },
            OidcGroupMap = new Dictionary<string, string> { ["dba"] = "db-admins" },
        });
        await GatewayHost.BootstrapAsync(_app, CancellationToken.None);
        await _app.StartAsync();
        _gateway = GatewayHost.HttpAddress(_app);
        _provider.Settings.RedirectUris.Add(_gateway + "/api/callback");
        _admin = new HttpClient { BaseAddress = new Uri(_gateway) };
        _admin.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);
        (await _admin.PostAsJsonAsync("/api/groups", new { name = "db-admins" })).EnsureSuccessStatusCode();
        (await _admin.PostAsJsonAsync("/api/groups", new { name = "oncall" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _provider.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private static HttpClient Browser(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false });

    /// <summary>Walks the browser through the provider and returns the gateway callback's response.</summary>
    private async Task<HttpResponseMessage> LoginAsync(HttpClient browser, string? redirect = null)
    {
        var start = await browser.GetFromJsonAsync<JsonObject>($"{_gateway}/api/login" + (redirect is null ? "" : $"?redirect={Uri.EscapeDataString(redirect)}"));
        var authorize = await browser.GetAsync(start!["login_url"]!.GetValue<string>());
        authorize.StatusCode.Should().Be(HttpStatusCode.Found);
        var callback = authorize.Headers.Location!;
        callback.GetLeftPart(UriPartial.Path).Should().Be(_gateway + "/api/callback");
        return await browser.GetAsync(callback);
    }

    [Fact]
    public async Task Browser_login_creates_the_user_maps_groups_and_starts_a_cookie_session()
    {
        var cookies = new CookieContainer();
        using var browser = Browser(cookies);
        var response = await LoginAsync(browser);
        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().Should().Be("/");
        cookies.GetCookies(new Uri(_gateway))["vigil_session"]!.HttpOnly.Should().BeTrue();

        var me = (await browser.GetFromJsonAsync<JsonObject>($"{_gateway}/api/userinfo"))!;
        me["email"]!.GetValue<string>().Should().Be("ada@example.com");
        me["name"]!.GetValue<string>().Should().Be("Ada Lovelace");
        me["groups"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Equal(["db-admins", "oncall"], "'dba' maps to db-admins, 'oncall' matches a group");
        var user = (await _admin.GetFromJsonAsync<JsonObject>("/api/users/ada@example.com"))!;
        user["login"]!.GetValue<string>().Should().Be("oidc");

        _provider.Settings.Groups = new JsonArray("oncall");
        using var again = Browser();
        (await LoginAsync(again)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await _admin.GetFromJsonAsync<JsonObject>("/api/users/ada@example.com"))!["groups"]!.AsArray().Select(g => g!.GetValue<string>())
            .Should().Equal(["oncall"], "the provider's groups are applied on every login");
        var users = (await _admin.GetFromJsonAsync<JsonObject>("/api/users?page_size=100"))!["data"]!.AsArray();
        users.Count(u => u!["email"]!.GetValue<string>() == "ada@example.com").Should().Be(1, "the second login finds the linked user");
    }

    [Fact]
    public async Task Cli_login_redirects_to_the_loopback_with_a_working_api_token()
    {
        using var browser = Browser();
        var response = await LoginAsync(browser, "http://127.0.0.1:53682/callback");
        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        var location = response.Headers.Location!;
        location.GetLeftPart(UriPartial.Path).Should().Be("http://127.0.0.1:53682/callback");
        var token = QueryHelpers.ParseQuery(location.Query)["token"].ToString();
        token.Should().StartWith("vgl_");
        using var cli = new HttpClient { BaseAddress = new Uri(_gateway) };
        cli.DefaultRequestHeaders.Authorization = new("Bearer", token);
        (await cli.GetFromJsonAsync<JsonObject>("/api/userinfo"))!["email"]!.GetValue<string>().Should().Be("ada@example.com");
        var listed = (await cli.GetFromJsonAsync<JsonObject>("/api/tokens"))!["data"]!.AsArray().Single()!;
        DateTimeOffset.Parse(listed["expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeCloseTo(DateTimeOffset.UtcNow.AddDays(30), TimeSpan.FromMinutes(5));
    }

    [Theory]
    [InlineData("https://evil.example/callback")]
    [InlineData("http://evil.example/callback")]
    [InlineData("http://user@127.0.0.1:1/callback")]
    [InlineData("file:///etc/passwd")]
    public async Task Redirects_other_than_loopback_are_refused(string redirect)
    {
        using var browser = Browser();
        var response = await browser.GetAsync($"{_gateway}/api/login?redirect={Uri.EscapeDataString(redirect)}");
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("audience", "audience")]
    [InlineData("expired", "expired")]
    [InlineData("signature", "signature is invalid")]
    [InlineData("kid", "unknown key")]
    [InlineData("nonce", "nonce")]
    [InlineData("deny", "access_denied")]
    public async Task Provider_faults_are_refused_with_the_reason_and_create_nobody(string fault, string expected)
    {
        var s = _provider.Settings;
        s.Email = $"{fault}@example.com";
        switch (fault)
        {
            case "audience": s.WrongAudience = true; break;
            case "expired": s.ExpiredBySeconds = 600; break;
            case "signature": s.BadSignature = true; break;
            case "kid": s.UnknownKid = true; break;
            case "nonce": s.WrongNonce = true; break;
            case "deny": s.Deny = true; break;
        }
        using var browser = Browser();
        var response = await LoginAsync(browser);
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>().Should().StartWith("login failed: ").And.Contain(expected);
        response.Headers.Contains("Set-Cookie").Should().BeFalse();
        (await _admin.GetAsync($"/api/users/{fault}@example.com")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        using var cli = Browser();
        var redirected = await LoginAsync(cli, "http://127.0.0.1:53682/callback");
        var query = QueryHelpers.ParseQuery(redirected.Headers.Location!.Query);
        query.Should().NotContainKey("token");
        query["error"].ToString().Should().Contain(expected);

        var audit = (await _admin.GetFromJsonAsync<JsonObject>("/api/audit/logs?resource_type=oidc&outcome=failure"))!["data"]!.AsArray();
        audit.Should().NotBeEmpty();
    }

    [Fact]
    public async Task A_state_is_used_once_and_unknown_states_are_400()
    {
        using var browser = Browser();
        var start = await browser.GetFromJsonAsync<JsonObject>($"{_gateway}/api/login");
        var callback = (await browser.GetAsync(start!["login_url"]!.GetValue<string>())).Headers.Location!;
        (await browser.GetAsync(callback)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        (await browser.GetAsync(callback)).StatusCode.Should().Be(HttpStatusCode.BadRequest, "a replayed callback finds no pending login");
        (await browser.GetAsync($"{_gateway}/api/callback?code=x&state=forged")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await browser.GetAsync($"{_gateway}/api/callback?code=x")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task An_inactive_user_cannot_log_in_through_the_provider()
    {
        _provider.Settings.Email = "grace@example.com";
        _provider.Settings.Subject = "user-grace";
        using (var first = Browser())
        {
            (await LoginAsync(first)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        }
        (await _admin.PatchAsJsonAsync("/api/users/grace@example.com", new { status = "inactive" })).EnsureSuccessStatusCode();
        using var browser = Browser();
        var response = await LoginAsync(browser);
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>().Should().Contain("inactive");
    }

    [Fact]
    public async Task Auth_methods_report_oidc()
    {
        using var anonymous = new HttpClient();
        var methods = (await anonymous.GetFromJsonAsync<JsonObject>($"{_gateway}/api/auth/methods"))!;
        methods["oidc"]!.GetValue<bool>().Should().BeTrue();
        methods["local"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task An_unverified_email_does_not_take_over_an_existing_account()
    {
        // Escalation through the provider: whoever can put admin@vigil.local as the e-mail of an account at the
        // provider must not become the bootstrap admin. Linking by e-mail needs email_verified = true.
        _provider.Settings.Email = "admin@vigil.local";
        _provider.Settings.Subject = "attacker";
        _provider.Settings.EmailVerified = null;
        using (var browser = Browser())
        {
            var response = await LoginAsync(browser);
            response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>().Should().Contain("did not verify");
        }
        _provider.Settings.EmailVerified = false;
        using (var browser = Browser())
        {
            (await LoginAsync(browser)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
        _provider.Settings.EmailVerified = true;
        using (var browser = Browser())
        {
            (await LoginAsync(browser)).StatusCode.Should().Be(HttpStatusCode.Redirect, "a verified address links the existing account");
        }
    }

    [Fact]
    public async Task A_fresh_single_sign_on_session_may_set_a_first_password()
    {
        _provider.Settings.Email = "linus@example.com";
        _provider.Settings.Subject = "user-linus";
        var cookies = new CookieContainer();
        using var browser = Browser(cookies);
        (await LoginAsync(browser)).StatusCode.Should().Be(HttpStatusCode.Redirect);
        var csrf = cookies.GetCookies(new Uri(_gateway))["vigil_csrf"]!.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_gateway}/api/localauth/password")
        {
            Content = JsonContent.Create(new { new_password = "a first passphrase" }),
        };
        request.Headers.Add("X-CSRF-Token", csrf);

        var response = await browser.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        (await browser.PostAsJsonAsync($"{_gateway}/api/localauth/login", new { email = "linus@example.com", password = "a first passphrase" }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
