using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Vigil.Connections;

namespace Vigil.Adapters.Http;

/// <summary>
/// One pooled HTTP client per connection (YARP's recommended <see cref="SocketsHttpHandler"/> settings: no proxy, no
/// redirects, no decompression, no cookies), rebuilt when the connection changes. TLS follows the connection:
/// <c>insecure_skip_tls_verify</c> accepts any certificate; otherwise the chain must reach the system roots or the
/// connection's <c>certificate_authority</c>, and the name must match (RFC 6125). A client certificate is presented
/// when the connection has one.
/// </summary>
public sealed class UpstreamClients(ProxyLimits limits) : IDisposable
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset Version, HttpMessageInvoker Client)> _clients = new(StringComparer.Ordinal);

    /// <summary>The client for <paramref name="connection"/> (an HTTP connection).</summary>
    public HttpMessageInvoker For(Connection connection)
    {
        if (_clients.TryGetValue(connection.Name, out var cached) && cached.Version == connection.UpdatedAt)
        {
            return cached.Client;
        }
        // A replaced client is not disposed: requests may still run on it; its pooled connections close when idle.
        var client = Create(connection.Http!);
        _clients[connection.Name] = (connection.UpdatedAt, client);
        return client;
    }

    private HttpMessageInvoker Create(HttpTarget target)
    {
        var tls = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(target, certificate, errors),
        };
        if (target.ClientCertificate is { } certificate && target.ClientKey is { } key)
        {
            tls.ClientCertificates = [X509Certificate2.CreateFromPem(certificate, key)];
        }
        return new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
            ConnectTimeout = limits.Connect,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            SslOptions = tls,
        });
    }

    private static bool Validate(HttpTarget target, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (target.InsecureSkipTlsVerify || errors == SslPolicyErrors.None)
        {
            return true;
        }
        if (certificate is null || target.CertificateAuthority is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return false;
        }
        return UpstreamTls.ChainsTo(certificate, target.CertificateAuthority);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var (_, client) in _clients.Values)
        {
            client.Dispose();
        }
    }
}
