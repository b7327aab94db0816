using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Vigil.Identity.Oidc;

/// <summary>
/// An OpenID Connect relying party for the authorization code flow with PKCE: builds the authorization request
/// (OpenID Connect Core 1.0 §3.1.2.1, RFC 7636 with <c>S256</c>), redeems the code at the token endpoint (RFC 6749
/// §4.1.3, <c>client_secret_basic</c> or a public client) and validates the ID token as OpenID Connect Core 1.0
/// §3.1.3.7 requires. Provider metadata comes from OpenID Connect Discovery 1.0 through a cached
/// <see cref="ConfigurationManager{T}"/> (refetched daily, or early when an ID token names an unknown <c>kid</c>).
/// Thread-safe; create one per configured provider and reuse it.
/// </summary>
/// <remarks>
/// ID token rules: signed (JWS compact serialization; JWE and <c>alg: none</c> are refused) with RS256 or ES256 by a key
/// from the provider's JWKS; <c>iss</c> equal to the discovery document's issuer; <c>aud</c> containing
/// <see cref="OidcOptions.ClientId"/>; <c>azp</c>, if present, equal to it; <c>exp</c> required and <c>nbf</c>, if
/// present, checked against the injected <see cref="TimeProvider"/> with <see cref="OidcOptions.ClockSkew"/>;
/// <c>nonce</c> equal to the request's; <c>sub</c> present. Every failure throws <see cref="OidcException"/>.
/// </remarks>
public sealed class OidcClient
{
    private static readonly string[] AcceptedAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    private readonly OidcOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly string _issuer;
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _configuration;
    private readonly JsonWebTokenHandler _handler = new();
    private readonly Lock _keyRefreshLock = new();
    private DateTimeOffset? _lastKeyRefresh;

    /// <summary>Creates a client; nothing is fetched until the first request.</summary>
    /// <param name="options">The provider and client registration; validated here.</param>
    /// <param name="http">Used for discovery, JWKS and token requests; not disposed by this class. Its timeout bounds
    /// each request.</param>
    /// <param name="time">The clock for <c>exp</c>/<c>nbf</c> and for <see cref="OidcOptions.KeyRefreshInterval"/>.</param>
    /// <exception cref="OidcException">The options are unusable, e.g. a plain-HTTP issuer on a non-loopback host.</exception>
    public OidcClient(OidcOptions options, HttpClient http, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(time);
        Validate(options);
        _options = options;
        _http = http;
        _time = time;
        _issuer = options.Issuer.AbsoluteUri.TrimEnd('/');
        _configuration = new ConfigurationManager<OpenIdConnectConfiguration>(
            _issuer + "/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new OidcDocumentRetriever(http))
        {
            // The library measures RefreshInterval from its last fetch of any kind (so KeyRefreshInterval there would
            // block the first rotation for that long after start-up) and refuses values under 1 s. Keep it at its 1 s
            // floor; KeyRefreshInterval, which counts between unknown-kid refreshes, is enforced in TryStartKeyRefresh.
            RefreshInterval = ConfigurationManager<OpenIdConnectConfiguration>.MinimumRefreshInterval,
        };
    }

    /// <summary>
    /// Starts a login: reads (or reuses) the discovery document and returns the authorization URL with fresh
    /// <c>state</c>, <c>nonce</c> and PKCE verifier (each 256 random bits, base64url); the challenge is
    /// BASE64URL(SHA-256(ASCII(verifier))) with <c>code_challenge_method=S256</c> (RFC 7636 §4.2).
    /// </summary>
    /// <param name="redirectUri">The absolute callback URL registered at the provider; pass the same value to
    /// <see cref="CompleteAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the wait (a shared discovery fetch already under way continues).</param>
    /// <exception cref="OidcException">Bad redirect URI, or the discovery document cannot be read or is unusable.</exception>
    public async Task<OidcAuthorizationRequest> CreateAuthorizationRequestAsync(string redirectUri, CancellationToken cancellationToken)
    {
        RequireRedirectUri(redirectUri);
        var configuration = await GetConfigurationAsync(cancellationToken);
        var endpoint = OidcHttp.RequireEndpoint(configuration.AuthorizationEndpoint, "authorization_endpoint", _issuer);
        var state = RandomToken();
        var nonce = RandomToken();
        var verifier = RandomToken();
        var challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var url = QueryHelpers.AddQueryString(endpoint.AbsoluteUri, new KeyValuePair<string, string?>[]
        {
            new("response_type", "code"),
            new("client_id", _options.ClientId),
            new("redirect_uri", redirectUri),
            new("scope", _options.Scopes),
            new("state", state),
            new("nonce", nonce),
            new("code_challenge", challenge),
            new("code_challenge_method", "S256"),
        });
        return new OidcAuthorizationRequest(url, state, nonce, verifier);
    }

    /// <summary>
    /// Finishes a login: redeems <paramref name="code"/> at the token endpoint with the request's PKCE verifier and
    /// returns the identity from the validated ID token. The caller must already have checked that the callback's
    /// <c>state</c> equals <see cref="OidcAuthorizationRequest.State"/> and that the callback carries no <c>error</c>.
    /// </summary>
    /// <param name="code">The <c>code</c> query parameter of the callback (single use at the provider).</param>
    /// <param name="request">The request created for this login.</param>
    /// <param name="redirectUri">The same redirect URI that built <paramref name="request"/>.</param>
    /// <param name="cancellationToken">Cancels the token request and any key refresh wait.</param>
    /// <exception cref="OidcException">The token endpoint refused (e.g. "token endpoint answered 400: invalid_grant
    /// (…)") or could not be reached, or the ID token failed validation.</exception>
    public async Task<OidcIdentity> CompleteAsync(
        string code, OidcAuthorizationRequest request, string redirectUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(code))
        {
            throw new OidcException("the provider's callback carries no authorization code");
        }
        RequireRedirectUri(redirectUri);
        var configuration = await GetConfigurationAsync(cancellationToken);
        var tokenEndpoint = OidcHttp.RequireEndpoint(configuration.TokenEndpoint, "token_endpoint", _issuer);
        var idToken = await RedeemCodeAsync(tokenEndpoint, code, request.CodeVerifier, redirectUri, cancellationToken);
        return await ValidateIdTokenAsync(idToken, request.Nonce, configuration, cancellationToken);
    }

