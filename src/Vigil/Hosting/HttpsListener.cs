using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Vigil.Adapters.Postgres;

namespace Vigil.Hosting;

/// <summary>
/// The gateway's HTTPS listener (<see cref="GatewayOptions.HttpsListen"/>): the same endpoints as the HTTP listener
/// over TLS 1.2+ (HTTP/1.1 and HTTP/2 by ALPN), with the certificate the PostgreSQL listener presents
/// (<see cref="ServerCertificate"/>: <c>--tls-cert</c>/<c>--tls-key</c>, else the self-signed one in <c>DATA/tls/</c>,
/// valid for localhost, 127.0.0.1 and ::1).
/// </summary>
public sealed class HttpsListener
{
    private HttpsListener(X509Certificate2 certificate, bool selfSigned)
    {
        Certificate = certificate;
        SelfSigned = selfSigned;
    }

    /// <summary>The certificate presented.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>True when the certificate is the generated one (clients must be told to trust it).</summary>
    public bool SelfSigned { get; }

    /// <summary>The certificate as PEM, what a client puts in its trust store (kubeconfig <c>certificate-authority-data</c>).</summary>
    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>SHA-256 fingerprint of the certificate, upper-case hex pairs joined by ':' (as <c>openssl x509 -fingerprint -sha256</c> prints it).</summary>
    public string Fingerprint => string.Join(':', Certificate.GetCertHashString(HashAlgorithmName.SHA256).Chunk(2).Select(pair => new string(pair)));

    /// <summary>Binds the HTTP listener and, when configured, the HTTPS one; returns the latter (null when not configured).</summary>
    /// <exception cref="FormatException">A listen address is not HOST:PORT.</exception>
    /// <exception cref="CryptographicException">The configured certificate or key cannot be read.</exception>
    public static HttpsListener? Configure(GatewayOptions options, IWebHostBuilder web)
    {
        var http = GatewayOptions.ParseEndpoint(options.HttpListen);
        var https = options.HttpsListen is { } listen ? GatewayOptions.ParseEndpoint(listen) : null;
        var listener = https is null ? null
            : new HttpsListener(ServerCertificate.Load(options.DataDirectory, options.TlsCertificatePath, options.TlsKeyPath), options.TlsCertificatePath is null);
        web.ConfigureKestrel(kestrel =>
        {
            // HTTP first: it stays the first bound address (GatewayHost.HttpAddress).
            kestrel.Listen(http);
            if (https is not null)
            {
                kestrel.Listen(https, endpoint => endpoint.UseHttps(listener!.Certificate));
            }
        });
        return listener;
    }

    /// <summary>The HTTPS address the server bound (e.g. <c>https://127.0.0.1:8443</c>), or null without an HTTPS listener.</summary>
    public static string? Address(IServer server) =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("https://", StringComparison.Ordinal));
}
