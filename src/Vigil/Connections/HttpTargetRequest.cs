using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Vigil.Connections;

/// <summary>
/// Validation of the HTTP fields of a connection request (<c>url</c>, <c>headers</c>, <c>token</c>,
/// <c>client_certificate</c>, <c>client_key</c>, <c>certificate_authority</c>, <c>insecure_skip_tls_verify</c>) into an
/// <see cref="HttpTarget"/>. Header names are RFC 9110 tokens; values may not contain CR, LF or NUL (a value with a line
/// break would inject a second header or request); hop-by-hop and framing headers cannot be set, since the gateway
/// owns the framing of the forwarded request.
/// </summary>
public static partial class HttpTargetRequest
{
    /// <summary>Most headers a connection may inject.</summary>
    public const int MaxHeaders = 32;

    /// <summary>Longest injected header value, in characters.</summary>
    public const int MaxHeaderValue = 8192;

    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer",
        "Proxy-Connection", "Proxy-Authorization", "Expect",
    };

    /// <summary>The validated target, or the message naming the bad field.</summary>
    public static (HttpTarget? Target, string? Error) Validate(
        string? url, IReadOnlyDictionary<string, string>? headers, string? token, string? clientCertificate, string? clientKey,
        string? certificateAuthority, bool? insecureSkipTlsVerify)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return (null, "missing field 'url'");
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            return (null, "field 'url' must be an absolute http:// or https:// URL");
        }
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return (null, "field 'url' may not carry user info, a query or a fragment (put credentials in 'headers' or 'token')");
        }
        if (headers is { Count: > MaxHeaders })
        {
            return (null, $"field 'headers': at most {MaxHeaders} headers");
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            if (!HeaderName().IsMatch(name))
            {
                return (null, $"field 'headers': '{name}' is not a header name (RFC 9110 token characters)");
            }
            if (ReservedHeaders.Contains(name))
            {
                return (null, $"field 'headers': '{name}' is set by the gateway and cannot be injected");
            }
            if (value is null || value.Length > MaxHeaderValue || value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            {
                // The value is a secret: the message names the header only.
                return (null, $"field 'headers': the value of '{name}' must be at most {MaxHeaderValue} characters without CR, LF or NUL");
            }
        }
        if (headers is not null && headers.Keys.GroupBy(k => k, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            return (null, $"field 'headers': '{duplicate.Key}' is given more than once");
        }
        if (token is not null && (token.Length == 0 || token.AsSpan().IndexOfAny(" \t\r\n\0") >= 0))
        {
            return (null, "field 'token' must be a non-empty bearer token without whitespace");
        }
        if (token is not null && (clientCertificate is not null || clientKey is not null))
        {
            return (null, "field 'token': give either 'token' or 'client_certificate' with 'client_key', not both");
        }
        if ((clientCertificate is null) != (clientKey is null))
        {
            return (null, clientCertificate is null ? "field 'client_key' needs 'client_certificate'" : "field 'client_certificate' needs 'client_key'");
        }
        if (clientCertificate is not null && PairError(clientCertificate, clientKey!) is { } pairError)
        {
            return (null, pairError);
        }
        if (certificateAuthority is not null && AuthorityError(certificateAuthority) is { } authorityError)
        {
            return (null, authorityError);
        }
        var headerCopy = new Dictionary<string, string>(headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        return (new HttpTarget(uri.GetLeftPart(UriPartial.Path).TrimEnd('/'), headerCopy, token, clientCertificate, clientKey, certificateAuthority, insecureSkipTlsVerify ?? false), null);
    }

    private static string? PairError(string certificate, string key)
    {
        try
        {
            using var pair = X509Certificate2.CreateFromPem(certificate, key);
            return pair.HasPrivateKey ? null : "field 'client_key' does not belong to 'client_certificate'";
        }
        catch (CryptographicException)
        {
            return "fields 'client_certificate' and 'client_key' must be a PEM certificate and its PEM private key";
        }
        catch (ArgumentException)
        {
            // CreateFromPem's answer to a key of another certificate.
            return "field 'client_key' does not belong to 'client_certificate'";
        }
    }

    private static string? AuthorityError(string pem)
    {
        try
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPem(pem);
            return roots.Count > 0 ? null : "field 'certificate_authority' must be PEM text (-----BEGIN CERTIFICATE-----)";
        }
        catch (CryptographicException)
        {
            return "field 'certificate_authority' must be PEM text (-----BEGIN CERTIFICATE-----)";
        }
    }

    [GeneratedRegex("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$")]
    private static partial Regex HeaderName();
}
