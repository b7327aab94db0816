using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Vigil.Tests.Fixtures;

/// <summary>
/// A small but real OpenID provider on <c>http://127.0.0.1:{random}</c>: discovery, JWKS (an RSA 2048 and a P-256 key),
/// an authorization endpoint that logs the configured user in without UI, and a token endpoint that checks the code
/// (single use), the redirect URI, client authentication and PKCE S256 before issuing a signed ID token. Behaviour and
/// faults are driven per test through <see cref="Settings"/>.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, PendingCode> _codes = new();
    private readonly Lock _keysLock = new();
    private readonly List<ProviderKey> _published = [];
    private ProviderKey _rsa;
    private ProviderKey _ec;
    private int _jwksFetches;
    private int _generation = 1;

    private OidcProvider(WebApplication app)
    {
        _app = app;
        _rsa = ProviderKey.Rsa("rsa-1");
        _ec = ProviderKey.Ec("ec-1");
        _published.AddRange([_rsa, _ec]);
    }

    /// <summary>Knobs for the next requests (claims, algorithm, faults); change freely between steps of a test.</summary>
    public OidcProviderSettings Settings { get; } = new();

    /// <summary>The issuer identifier and base URL, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string Issuer { get; private set; } = "";

    /// <summary>How many times <c>GET /jwks</c> was served.</summary>
    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    /// <summary>The <c>kid</c> the next ID token is signed under (without faults), for the current <see cref="Settings"/>.</summary>
    public string CurrentKid
    {
        get
        {
            lock (_keysLock)
            {
                return (Settings.Algorithm == "ES256" ? _ec : _rsa).Kid;
            }
        }
    }

    /// <summary>The <c>exp</c> of the last ID token issued (whole seconds, UTC).</summary>
    public DateTimeOffset LastIdTokenExpires { get; private set; }

    /// <summary>The <c>kid</c> header of the last ID token issued (empty for <c>alg: none</c>).</summary>
    public string LastIdTokenKid { get; private set; } = "";

    /// <summary>The query of the last <c>GET /authorize</c>, as received.</summary>
    public IReadOnlyDictionary<string, string> LastAuthorizeQuery { get; private set; } = new Dictionary<string, string>();

    /// <summary>Starts the provider on a free loopback port.</summary>
    public static async Task<OidcProvider> StartAsync()
    {
        var app = LoopbackServer.Create();
        var provider = new OidcProvider(app);
        app.MapGet("/.well-known/openid-configuration", provider.Discovery);
        app.MapGet("/jwks", provider.Jwks);
        app.MapGet("/authorize", provider.Authorize);
        app.MapPost("/token", provider.TokenAsync);
        await app.StartAsync();
        provider.Issuer = LoopbackServer.Address(app);
        return provider;
    }

    /// <summary>
    /// Publishes a new RSA and a new EC key (the old ones stay published) and signs with the new ones from now on.
    /// Returns the new <c>kid</c> for the current algorithm.
    /// </summary>
    public string Rotate()
    {
        lock (_keysLock)
        {
            var generation = ++_generation;
            _rsa = ProviderKey.Rsa($"rsa-{generation}");
            _ec = ProviderKey.Ec($"ec-{generation}");
            _published.AddRange([_rsa, _ec]);
        }
        return CurrentKid;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        lock (_keysLock)
        {
            foreach (var key in _published)
            {
                key.Dispose();
            }
        }
    }

    private IResult Discovery() => Json(new JsonObject
    {
        ["issuer"] = Issuer,
        ["authorization_endpoint"] = Issuer + "/authorize",
        ["token_endpoint"] = Issuer + "/token",
        ["jwks_uri"] = Issuer + "/jwks",
        ["response_types_supported"] = new JsonArray("code"),
        ["subject_types_supported"] = new JsonArray("public"),
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256", "ES256"),
        ["code_challenge_methods_supported"] = new JsonArray("S256"),
        ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_basic", "none"),
        ["grant_types_supported"] = new JsonArray("authorization_code"),
    });

    private IResult Jwks()
    {
        Interlocked.Increment(ref _jwksFetches);
        var keys = new JsonArray();
        lock (_keysLock)
        {
            foreach (var key in _published)
            {
                keys.Add(key.ToJwk());
            }
        }
        return Json(new JsonObject { ["keys"] = keys });
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        LastAuthorizeQuery = query;
        var redirectUri = query.GetValueOrDefault("redirect_uri", "");
        if (query.GetValueOrDefault("client_id") != Settings.ClientId)
        {
            return Results.BadRequest("unknown client_id");
        }
        if (!Settings.RedirectUris.Contains(redirectUri))
        {
            // Never redirect to an unregistered URI (RFC 6749 §4.1.2.1).
            return Results.BadRequest("unregistered redirect_uri");
        }
        var state = query.GetValueOrDefault("state", "");
        if (query.GetValueOrDefault("response_type") != "code")
        {
            return Back(redirectUri, ("error", "unsupported_response_type"), ("state", state));
        }
        var challenge = query.GetValueOrDefault("code_challenge", "");
        if (query.GetValueOrDefault("code_challenge_method") != "S256" || challenge.Length < 43)
        {
            return Back(redirectUri, ("error", "invalid_request"), ("state", state));
        }
        if (Settings.Deny)
        {
            return Back(redirectUri, ("error", "access_denied"), ("state", state));
        }
        var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _codes[code] = new PendingCode(Settings.ClientId, redirectUri, query.GetValueOrDefault("nonce"), challenge);
        return Back(redirectUri, ("code", code), ("state", state));
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        string? clientId;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            clientId = WebUtility.UrlDecode(pair[..colon]);
            var secret = WebUtility.UrlDecode(pair[(colon + 1)..]);
            if (clientId != Settings.ClientId || Settings.ClientSecret is null || secret != Settings.ClientSecret)
            {
                return Error(HttpStatusCode.Unauthorized, "invalid_client", "client authentication failed");
            }
        }
        else
        {
            clientId = form["client_id"];
            if (clientId != Settings.ClientId || Settings.ClientSecret is not null)
            {
                return Error(HttpStatusCode.Unauthorized, "invalid_client", "client authentication failed");
            }
        }
        if (form["grant_type"] != "authorization_code")
        {
            return Error(HttpStatusCode.BadRequest, "unsupported_grant_type", null);
        }
        if (!_codes.TryRemove(form["code"].ToString(), out var pending))
        {
            return Error(HttpStatusCode.BadRequest, "invalid_grant", "unknown or already used code");
        }
        if (pending.ClientId != clientId || pending.RedirectUri != form["redirect_uri"])
        {
            return Error(HttpStatusCode.BadRequest, "invalid_grant", "redirect_uri or client does not match the authorization request");
        }
        var verifier = form["code_verifier"].ToString();
        if (Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != pending.CodeChallenge)
        {
            return Error(HttpStatusCode.BadRequest, "invalid_grant", "PKCE verification failed");
        }
        return Json(new JsonObject
        {
            ["access_token"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)),
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["id_token"] = IssueIdToken(pending),
        });
    }

    private string IssueIdToken(PendingCode pending)
    {
        var settings = Settings;
        var now = DateTimeOffset.UtcNow;
        var expires = settings.ExpiredBySeconds is { } ago ? now.AddSeconds(-ago) : now.AddMinutes(5);
        LastIdTokenExpires = DateTimeOffset.FromUnixTimeSeconds(expires.ToUnixTimeSeconds());
        var payload = new JsonObject
        {
            ["iss"] = settings.WrongIssuer ? Issuer + "/evil" : Issuer,
            ["sub"] = settings.Subject,
            ["aud"] = settings.WrongAudience ? "someone-else" : pending.ClientId,
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["iat"] = expires.AddMinutes(-5).ToUnixTimeSeconds(),
            ["nonce"] = settings.WrongNonce ? "not-the-login-nonce" : pending.Nonce,
        };
        if (settings.Email is not null)
        {
            payload["email"] = settings.Email;
        }
        if (settings.EmailVerified is { } verified)
        {
            payload["email_verified"] = verified;
        }
        if (settings.Name is not null)
        {
            payload["name"] = settings.Name;
        }
        if (settings.Groups is not null)
        {
            payload[settings.GroupsClaim] = settings.Groups.DeepClone();
        }

        if (settings.AlgNone)
        {
            LastIdTokenKid = "";
            return Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" }) + "." + Encode(payload) + ".";
        }
        ProviderKey current;
        lock (_keysLock)
        {
            current = settings.Algorithm == "ES256" ? _ec : _rsa;
        }
        using var unpublished = !settings.BadSignature && !settings.UnknownKid ? null
            : settings.Algorithm == "ES256" ? ProviderKey.Ec("unpublished") : ProviderKey.Rsa("unpublished");
        var (signer, kid) = settings.BadSignature ? (unpublished!, current.Kid)
            : settings.UnknownKid ? (unpublished!, settings.UnknownKidValue)
            : (current, current.Kid);
        LastIdTokenKid = kid;
        var header = new JsonObject { ["alg"] = signer.Algorithm, ["typ"] = "JWT", ["kid"] = kid };
        var signingInput = Encode(header) + "." + Encode(payload);
        return signingInput + "." + Base64Url.EncodeToString(signer.Sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    private static string Encode(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private static IResult Json(JsonObject body) => Results.Text(body.ToJsonString(), "application/json");

    private static IResult Error(HttpStatusCode status, string error, string? description)
    {
        var body = new JsonObject { ["error"] = error };
        if (description is not null)
        {
            body["error_description"] = description;
        }
        return Results.Text(body.ToJsonString(), "application/json", statusCode: (int)status);
    }

    private static IResult Back(string redirectUri, params (string Name, string Value)[] parameters) =>
        Results.Redirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(
            redirectUri, parameters.Select(p => new KeyValuePair<string, string?>(p.Name, p.Value))));

    private sealed record PendingCode(string ClientId, string RedirectUri, string? Nonce, string CodeChallenge);
}

/// <summary>Per-test behaviour of <see cref="OidcProvider"/>.</summary>
public sealed class OidcProviderSettings
{
    public string ClientId { get; set; } = "vigil";

    /// <summary>Null: public client (client_id in the body); otherwise client_secret_basic with this secret is required.</summary>
    public string? ClientSecret { get; set; }

    public HashSet<string> RedirectUris { get; } = ["http://127.0.0.1:8009/api/auth/oidc/callback"];

    public string Subject { get; set; } = "user-7f3a";
    public string? Email { get; set; } = "ada@example.com";
    public string? Name { get; set; } = "Ada Lovelace";
    /// <summary>The <c>email_verified</c> claim; not sent when null.</summary>
    public bool? EmailVerified { get; set; }
    public string GroupsClaim { get; set; } = "groups";

    /// <summary>The groups claim value: a JSON array, a single string, or null to omit it.</summary>
    public JsonNode? Groups { get; set; } = new JsonArray("dba", "oncall");

    /// <summary>"RS256" (default) or "ES256".</summary>
    public string Algorithm { get; set; } = "RS256";

    /// <summary>Answer <c>error=access_denied</c> instead of a code.</summary>
    public bool Deny { get; set; }

    public bool WrongAudience { get; set; }

    /// <summary>Issue tokens whose <c>exp</c> is this many seconds in the past.</summary>
    public int? ExpiredBySeconds { get; set; }

    /// <summary>Sign with an unpublished key but under the current, published <c>kid</c>.</summary>
    public bool BadSignature { get; set; }

    /// <summary>Sign with an unpublished key under <see cref="UnknownKidValue"/>.</summary>
    public bool UnknownKid { get; set; }

    public string UnknownKidValue { get; set; } = "kid-unpublished";

    public bool WrongNonce { get; set; }

    public bool WrongIssuer { get; set; }

    /// <summary>Issue an unsigned token (<c>alg: none</c>, empty signature).</summary>
    public bool AlgNone { get; set; }
}

/// <summary>One signing key of the test provider and its JWK form (RFC 7517/7518).</summary>
internal sealed class ProviderKey : IDisposable
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ec;

    private ProviderKey(string kid, RSA? rsa, ECDsa? ec)
    {
        Kid = kid;
        _rsa = rsa;
        _ec = ec;
    }

    public string Kid { get; }

    public string Algorithm => _rsa is not null ? "RS256" : "ES256";

    // Key material per kid is generated once per test run (RSA 2048 generation costs up to a few hundred ms); every
    // provider gets its own instances. "unpublished" is never in any JWKS.
    private static readonly ConcurrentDictionary<string, RSAParameters> RsaMaterial = new();
    private static readonly ConcurrentDictionary<string, ECParameters> EcMaterial = new();

    public static ProviderKey Rsa(string kid) => new(kid, RSA.Create(RsaMaterial.GetOrAdd(kid, static _ =>
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportParameters(true);
    })), null);

    public static ProviderKey Ec(string kid) => new(kid, null, ECDsa.Create(EcMaterial.GetOrAdd(kid, static _ =>
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return ec.ExportParameters(true);
    })));

    /// <summary>RS256: RSASSA-PKCS1-v1_5 with SHA-256; ES256: ECDSA P-256 SHA-256 as r||s (RFC 7518 §3.4).</summary>
    public byte[] Sign(byte[] input) => _rsa is not null
        ? _rsa.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
        : _ec!.SignData(input, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public JsonObject ToJwk()
    {
        if (_rsa is not null)
        {
            var p = _rsa.ExportParameters(false);
            return new JsonObject
            {
                ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = Kid,
                ["n"] = Base64Url.EncodeToString(p.Modulus), ["e"] = Base64Url.EncodeToString(p.Exponent),
            };
        }
        var q = _ec!.ExportParameters(false).Q;
        return new JsonObject
        {
            ["kty"] = "EC", ["use"] = "sig", ["alg"] = "ES256", ["kid"] = Kid, ["crv"] = "P-256",
            ["x"] = Base64Url.EncodeToString(q.X), ["y"] = Base64Url.EncodeToString(q.Y),
        };
    }

    public void Dispose()
    {
        _rsa?.Dispose();
        _ec?.Dispose();
    }
}
