namespace Vigil.Identity.Oidc;

/// <summary>
/// One pending authorization code login (OpenID Connect Core 1.0 §3.1.2.1 with PKCE, RFC 7636), as returned by
/// <see cref="OidcClient.CreateAuthorizationRequestAsync"/>. Keep it server-side (never in the browser) until the
/// provider redirects back, compare the callback's <c>state</c> with <see cref="State"/> (ordinal, exact), then pass it to
/// <see cref="OidcClient.CompleteAsync"/>.
/// </summary>
/// <param name="Url">The provider's authorization endpoint with <c>response_type=code</c>, <c>client_id</c>,
/// <c>redirect_uri</c>, <c>scope</c>, <c>state</c>, <c>nonce</c>, <c>code_challenge</c> and
/// <c>code_challenge_method=S256</c>; send the browser there.</param>
/// <param name="State">256 random bits, base64url (43 characters): binds the callback to this request (CSRF defence,
/// RFC 6749 §10.12).</param>
/// <param name="Nonce">256 random bits, base64url (43 characters): must come back in the ID token's <c>nonce</c>
/// claim (replay defence, OpenID Connect Core 1.0 §3.1.2.1).</param>
/// <param name="CodeVerifier">The PKCE code verifier, 256 random bits, base64url (43 characters, within RFC 7636 §4.1's
/// 43–128). A secret: never log it or send it to the browser.</param>
public sealed record OidcAuthorizationRequest(string Url, string State, string Nonce, string CodeVerifier);
