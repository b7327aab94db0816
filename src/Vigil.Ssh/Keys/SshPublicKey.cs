using System.Security.Cryptography;
using NSec.Cryptography;
using Vigil.Ssh.Protocol;

namespace Vigil.Ssh;

/// <summary>
/// A public key in SSH wire form (RFC 4253 §6.6 public key blob): <c>ssh-ed25519</c> (RFC 8709),
/// <c>ecdsa-sha2-nistp256</c> (RFC 5656 §3.1) or <c>ssh-rsa</c> (RFC 4253 §6.6; signatures only with
/// <c>rsa-sha2-256</c>/<c>rsa-sha2-512</c>, RFC 8332).
/// </summary>
public sealed class SshPublicKey
{
    private SshPublicKey(string keyType, byte[] blob)
    {
        KeyType = keyType;
        Blob = blob;
    }

    /// <summary>The key type named inside the blob: <c>ssh-ed25519</c>, <c>ecdsa-sha2-nistp256</c> or <c>ssh-rsa</c>.</summary>
    public string KeyType { get; }

    /// <summary>The public key blob exactly as on the wire (the base64 part of an OpenSSH public key line).</summary>
    public ReadOnlyMemory<byte> Blob { get; }

    /// <summary>OpenSSH's fingerprint form: <c>SHA256:</c> + unpadded base64 of SHA-256(blob), as printed by <c>ssh-keygen -lf</c>.</summary>
    public string Fingerprint => FingerprintOf(Blob.Span);

    /// <summary>The OpenSSH public key line: <c>type base64(blob)</c> (no comment), as in <c>authorized_keys</c>.</summary>
    public string OpenSshLine => $"{KeyType} {Convert.ToBase64String(Blob.Span)}";

    /// <summary>Parses a public key blob.</summary>
    /// <param name="blob">The RFC 4253 §6.6 blob.</param>
    /// <returns>The key.</returns>
    /// <exception cref="SshProtocolException">Unsupported key type or malformed blob (e.g. an RSA key under 2048 bits).</exception>
    public static SshPublicKey FromBlob(ReadOnlySpan<byte> blob)
    {
        var reader = new SshReader(blob, "public key blob");
        var type = reader.ReadString();
        switch (type)
        {
            case "ssh-ed25519":
                if (reader.ReadBinaryString().Length != 32)
                {
                    throw SshProtocolException.Malformed("public key blob", "ssh-ed25519 key is not 32 bytes");
                }

                break;
            case "ecdsa-sha2-nistp256":
                if (reader.ReadString() != "nistp256")
                {
                    throw SshProtocolException.Malformed("public key blob", "curve is not nistp256");
                }

                var q = reader.ReadBinaryString();
                if (q.Length != 65 || q[0] != 4)
                {
                    throw SshProtocolException.Malformed("public key blob", "nistp256 point is not uncompressed 65 bytes");
                }

                break;
            case "ssh-rsa":
                reader.ReadMpintUnsigned();
                if (reader.ReadMpintUnsigned().Length * 8 < 2048 - 8)
                {
                    throw SshProtocolException.Malformed("public key blob", "RSA modulus shorter than 2048 bits");
                }

                break;
            default:
                throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"unsupported public key type '{type}'");
        }

        reader.ExpectEnd();
        return new SshPublicKey(type, blob.ToArray());
    }

    /// <summary>Parses an OpenSSH public key line (<c>type base64 [comment]</c>, as in <c>id_ed25519.pub</c> or <c>authorized_keys</c> without options).</summary>
    /// <param name="line">The line.</param>
    /// <returns>The key.</returns>
    /// <exception cref="FormatException">Not <c>type base64 [comment]</c>, bad base64, or the type does not match the blob.</exception>
    public static SshPublicKey ParseOpenSshLine(string line)
    {
        var parts = line.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            throw new FormatException("expected 'type base64 [comment]'");
        }

        SshPublicKey key;
        try
        {
            key = FromBlob(Convert.FromBase64String(parts[1]));
        }
        catch (SshProtocolException ex)
        {
            throw new FormatException(ex.Message, ex);
        }

        return key.KeyType == parts[0] ? key : throw new FormatException($"key type '{parts[0]}' does not match the blob's '{key.KeyType}'");
    }

    /// <summary>Signature algorithms this key can verify (RFC 8332 for RSA: SHA-1 <c>ssh-rsa</c> signatures are refused).</summary>
    internal bool SupportsSignatureAlgorithm(string algorithm) => KeyType switch
    {
        "ssh-rsa" => algorithm is "rsa-sha2-256" or "rsa-sha2-512",
        _ => algorithm == KeyType,
    };

    /// <summary>
    /// Verifies an SSH signature blob (<c>string algorithm, string signature</c>, RFC 4253 §6.6, RFC 5656 §3.1.2,
    /// RFC 8332 §3, RFC 8709 §6) over <paramref name="data"/>. Returns false for any mismatch or malformed signature.
    /// </summary>
    internal bool Verify(string algorithm, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signatureBlob)
    {
        try
        {
            var sig = new SshReader(signatureBlob, "signature");
            if (sig.ReadString() != algorithm || !SupportsSignatureAlgorithm(algorithm))
            {
                return false;
            }

            var signature = sig.ReadBinaryString();
            sig.ExpectEnd();
            var key = new SshReader(Blob.Span, "public key blob");
            key.ReadString();
            switch (KeyType)
            {
                case "ssh-ed25519":
                    var pk = NSec.Cryptography.PublicKey.Import(SignatureAlgorithm.Ed25519, key.ReadBinaryString(), KeyBlobFormat.RawPublicKey);
                    return signature.Length == 64 && SignatureAlgorithm.Ed25519.Verify(pk, data, signature);
                case "ecdsa-sha2-nistp256":
                    key.ReadString();
                    var q = key.ReadBinaryString();
                    using (var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = q[1..33].ToArray(), Y = q[33..].ToArray() } }))
                    {
                        var rs = new SshReader(signature, "ecdsa signature");
                        var fixedSig = new byte[64];
                        if (!CopyFixed(rs.ReadMpintUnsigned(), fixedSig.AsSpan(0, 32)) || !CopyFixed(rs.ReadMpintUnsigned(), fixedSig.AsSpan(32)))
                        {
                            return false;
                        }

                        rs.ExpectEnd();
                        return ecdsa.VerifyData(data, fixedSig, HashAlgorithmName.SHA256);
                    }

                default:
                    var e = key.ReadMpintUnsigned();
                    var n = key.ReadMpintUnsigned();
                    using (var rsa = RSA.Create(new RSAParameters { Exponent = e.ToArray(), Modulus = n.ToArray() }))
                    {
                        var hash = algorithm == "rsa-sha2-512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;
                        return rsa.VerifyData(data, signature, hash, RSASignaturePadding.Pkcs1);
                    }
            }
        }
        catch (Exception ex) when (ex is SshProtocolException or CryptographicException or FormatException)
        {
            return false;
        }
    }

    /// <summary>The fingerprint OpenSSH prints (<c>ssh-keygen -l</c>): <c>SHA256:</c> and the unpadded base64 of the SHA-256 of the key blob (RFC 4253 §6.6 encoding).</summary>
    public static string FingerprintOf(ReadOnlySpan<byte> blob) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');

    private static bool CopyFixed(ReadOnlySpan<byte> magnitude, Span<byte> target)
    {
        if (magnitude.Length > target.Length)
        {
            return false;
        }

        target.Clear();
        magnitude.CopyTo(target[(target.Length - magnitude.Length)..]);
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"{KeyType} {Fingerprint}";
}
