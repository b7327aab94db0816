using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Vigil.Hosting;

/// <summary>
/// Requests the gateway sends to its own API on a caller's behalf (the MCP endpoint's tools call the REST API over
/// loopback with the caller's own credential). They also carry this process's secret in <see cref="SecretHeader"/>,
/// and only then is <see cref="AddressHeader"/> believed: the API records the caller's address, not loopback's. The
/// secret is random per process and never leaves it.
/// </summary>
public sealed class InternalRequests
{
    /// <summary>Header carrying <see cref="Secret"/>.</summary>
    public const string SecretHeader = "Vigil-Internal";

    /// <summary>Header carrying the original caller's address, <c>ip:port</c>.</summary>
    public const string AddressHeader = "Vigil-Client-Address";

    private readonly byte[] _secret = Encoding.ASCII.GetBytes(Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));

    /// <summary>The per-process secret (hex).</summary>
    public string Secret => Encoding.ASCII.GetString(_secret);

    /// <summary>True when <paramref name="request"/> carries this process's secret.</summary>
    public bool IsInternal(HttpRequest request) =>
        request.Headers[SecretHeader].ToString() is { Length: > 0 } sent
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(sent), _secret);

    /// <summary>
    /// The caller's address as <c>ip:port</c> (IPv4-mapped addresses as IPv4): the forwarded one on an internal request,
    /// else the connection's remote end; null when unknown.
    /// </summary>
    public static string? ClientEndpoint(HttpContext http)
    {
        if (Forwarded(http) is { } forwarded)
        {
            return forwarded;
        }
        return http.Connection.RemoteIpAddress is { } ip ? $"{Plain(ip)}:{http.Connection.RemotePort}" : null;
    }

    /// <summary>The caller's IP address alone (see <see cref="ClientEndpoint"/>), for the audit log.</summary>
    public static string? ClientIp(HttpContext http)
    {
        if (Forwarded(http) is { } forwarded)
        {
            return IPEndPoint.TryParse(forwarded, out var endpoint) ? Plain(endpoint.Address).ToString() : forwarded;
        }
        return http.Connection.RemoteIpAddress is { } ip ? Plain(ip).ToString() : null;
    }

    private static string? Forwarded(HttpContext http) =>
        http.Request.Headers[AddressHeader].ToString() is { Length: > 0 } address
        && http.RequestServices.GetService<InternalRequests>() is { } self && self.IsInternal(http.Request)
            ? address
            : null;

    private static IPAddress Plain(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
