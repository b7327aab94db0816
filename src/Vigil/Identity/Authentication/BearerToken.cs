namespace Vigil.Identity.Authentication;

/// <summary>The token of an <c>Authorization: Bearer TOKEN</c> header (RFC 6750 §2.1; scheme name case-insensitive).</summary>
public static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <summary>The token, trimmed; null when the header is absent, of another scheme, or carries an empty token.</summary>
    public static string? Read(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) && header[Scheme.Length..].Trim() is { Length: > 0 } token
            ? token
            : null;
    }
}
