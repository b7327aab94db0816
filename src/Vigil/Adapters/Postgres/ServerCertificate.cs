using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Vigil.Security;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// The certificate the PostgreSQL listener presents after an SSLRequest: the configured PEM pair, or a self-signed
/// ECDSA P-256 certificate for localhost/127.0.0.1/::1 generated into <c>DATA/tls/</c> on first start (mode 0700, files 0600).
/// </summary>
public static class ServerCertificate
{
    /// <summary>Loads the configured pair, or loads/creates the self-signed one.</summary>
    public static X509Certificate2 Load(string dataDirectory, string? certificatePath, string? keyPath)
    {
        if (certificatePath is not null)
        {
            return X509Certificate2.CreateFromPemFile(certificatePath, keyPath ?? certificatePath);
        }
        var directory = Path.Combine(dataDirectory, "tls");
        var certFile = Path.Combine(directory, "server.crt");
        var keyFile = Path.Combine(directory, "server.key");
        if (!File.Exists(certFile) || !File.Exists(keyFile))
        {
            var (certPem, keyPem) = CreateSelfSigned("vigil", TimeSpan.FromDays(3650));
            // Both 0600 in a 0700 directory: every file of the data directory is the owner's only.
            SecretFile.Write(keyFile, keyPem);
            SecretFile.Write(certFile, certPem);
        }
        return X509Certificate2.CreateFromPemFile(certFile, keyFile);
    }

    /// <summary>A self-signed server certificate for the loopback names, as (certificate PEM, PKCS#8 key PEM).</summary>
    public static (string CertificatePem, string KeyPem) CreateSelfSigned(string commonName, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(lifetime));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
