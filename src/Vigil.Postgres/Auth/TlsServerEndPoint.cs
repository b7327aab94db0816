using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Vigil.Postgres.Auth;

/// <summary>
/// The <c>tls-server-end-point</c> channel binding (RFC 5929 §4.1) that SCRAM-SHA-256-PLUS binds to, as PostgreSQL
/// computes it: the hash of the server certificate's DER encoding with the hash of its signature algorithm, SHA-256
/// when that is MD5 or SHA-1.
/// </summary>
public static class TlsServerEndPoint
{
    /// <summary>The channel binding type name sent in the gs2 header ("p=tls-server-end-point").</summary>
    public const string Name = "tls-server-end-point";

    /// <summary>
    /// The binding data of <paramref name="certificate"/>, or null when its signature algorithm names no single hash
    /// (RSASSA-PSS, EdDSA, …): then no channel binding is offered.
    /// </summary>
    public static byte[]? Compute(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var hash = certificate.SignatureAlgorithm.Value switch
        {
            // md5WithRSA, sha1WithRSA, ecdsa-with-SHA1, sha256WithRSA, ecdsa-with-SHA256
            "1.2.840.113549.1.1.4" or "1.2.840.113549.1.1.5" or "1.2.840.10045.4.1" or "1.2.840.113549.1.1.11" or "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
            "1.2.840.113549.1.1.12" or "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
            "1.2.840.113549.1.1.13" or "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
            _ => (HashAlgorithmName?)null,
        };
        return hash is { } name ? CryptographicOperations.HashData(name, certificate.RawData) : null;
    }
}
