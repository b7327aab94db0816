using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.Connections;

/// <summary>
/// Certificate checks for TLS to a target, shared by the proxy and exec so both honour <see cref="SslMode"/> alike:
/// prefer/require accept any certificate (as libpq does); verify-full requires a valid chain to the system roots or to
/// the connection's <c>ssl_root_cert</c> and a host name match (RFC 6125).
/// </summary>
public static class UpstreamTls
{
    /// <summary>TLS client options for <paramref name="connection"/>.</summary>
    public static SslClientAuthenticationOptions ClientOptions(Connection connection) => new()
    {
        TargetHost = connection.Host,
        RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(connection, certificate, errors),
    };

    /// <summary>True when the server certificate is acceptable under the connection's mode.</summary>
    public static bool Validate(Connection connection, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (connection.SslMode != SslMode.VerifyFull)
        {
            return true;
        }
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }
        return connection.SslRootCert is not null && ChainsTo(certificate, connection.SslRootCert);
    }

    /// <summary>
    /// True when <paramref name="certificate"/> chains to one of the PEM certificates in <paramref name="rootsPem"/>
    /// (trusted as the only roots; no revocation check, as libpq and kubectl do without a CRL). The host name is the
    /// caller's check.
    /// </summary>
    public static bool ChainsTo(X509Certificate certificate, string rootsPem)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(rootsPem);
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
