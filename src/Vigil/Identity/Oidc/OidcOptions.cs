namespace Vigil.Identity.Oidc;

/// <summary>
/// Configuration of Vigil as an OpenID Connect relying party (authorization code flow with PKCE). Checked when an
/// <see cref="OidcClient"/> is constructed; a bad value throws <see cref="OidcException"/>.
/// </summary>
/// <param name="Issuer">The provider's issuer identifier (OpenID Connect Discovery 1.0 §2), e.g.
/// <c>https://login.example.com/realms/main</c>; the discovery document is read from
/// <c>{Issuer}/.well-known/openid-configuration</c> and must name exactly this issuer. HTTPS is required, except that
/// plain HTTP is accepted when the host is loopback (<c>127.0.0.1</c>, <c>::1</c>, <c>localhost</c>) for local
/// development and tests. No query or fragment.</param>
/// <param name="ClientId">The client identifier registered at the provider; ID tokens must list it in <c>aud</c>.</param>
/// <param name="ClientSecret">The client secret for <c>client_secret_basic</c> authentication at the token endpoint
/// (RFC 6749 §2.3.1), or null for a public client that relies on PKCE alone and sends <c>client_id</c> in the body.</param>
public sealed record OidcOptions(Uri Issuer, string ClientId, string? ClientSecret = null)
{
    /// <summary>Space-separated scopes to request; must include <c>openid</c>. Default <c>"openid profile email"</c>.</summary>
    public string Scopes { get; init; } = "openid profile email";

    /// <summary>The ID token claim that carries group names (JSON array of strings or one string). Default <c>"groups"</c>.</summary>
    public string GroupsClaim { get; init; } = "groups";

    /// <summary>Tolerance applied to <c>exp</c> and <c>nbf</c> for clock differences with the provider. Default 60 s; not negative.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Minimum time between JWKS refreshes triggered by an ID token whose <c>kid</c> is not in the cached key set (key
    /// rotation). Default 5 min; not negative. The underlying <c>ConfigurationManager</c> (Microsoft.IdentityModel 6.8)
    /// additionally refuses to refetch within 1 s (wall clock) of its previous successful fetch.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; init; } = TimeSpan.FromMinutes(5);
}