    private async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancellationToken)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            // 6.8's ConfigurationManager fetches with CancellationToken.None; WaitAsync lets this caller go on cancel.
            configuration = await _configuration.GetConfigurationAsync(cancellationToken).WaitAsync(cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            var cause = e.InnerException ?? e;
            var reason = cause switch
            {
                OidcException oidc => oidc.Message,
                HttpRequestException or IOException => cause.Message,
                OperationCanceledException or TimeoutException => "the request timed out",
                _ => "the answer is not a valid discovery document or JWKS",
            };
            throw new OidcException(
                $"cannot read the discovery document of {_issuer}: {reason}", cause is HttpRequestException or IOException ? cause : null);
        }
        var issuer = configuration.Issuer ?? "";
        if (!string.Equals(issuer.TrimEnd('/'), _issuer, StringComparison.Ordinal))
        {
            throw new OidcException(
                $"the discovery document of {_issuer} names issuer '{OidcHttp.Printable(issuer, 200)}' "
                + "(OpenID Connect Discovery 1.0 §4.3 requires the configured issuer)");
        }
        if (string.IsNullOrEmpty(configuration.JwksUri))
        {
            throw new OidcException($"the discovery document of {_issuer} has no jwks_uri");
        }
        return configuration;
    }

    private async Task<string> RedeemCodeAsync(
        Uri endpoint, string code, string verifier, string redirectUri, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"),
            new("code", code),
            new("redirect_uri", redirectUri),
            new("code_verifier", verifier),
        };
        using var message = new HttpRequestMessage(HttpMethod.Post, endpoint);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_options.ClientSecret is null)
        {
            form.Add(new("client_id", _options.ClientId));
        }
        else
        {
            // RFC 6749 §2.3.1: both parts are form-urlencoded before joining and base64 encoding.
            var credentials = WebUtility.UrlEncode(_options.ClientId) + ":" + WebUtility.UrlEncode(_options.ClientSecret);
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        }
        message.Content = new FormUrlEncodedContent(form);

        string body;
        HttpStatusCode status;
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            status = response.StatusCode;
            body = await OidcHttp.ReadBodyAsync(response, "the token endpoint's answer", cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new OidcException($"cannot reach the token endpoint {endpoint}: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new OidcException($"the token endpoint {endpoint} broke off its answer: {e.Message}", e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OidcException($"the token endpoint {endpoint} did not answer in time");
        }

        using var document = TryParseObject(body);
        var root = document?.RootElement;
        if ((int)status is < 200 or > 299)
        {
            var error = root is { } r && r.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            if (string.IsNullOrEmpty(error))
            {
                throw new OidcException($"token endpoint answered {(int)status} without an OAuth error code");
            }
            var description = root!.Value.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String
                ? d.GetString()
                : null;
            throw new OidcException(string.IsNullOrEmpty(description)
                ? $"token endpoint answered {(int)status}: {OidcHttp.Printable(error, 100)}"
                : $"token endpoint answered {(int)status}: {OidcHttp.Printable(error, 100)} ({OidcHttp.Printable(description, 300)})");
        }
        if (root is not { } answer)
        {
            throw new OidcException($"token endpoint answered {(int)status} but not with a JSON object");
        }
        var tokenType = answer.TryGetProperty("token_type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (!string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new OidcException(
                $"token endpoint answered token_type '{OidcHttp.Printable(tokenType ?? "", 40)}' (OpenID Connect Core 1.0 §3.1.3.3 requires Bearer)");
        }
        if (!answer.TryGetProperty("id_token", out var idToken) || idToken.ValueKind != JsonValueKind.String
            || idToken.GetString() is not { Length: > 0 } value)
        {
            throw new OidcException("token endpoint answer has no id_token (is 'openid' among the scopes?)");
        }
        return value;
    }

    private async Task<OidcIdentity> ValidateIdTokenAsync(
        string idToken, string nonce, OpenIdConnectConfiguration configuration, CancellationToken cancellationToken)
    {
        // Three segments only: JWE (five) is refused before the library sees it, which also keeps its decompression
        // code (CVE-2024-21319 in 6.x before 6.34) out of reach.
        if (idToken.AsSpan().Count('.') != 2)
        {
            throw new OidcException("ID token is not a signed JWT (JWS compact serialization)");
        }
        JsonWebToken unverified;
        try
        {
            unverified = new JsonWebToken(idToken);
        }
        catch (ArgumentException)
        {
            throw new OidcException("ID token is not a well-formed JWT");
        }
        var algorithm = unverified.Alg;
        if (!AcceptedAlgorithms.Contains(algorithm, StringComparer.Ordinal))
        {
            throw new OidcException($"ID token algorithm '{OidcHttp.Printable(algorithm, 20)}' is not accepted (RS256 or ES256 required)");
        }
        var kid = string.IsNullOrEmpty(unverified.Kid) ? null : unverified.Kid;
        if (kid is not null && !HasKey(configuration, kid))
        {
            if (TryStartKeyRefresh())
            {
                _configuration.RequestRefresh();
                configuration = await GetConfigurationAsync(cancellationToken);
            }
            if (!HasKey(configuration, kid))
            {
                throw new OidcException($"ID token signed with unknown key '{OidcHttp.Printable(kid, 100)}'");
            }
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = _options.ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = AcceptedAlgorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            RequireAudience = true,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            LifetimeValidator = ValidateLifetime,
            TryAllIssuerSigningKeys = true,
            ClockSkew = _options.ClockSkew,
        };
        var result = _handler.ValidateToken(idToken, parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken token)
        {
            throw Describe(result.Exception, kid, configuration.Issuer);
        }

        var claims = token.Claims.ToList();
        string? Claim(string type) => claims.FirstOrDefault(c => c.Type == type)?.Value;
        var tokenNonce = Claim("nonce");
        if (tokenNonce is null)
        {
            throw new OidcException("ID token has no nonce, but the login request sent one");
        }
        if (!string.Equals(tokenNonce, nonce, StringComparison.Ordinal))
        {
            throw new OidcException("ID token nonce does not match the login request");
        }
        if (string.IsNullOrEmpty(token.Subject))
        {
            throw new OidcException("ID token has no sub claim");
        }
        if (Claim("azp") is { } azp && !string.Equals(azp, _options.ClientId, StringComparison.Ordinal))
        {
            throw new OidcException($"ID token was issued to another party (azp '{OidcHttp.Printable(azp, 100)}')");
        }
        var groups = claims.Where(c => c.Type == _options.GroupsClaim).Select(c => c.Value).ToArray();
        return new OidcIdentity(token.Subject, Claim("email"), Claim("name"), groups,
            string.Equals(Claim("email_verified"), "true", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Maps the library's validation exception to a safe sentence; the library's own text carries token data.</summary>
    private OidcException Describe(Exception? exception, string? kid, string issuer) => exception switch
    {
        SecurityTokenExpiredException e => new($"ID token expired at {Rfc3339(e.Expires)}"),
        SecurityTokenNotYetValidException e => new($"ID token is not valid before {Rfc3339(e.NotBefore)}"),
        SecurityTokenNoExpirationException => new("ID token has no exp claim"),
        SecurityTokenInvalidLifetimeException => new("ID token lifetime is invalid (nbf after exp)"),
        SecurityTokenInvalidAudienceException => new($"ID token audience does not include client '{_options.ClientId}'"),
        SecurityTokenInvalidIssuerException e => new(
            $"ID token issuer '{OidcHttp.Printable(e.InvalidIssuer ?? "", 200)}' is not the provider's issuer '{issuer}'"),
        SecurityTokenSignatureKeyNotFoundException when kid is not null => new($"ID token signed with unknown key '{OidcHttp.Printable(kid, 100)}'"),
        SecurityTokenInvalidSignatureException => new("ID token signature is invalid"),
        SecurityTokenInvalidAlgorithmException => new("ID token algorithm is not accepted (RS256 or ES256 required)"),
        ArgumentException => new("ID token is not a well-formed JWT"),
        null => new("ID token is invalid"),
        _ => new($"ID token is invalid ({exception.GetType().Name})"),
    };

    /// <summary>
    /// <c>exp</c>/<c>nbf</c> against <see cref="_time"/> (the library would use the wall clock). 6.8 passes an absent
    /// claim as <see cref="DateTime.MinValue"/>, not null, so that value means "missing".
    /// </summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var exp = expires is { } e && e != DateTime.MinValue ? e : (DateTime?)null;
        var nbf = notBefore is { } n && n != DateTime.MinValue ? n : (DateTime?)null;
        if (exp is null)
        {
            throw new SecurityTokenNoExpirationException("exp missing");
        }
        if (nbf > exp)
        {
            throw new SecurityTokenInvalidLifetimeException("nbf after exp") { NotBefore = nbf, Expires = exp };
        }
        var now = _time.GetUtcNow().UtcDateTime;
        if (nbf > now + _options.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("not yet valid") { NotBefore = nbf.Value };
        }
        if (exp < now - _options.ClockSkew)
        {
            throw new SecurityTokenExpiredException("expired") { Expires = exp.Value };
        }
        return true;
    }

    /// <summary>Claims the right to one unknown-<c>kid</c> refresh per <see cref="OidcOptions.KeyRefreshInterval"/>.</summary>
    private bool TryStartKeyRefresh()
    {
        var now = _time.GetUtcNow();
        lock (_keyRefreshLock)
        {
            if (_lastKeyRefresh is { } last && now - last < _options.KeyRefreshInterval)
            {
                return false;
            }
            _lastKeyRefresh = now;
            return true;
        }
    }

    private static bool HasKey(OpenIdConnectConfiguration configuration, string kid) =>
        configuration.SigningKeys.Any(k => k.KeyId is { } id && string.Equals(
            id, kid, k is X509SecurityKey ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));

    private static void Validate(OidcOptions options)
    {
        var issuer = options.Issuer ?? throw new OidcException("the OpenID Connect issuer is not set");
        if (!issuer.IsAbsoluteUri || (issuer.Scheme != Uri.UriSchemeHttps && issuer.Scheme != Uri.UriSchemeHttp))
        {
            throw new OidcException($"the OpenID Connect issuer '{issuer}' must be an absolute https URL");
        }
        if (!OidcHttp.IsAllowed(issuer))
        {
            throw new OidcException(
                $"the OpenID Connect issuer {issuer} must use https (plain http is allowed only for a loopback host: 127.0.0.1, ::1, localhost)");
        }
        if (issuer.Query.Length > 0 || issuer.Fragment.Length > 0)
        {
            throw new OidcException($"the OpenID Connect issuer {issuer} must not have a query or fragment");
        }
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            throw new OidcException("the OpenID Connect client id is empty");
        }
        if (!(options.Scopes ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("openid", StringComparer.Ordinal))
        {
            throw new OidcException("the OpenID Connect scopes must include 'openid'");
        }
        if (string.IsNullOrWhiteSpace(options.GroupsClaim))
        {
            throw new OidcException("the OpenID Connect groups claim name is empty");
        }
        if (options.ClockSkew < TimeSpan.Zero || options.KeyRefreshInterval < TimeSpan.Zero)
        {
            throw new OidcException("the OpenID Connect clock skew and key refresh interval must not be negative");
        }
    }

    private static void RequireRedirectUri(string redirectUri)
    {
        if (!Uri.TryCreate(redirectUri, UriKind.Absolute, out _))
        {
            throw new OidcException("the OpenID Connect redirect URI must be an absolute URL");
        }
    }

    private static JsonDocument? TryParseObject(string body)
    {
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }
            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string RandomToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static string Rfc3339(DateTime? utc) =>
        utc is { } value ? value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "(unknown)";
}
