namespace Vigil.Identity.Oidc;

/// <summary>
/// The one exception type <see cref="OidcClient"/> throws for a failed OpenID Connect login: an unusable issuer
/// configuration, an unreadable discovery document or JWKS, an error answer from the token endpoint, or an ID token that
/// fails OpenID Connect Core 1.0 §3.1.3.7 validation. <see cref="Exception.Message"/> is a single sentence that is safe
/// to show to the person logging in and to write to a log: it never contains a token, an authorization code, a code
/// verifier or a client secret. Cancellation is not a failure and surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class OidcException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public OidcException()
        : this("OpenID Connect login failed")
    {
    }

    /// <summary>Creates an exception with a human-readable, secret-free message.</summary>
    /// <param name="message">What failed, e.g. "ID token nonce does not match the login request".</param>
    public OidcException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception wrapping a transport-level cause (never a token-validation exception).</summary>
    /// <param name="message">What failed, without secrets.</param>
    /// <param name="innerException">The underlying cause, e.g. an <see cref="HttpRequestException"/>.</param>
    public OidcException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
