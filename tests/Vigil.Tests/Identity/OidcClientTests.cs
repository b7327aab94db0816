using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Vigil.Identity.Oidc;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Identity;

/// <summary>
/// The OpenID Connect relying party against a real provider over HTTP: authorization request, redirect, code
/// redemption with PKCE, and ID token validation (OpenID Connect Core 1.0 §3.1.3.7), including its faults.
/// </summary>
public sealed class OidcClientTests : IAsyncLifetime
{
    private const string RedirectUri = "http://127.0.0.1:8009/api/auth/oidc/callback";

    /// <summary>Microsoft.IdentityModel 6.8's ConfigurationManager ignores RequestRefresh within 1 s of its last fetch.</summary>
    private static readonly TimeSpan LibraryRefreshFloor = TimeSpan.FromMilliseconds(1100);

    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false });
    private OidcProvider _provider = null!;

    public async Task InitializeAsync() => _provider = await OidcProvider.StartAsync();

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        _http.Dispose();
    }

    private OidcOptions Options => new(new Uri(_provider.Issuer), "vigil", _provider.Settings.ClientSecret)
    {
        KeyRefreshInterval = TimeSpan.Zero,
    };

    private OidcClient Client(OidcOptions? options = null) => new(options ?? Options, _http, TimeProvider.System);

    /// <summary>Follows the browser's part: GET the authorization URL, read code and state from the 302.</summary>
    private async Task<(OidcAuthorizationRequest Request, string Code)> AuthorizeAsync(OidcClient client)
    {
        var request = await client.CreateAuthorizationRequestAsync(RedirectUri, CancellationToken.None);
        using var response = await _http.GetAsync(new Uri(request.Url));
        response.StatusCode.Should().Be(HttpStatusCode.Found);
        var location = response.Headers.Location!;
        location.GetLeftPart(UriPartial.Path).Should().Be(RedirectUri);
        var query = QueryHelpers.ParseQuery(location.Query);
        query["state"].ToString().Should().Be(request.State);
        query.Should().NotContainKey("error");
        return (request, query["code"].ToString());
    }

    private async Task<OidcIdentity> LoginAsync(OidcClient client)
    {
        var (request, code) = await AuthorizeAsync(client);
        return await client.CompleteAsync(code, request, RedirectUri, CancellationToken.None);
    }

    private async Task<string> FailedLoginAsync(OidcClient? client = null)
    {
        var act = () => LoginAsync(client ?? Client());
        return (await act.Should().ThrowExactlyAsync<OidcException>()).Which.Message;
    }

    [Fact]
    public async Task Rs256_login_returns_subject_email_name_and_groups()
    {
        var identity = await LoginAsync(Client());

        identity.Subject.Should().Be("user-7f3a");
        identity.Email.Should().Be("ada@example.com");
        identity.Name.Should().Be("Ada Lovelace");
        identity.Groups.Should().Equal("dba", "oncall");
        _provider.LastIdTokenKid.Should().Be("rsa-1");
    }

    [Fact]
    public async Task Es256_login_with_client_secret_basic()
    {
        _provider.Settings.Algorithm = "ES256";
        _provider.Settings.ClientSecret = "s3cret:with+odd chars";
        _provider.Settings.Groups = "admins";
        _provider.Settings.Email = null;

        var identity = await LoginAsync(Client());

        identity.Should().BeEquivalentTo(new { Subject = "user-7f3a", Email = (string?)null, Name = "Ada Lovelace" });
        identity.Groups.Should().Equal("admins");
        _provider.LastIdTokenKid.Should().Be("ec-1");
    }

    [Fact]
    public async Task Public_client_is_refused_where_a_secret_is_required_and_groups_claim_is_configurable()
    {
        _provider.Settings.ClientSecret = "required";
        var message = await FailedLoginAsync(Client(Options with { ClientSecret = null }));
        message.Should().Be("token endpoint answered 401: invalid_client (client authentication failed)");

        _provider.Settings.GroupsClaim = "roles";
        _provider.Settings.Groups = new JsonArray("viewer");
        (await LoginAsync(Client())).Groups.Should().BeEmpty();
        (await LoginAsync(Client(Options with { GroupsClaim = "roles" }))).Groups.Should().Equal("viewer");
    }

    [Fact]
    public async Task Authorization_url_carries_pkce_s256_state_and_nonce()
    {
        var request = await Client().CreateAuthorizationRequestAsync(RedirectUri, CancellationToken.None);

        request.Url.Should().StartWith(_provider.Issuer + "/authorize?");
        var query = QueryHelpers.ParseQuery(new Uri(request.Url).Query).ToDictionary(p => p.Key, p => p.Value.ToString());
        var expectedChallenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(request.CodeVerifier)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        query.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = "vigil",
            ["redirect_uri"] = RedirectUri,
            ["scope"] = "openid profile email",
            ["state"] = request.State,
            ["nonce"] = request.Nonce,
            ["code_challenge"] = expectedChallenge,
            ["code_challenge_method"] = "S256",
        });
        foreach (var value in new[] { request.State, request.Nonce, request.CodeVerifier })
        {
            value.Should().MatchRegex("^[A-Za-z0-9_-]{43}$");
        }
        new[] { request.State, request.Nonce, request.CodeVerifier }.Should().OnlyHaveUniqueItems();
        request.Url.Should().NotContain(request.CodeVerifier);
    }

    [Fact]
    public async Task Wrong_audience_is_rejected()
    {
        _provider.Settings.WrongAudience = true;
        (await FailedLoginAsync()).Should().Be("ID token audience does not include client 'vigil'");
    }

    [Fact]
    public async Task Expired_token_is_rejected_with_its_expiry()
    {
        _provider.Settings.ExpiredBySeconds = 300;
        var message = await FailedLoginAsync();
        message.Should().Be($"ID token expired at {_provider.LastIdTokenExpires.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}");
    }

    [Fact]
    public async Task Expired_within_clock_skew_is_accepted_and_beyond_it_is_not()
    {
        _provider.Settings.ExpiredBySeconds = 20;
        (await LoginAsync(Client())).Subject.Should().Be("user-7f3a");
        (await FailedLoginAsync(Client(Options with { ClockSkew = TimeSpan.FromSeconds(5) }))).Should().StartWith("ID token expired at ");
    }

    [Fact]
    public async Task Bad_signature_under_a_published_kid_is_rejected()
    {
        _provider.Settings.BadSignature = true;
        (await FailedLoginAsync()).Should().Be("ID token signature is invalid");
        _provider.LastIdTokenKid.Should().Be("rsa-1");

        _provider.Settings.Algorithm = "ES256";
        (await FailedLoginAsync()).Should().Be("ID token signature is invalid");
    }

    [Fact]
    public async Task Unknown_kid_refetches_the_jwks_once_then_is_rejected()
    {
        var client = Client(Options with { KeyRefreshInterval = TimeSpan.FromMinutes(5) });
        var (request, code) = await AuthorizeAsync(client);
        _provider.JwksFetches.Should().Be(1);
        _provider.Settings.UnknownKid = true;
        await Task.Delay(LibraryRefreshFloor);

        var act = () => client.CompleteAsync(code, request, RedirectUri, CancellationToken.None);
        (await act.Should().ThrowExactlyAsync<OidcException>()).Which.Message
            .Should().Be("ID token signed with unknown key 'kid-unpublished'");
        _provider.JwksFetches.Should().Be(2);

        // Within KeyRefreshInterval a second unknown kid does not hit the provider again.
        _provider.Settings.UnknownKidValue = "kid-other";
        await Task.Delay(LibraryRefreshFloor);
        (await FailedLoginAsync(client)).Should().Be("ID token signed with unknown key 'kid-other'");
        _provider.JwksFetches.Should().Be(2);
    }

    [Fact]
    public async Task Rotated_key_is_accepted_after_one_jwks_refresh()
    {
        var client = Client();
        (await LoginAsync(client)).Subject.Should().Be("user-7f3a");
        _provider.JwksFetches.Should().Be(1);

        var newKid = _provider.Rotate();
        newKid.Should().Be("rsa-2");
        await Task.Delay(LibraryRefreshFloor);
        (await LoginAsync(client)).Groups.Should().Equal("dba", "oncall");
        _provider.LastIdTokenKid.Should().Be("rsa-2");
        _provider.JwksFetches.Should().Be(2);

        (await LoginAsync(client)).Subject.Should().Be("user-7f3a");
        _provider.JwksFetches.Should().Be(2);
    }

    [Fact]
    public async Task Nonce_mismatch_is_rejected()
    {
        _provider.Settings.WrongNonce = true;
        (await FailedLoginAsync()).Should().Be("ID token nonce does not match the login request");
    }

    [Fact]
    public async Task Wrong_issuer_is_rejected()
    {
        _provider.Settings.WrongIssuer = true;
        (await FailedLoginAsync()).Should()
            .Be($"ID token issuer '{_provider.Issuer}/evil' is not the provider's issuer '{_provider.Issuer}'");
    }

    [Fact]
    public async Task Alg_none_is_rejected()
    {
        _provider.Settings.AlgNone = true;
        (await FailedLoginAsync()).Should().Be("ID token algorithm 'none' is not accepted (RS256 or ES256 required)");
    }

    [Fact]
    public async Task Token_endpoint_error_is_readable_and_secret_free()
    {
        var client = Client();
        var (request, code) = await AuthorizeAsync(client);
        var forged = request with { CodeVerifier = new string('A', 43) };

        var act = () => client.CompleteAsync(code, forged, RedirectUri, CancellationToken.None);
        var message = (await act.Should().ThrowExactlyAsync<OidcException>()).Which.Message;

        message.Should().Be("token endpoint answered 400: invalid_grant (PKCE verification failed)");
        message.Should().NotContain(code).And.NotContain(forged.CodeVerifier);

        // The code was single use: the right verifier is now too late.
        act = () => client.CompleteAsync(code, request, RedirectUri, CancellationToken.None);
        (await act.Should().ThrowExactlyAsync<OidcException>()).Which.Message
            .Should().Be("token endpoint answered 400: invalid_grant (unknown or already used code)");
    }

    [Fact]
    public async Task Unreadable_discovery_document_is_reported()
    {
        var client = Client(Options with { Issuer = new Uri(_provider.Issuer + "/nowhere") });
        var act = () => client.CreateAuthorizationRequestAsync(RedirectUri, CancellationToken.None);
        (await act.Should().ThrowExactlyAsync<OidcException>()).Which.Message.Should().Be(
            $"cannot read the discovery document of {_provider.Issuer}/nowhere: "
            + $"GET {_provider.Issuer}/nowhere/.well-known/openid-configuration answered 404 Not Found");
    }

    [Fact]
    public async Task Provider_denial_comes_back_as_an_error_with_the_state()
    {
        _provider.Settings.Deny = true;
        var request = await Client().CreateAuthorizationRequestAsync(RedirectUri, CancellationToken.None);
        using var response = await _http.GetAsync(new Uri(request.Url));
        response.StatusCode.Should().Be(HttpStatusCode.Found);
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        query.Keys.Should().BeEquivalentTo("error", "state");
        query["error"].ToString().Should().Be("access_denied");
        query["state"].ToString().Should().Be(request.State);
    }

    [Theory]
    [InlineData("http://idp.example.com", false)]
    [InlineData("http://10.0.0.5:8080/realms/x", false)]
    [InlineData("https://idp.example.com", true)]
    [InlineData("http://localhost:5556", true)]
    [InlineData("http://127.0.0.1:5556", true)]
    [InlineData("http://[::1]:5556", true)]
    public void Plain_http_issuer_is_allowed_only_on_loopback(string issuer, bool allowed)
    {
        var act = () => new OidcClient(new OidcOptions(new Uri(issuer), "vigil"), _http, TimeProvider.System);
        if (allowed)
        {
            act.Should().NotThrow();
        }
        else
        {
            act.Should().ThrowExactly<OidcException>().Which.Message.Should().Be(
                $"the OpenID Connect issuer {new Uri(issuer)} must use https (plain http is allowed only for a loopback host: 127.0.0.1, ::1, localhost)");
        }
    }
}
