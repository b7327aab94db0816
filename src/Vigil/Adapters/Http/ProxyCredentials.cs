using System.Text;
using Vigil.Identity.Authentication;

namespace Vigil.Adapters.Http;

/// <summary>
/// The caller's Vigil token on a proxied request: <c>Authorization: Bearer TOKEN</c> (RFC 6750), or Basic auth
/// (RFC 7617) with the token as the password (or, with an empty password, as the user name) for tools that only do
/// Basic. The header is removed before forwarding; the connection's own credentials replace it.
/// </summary>
public static class ProxyCredentials
{
    /// <summary>The challenge sent with 401: both schemes, so curl <c>-u</c> and bearer clients know what to send.</summary>
    public const string Challenge = "Bearer realm=\"vigil\", Basic realm=\"vigil\", charset=\"UTF-8\"";

    /// <summary>The token, or null when the request carries none in a form this accepts.</summary>
    public static string? Read(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return BearerToken.Read(request);
        }
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }
        return NonEmpty(decoded[(colon + 1)..]) ?? NonEmpty(decoded[..colon]);
    }

    private static string? NonEmpty(string value) => value.Length > 0 ? value : null;
}
