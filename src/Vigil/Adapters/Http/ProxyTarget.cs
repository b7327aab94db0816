using System.Text.RegularExpressions;

namespace Vigil.Adapters.Http;

/// <summary>
/// The parts of a proxied request target <c>/proxy/{connection}{path}?{query}</c>, read from the raw request target
/// (what the client sent, before Kestrel decodes it and removes dot segments). <see cref="Path"/> and
/// <see cref="Query"/> keep the client's encoding and are what the upstream receives after the connection's URL.
/// </summary>
/// <param name="Connection">The connection name.</param>
/// <param name="Path">The rest of the path, empty or starting with '/', still percent-encoded.</param>
/// <param name="Query">The query including its '?', or empty.</param>
public sealed partial record ProxyTarget(string Connection, string Path, string Query)
{
    /// <summary>The route prefix: <c>/proxy/</c>.</summary>
    public const string Prefix = "/proxy/";

    /// <summary>
    /// Parses <paramref name="rawTarget"/> (origin-form, RFC 9112 §3.2.1). Refused, with the reason: another form
    /// (absolute-form, asterisk), a raw control character, a connection segment that is not a plain connection name, and any <c>.</c> or
    /// <c>..</c> segment, backslash or NUL in the rest, however encoded (also doubly): a path must not reach outside
    /// the connection's URL on an upstream that decodes <c>%2F</c> or <c>%2E</c> before resolving dot segments.
    /// </summary>
    public static (ProxyTarget? Target, string? Error) Parse(string rawTarget)
    {
        if (!rawTarget.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return (null, "the request target must be /proxy/{connection}/…");
        }
        if (rawTarget.Any(char.IsControl))
        {
            // RFC 3986 §2: a target carries such characters only percent-encoded; raw, upstreams read them differently.
            return (null, "the request target may not contain control characters (percent-encode them)");
        }
        var queryAt = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = queryAt < 0 ? rawTarget : rawTarget[..queryAt];
        var query = queryAt < 0 ? "" : rawTarget[queryAt..];
        var rest = path[Prefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var connection = slash < 0 ? rest : rest[..slash];
        if (!ConnectionName().IsMatch(connection))
        {
            return (null, "the request target must be /proxy/{connection}/… with a connection name of letters, digits, '_', '-' or '.'");
        }
        var upstreamPath = slash < 0 ? "" : rest[slash..];
        if (Escapes(upstreamPath))
        {
            return (null, "the path may not contain '.' or '..' segments, backslashes or NUL, in any encoding");
        }
        return (new ProxyTarget(connection, upstreamPath, query), null);
    }

    /// <summary>The path and query as the analyzer and the recording read them: <c>/api/v1/pods?watch=1</c>.</summary>
    public string PathAndQuery => (Path.Length == 0 ? "/" : Path) + Query;

    private static bool Escapes(string path)
    {
        var decoded = path;
        // Decode until stable (bounded): "%252e%252e" is ".." to an upstream that decodes twice.
        for (var round = 0; round < 4; round++)
        {
            string next;
            try
            {
                next = Uri.UnescapeDataString(decoded);
            }
            catch (UriFormatException)
            {
                return true;
            }
            if (next == decoded)
            {
                break;
            }
            decoded = next;
        }
        if (decoded.Contains('\\', StringComparison.Ordinal) || decoded.Contains('\0', StringComparison.Ordinal))
        {
            return true;
        }
        foreach (var segment in decoded.Split('/'))
        {
            if (segment is "." or "..")
            {
                return true;
            }
        }
        return false;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex ConnectionName();
}
