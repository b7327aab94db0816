using System.Numerics;
using System.Security.Cryptography;
using Vigil.Ssh.Protocol;

namespace Vigil.Ssh;

/// <summary>
/// A user's private key for <c>publickey</c> authentication (RFC 4252 §7) by <see cref="SshClientConnection"/>:
/// <c>ssh-ed25519</c>, <c>ecdsa-sha2-nistp256</c> or RSA (signing with <c>rsa-sha2-256</c>, RFC 8332). Dispose it
/// to release the private key.
/// </summary>
public sealed class SshClientKey : IDisposable
{
    private readonly SshHostKey? _curveKey;
    private readonly RSA? _rsa;

    private SshClientKey(SshHostKey curveKey)
    {
        _curveKey = curveKey;
        PublicKey = SshPublicKey.FromBlob(curveKey.PublicKeyBlob.Span);
    }

    private SshClientKey(RSA rsa)
    {
        _rsa = rsa;
        var parameters = rsa.ExportParameters(false);
        PublicKey = SshPublicKey.FromBlob(new SshWriter().WriteString("ssh-rsa").WriteMpint(parameters.Exponent).WriteMpint(parameters.Modulus).Span);
    }

    /// <summary>The public half, as the server's <c>authorized_keys</c> lists it.</summary>
    public SshPublicKey PublicKey { get; }

    /// <summary>The signature algorithm used: the key type, or <c>rsa-sha2-256</c> for RSA keys.</summary>
    public string SignatureAlgorithm => _rsa is null ? PublicKey.KeyType : "rsa-sha2-256";

    /// <summary>
    /// Parses a private key file's text: OpenSSH's format (<c>-----BEGIN OPENSSH PRIVATE KEY-----</c>, unencrypted, as
    /// <c>ssh-keygen -N ''</c> writes; ed25519, ecdsa nistp256, rsa), or PEM (<c>RSA PRIVATE KEY</c>,
    /// <c>EC PRIVATE KEY</c> on P-256, <c>PRIVATE KEY</c>) read by .NET's ImportFromPem.
    /// </summary>
    /// <param name="text">The file's text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="SshKeyEncryptedException">The key is protected by a passphrase (OpenSSH or PEM form).</exception>
    /// <exception cref="FormatException">Not one of those formats, another key type or curve, or RSA under 2048 bits.</exception>
    public static SshClientKey Load(string text)
    {
        try
        {
            return SshHostKey.IsOpenSshPrivateKey(text) ? LoadOpenSsh(text) : LoadPem(text);
        }
        catch (SshProtocolException ex)
        {
            throw new FormatException($"bad private key: {ex.Message}", ex);
        }
        catch (CryptographicException ex)
        {
            throw new FormatException($"bad private key: {ex.Message}", ex);
        }
    }

    /// <summary>The SSH signature blob (<c>string algorithm, string signature</c>) over <paramref name="data"/>.</summary>
    internal byte[] Sign(ReadOnlySpan<byte> data) => _rsa is null
        ? _curveKey!.Sign(data)
        : new SshWriter().WriteString(SignatureAlgorithm).WriteBinaryString(_rsa.SignData(data.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).ToArray();

    /// <inheritdoc />
    public void Dispose()
    {
        _curveKey?.Dispose();
        _rsa?.Dispose();
    }

    private static SshClientKey LoadOpenSsh(string text)
    {
        var secret = new SshReader(SshHostKey.OpenSshPrivateSection(text), "openssh-key-v1 private section");
        var type = secret.ReadString();
        if (type != "ssh-rsa")
        {
            return SshHostKey.ParseKey(type, ref secret) is { } curveKey ? new SshClientKey(curveKey) : throw new FormatException($"unsupported private key type '{type}'");
        }

        // OpenSSH PROTOCOL.key / sshkey.c: n, e, d, iqmp, p, q; .NET also wants d mod (p-1) and d mod (q-1).
        var n = secret.ReadMpintUnsigned().ToArray();
        var e = secret.ReadMpintUnsigned().ToArray();
        var d = secret.ReadMpintUnsigned().ToArray();
        var iqmp = secret.ReadMpintUnsigned().ToArray();
        var p = secret.ReadMpintUnsigned().ToArray();
        var q = secret.ReadMpintUnsigned().ToArray();
        var half = (n.Length + 1) / 2;
        var dValue = Unsigned(d);
        return Rsa(new RSAParameters
        {
            Modulus = n,
            Exponent = e,
            D = Pad(d, n.Length),
            P = Pad(p, half),
            Q = Pad(q, half),
            DP = Pad((dValue % (Unsigned(p) - 1)).ToByteArray(isUnsigned: true, isBigEndian: true), half),
            DQ = Pad((dValue % (Unsigned(q) - 1)).ToByteArray(isUnsigned: true, isBigEndian: true), half),
            InverseQ = Pad(iqmp, half),
        });
    }

    private static SshClientKey LoadPem(string text)
    {
        if (text.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal) || text.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
        {
            throw new SshKeyEncryptedException("encrypted PEM private keys are not supported (remove the passphrase: ssh-keygen -p -N '' -f KEY)");
        }

        if (text.Contains("-----BEGIN RSA PRIVATE KEY-----", StringComparison.Ordinal) || text.Contains("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal))
        {
            var rsa = RSA.Create();
            try
            {
                rsa.ImportFromPem(text);
                return Checked(rsa);
            }
            catch (CryptographicException) when (!text.Contains("-----BEGIN RSA PRIVATE KEY-----", StringComparison.Ordinal))
            {
                // A PKCS#8 "PRIVATE KEY" may hold an EC key instead.
                rsa.Dispose();
            }
        }

        if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(text);
            if (ecdsa.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                ecdsa.Dispose();
                throw new FormatException("only EC keys on P-256 (ecdsa-sha2-nistp256) are supported");
            }

            return new SshClientKey(new SshHostKey(ecdsa));
        }

        throw new FormatException("not a private key (expected -----BEGIN OPENSSH PRIVATE KEY----- or a PEM RSA/EC private key)");
    }

    private static SshClientKey Rsa(RSAParameters parameters)
    {
        var rsa = RSA.Create();
        rsa.ImportParameters(parameters);
        return Checked(rsa);
    }

    private static SshClientKey Checked(RSA rsa)
    {
        if (rsa.KeySize < 2048)
        {
            rsa.Dispose();
            throw new FormatException($"RSA key of {rsa.KeySize} bits; at least 2048 are required");
        }

        return new SshClientKey(rsa);
    }

    private static BigInteger Unsigned(byte[] bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    private static byte[] Pad(byte[] value, int length) => value.Length >= length ? value : [.. new byte[length - value.Length], .. value];
}
