using System.Text;

namespace Vigil.Identity.Oidc;

/// <summary>Transport rules shared by the discovery, JWKS and token requests.</summary>
internal static class OidcHttp
{
    /// <summary>Largest discovery document, JWKS or token response read (1 MiB); a larger answer is an error.</summary>
    public const int MaxResponseBytes = 1024 * 1024;

    /// <summary>True for HTTPS, or for plain HTTP to a loopback host (127.0.0.0/8, ::1, localhost).</summary>
    public static bool IsAllowed(Uri uri) =>
        uri.IsAbsoluteUri
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));

    /// <summary>Parses an endpoint named by the provider and enforces <see cref="IsAllowed"/>.</summary>
    /// <exception cref="OidcException">Missing, relative, or plain HTTP to a non-loopback host.</exception>
    public static Uri RequireEndpoint(string? value, string what, string source)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new OidcException($"the discovery document of {source} has no {what}");
        }
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !IsAllowed(uri))
        {
            throw new OidcException(
                $"the {what} of {source} must be an absolute https URL (plain http only for a loopback host): {Printable(value, 200)}");
        }
        return uri;
    }

    /// <summary>Reads a response body as UTF-8, at most <see cref="MaxResponseBytes"/>.</summary>
    /// <exception cref="OidcException">The body is larger.</exception>
    public static async Task<string> ReadBodyAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            throw new OidcException($"{what} is larger than {MaxResponseBytes} bytes");
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes)
            {
                throw new OidcException($"{what} is larger than {MaxResponseBytes} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// Makes provider-supplied text (an error description, a <c>kid</c>) safe to embed in a message: control characters
    /// become '?', and the text is cut to <paramref name="max"/> characters.
    /// </summary>
    public static string Printable(string value, int max)
    {
        var builder = new StringBuilder(Math.Min(value.Length, max) + 1);
        foreach (var c in value.AsSpan(0, Math.Min(value.Length, max)))
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }
        if (value.Length > max)
        {
            builder.Append('…');
        }
        return builder.ToString();
    }
}
