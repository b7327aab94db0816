using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using Vigil.Ssh.Protocol;

namespace Vigil.Ssh;

/// <summary>
/// A server host key (RFC 4253 §6.6) with its private part. Stored in OpenSSH's private key format
/// (<c>-----BEGIN OPENSSH PRIVATE KEY-----</c>, the unencrypted <c>openssh-key-v1</c> container written by
/// <c>ssh-keygen</c>), so a key made by <c>ssh-keygen -t ed25519 -N ''</c> loads and a saved key can be inspected with
/// <c>ssh-keygen -lf</c>. Dispose it to release the private key.
/// </summary>
public sealed class SshHostKey : IDisposable
{
    private const string PemBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private const string PemEnd = "-----END OPENSSH PRIVATE KEY-----";
    private static readonly byte[] AuthMagic = "openssh-key-v1\0"u8.ToArray();

    private readonly Key? _ed25519;
    private readonly ECDsa? _ecdsa;

    internal SshHostKey(Key ed25519)
    {
        _ed25519 = ed25519;
        Type = SshHostKeyType.Ed25519;
        PublicKeyBlob = new SshWriter().WriteString("ssh-ed25519").WriteBinaryString(ed25519.PublicKey.Export(KeyBlobFormat.RawPublicKey)).ToArray();
    }

    internal SshHostKey(ECDsa ecdsa)
    {
        _ecdsa = ecdsa;
        Type = SshHostKeyType.EcdsaP256;
        PublicKeyBlob = new SshWriter().WriteString("ecdsa-sha2-nistp256").WriteString("nistp256").WriteBinaryString(EcPoint(ecdsa.ExportParameters(false))).ToArray();
    }

    /// <summary>The key type.</summary>
    public SshHostKeyType Type { get; }

    /// <summary>The algorithm name used in KEXINIT and signatures: <c>ssh-ed25519</c> or <c>ecdsa-sha2-nistp256</c>.</summary>
    public string AlgorithmName => Type == SshHostKeyType.Ed25519 ? "ssh-ed25519" : "ecdsa-sha2-nistp256";

    /// <summary>The public key blob (RFC 4253 §6.6), K_S in the key exchange.</summary>
    public ReadOnlyMemory<byte> PublicKeyBlob { get; }

    /// <summary>OpenSSH's fingerprint form <c>SHA256:base64</c> (unpadded), as <c>ssh</c> prints on first connect.</summary>
    public string Fingerprint => SshPublicKey.FingerprintOf(PublicKeyBlob.Span);

    /// <summary>The OpenSSH public key line <c>type base64</c>, usable in <c>known_hosts</c> after the host name.</summary>
    public string OpenSshPublicKey => $"{AlgorithmName} {Convert.ToBase64String(PublicKeyBlob.Span)}";

    /// <summary>Generates a new random host key.</summary>
    /// <param name="type">The key type.</param>
    /// <returns>The key.</returns>
    public static SshHostKey Generate(SshHostKeyType type = SshHostKeyType.Ed25519) => type == SshHostKeyType.Ed25519
        ? new SshHostKey(Key.Create(SignatureAlgorithm.Ed25519, Exportable))
        : new SshHostKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads the key from <paramref name="path"/>, or generates one of <paramref name="type"/> and saves it there (mode 0600) when the file does not exist.</summary>
    /// <param name="path">Key file path.</param>
    /// <param name="type">Type for a new key.</param>
    /// <returns>The key.</returns>
    /// <exception cref="FormatException">The file exists but is not a supported unencrypted OpenSSH private key.</exception>
    public static SshHostKey LoadOrGenerate(string path, SshHostKeyType type = SshHostKeyType.Ed25519)
    {
        if (File.Exists(path))
        {
            return Load(File.ReadAllText(path));
        }

        var key = Generate(type);
        key.Save(path);
        return key;
    }

    /// <summary>Parses an unencrypted OpenSSH private key (PEM armour <c>OPENSSH PRIVATE KEY</c>, <c>openssh-key-v1</c>, cipher and kdf <c>none</c>, one key).</summary>
    /// <param name="text">The file text.</param>
    /// <returns>The key.</returns>
    /// <exception cref="FormatException">Not that format, encrypted, or a key type other than ssh-ed25519 / ecdsa-sha2-nistp256.</exception>
    public static SshHostKey Load(string text)
    {
        var section = OpenSshPrivateSection(text);
        try
        {
            var secret = new SshReader(section, "openssh-key-v1 private section");
            var type = secret.ReadString();
            return ParseKey(type, ref secret) ?? throw new FormatException($"unsupported host key type '{type}'");
        }
        catch (SshProtocolException ex)
        {
            throw new FormatException($"bad OpenSSH private key: {ex.Message}", ex);
        }
        catch (CryptographicException ex)
        {
            throw new FormatException($"bad OpenSSH private key: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the key in OpenSSH private key format to <paramref name="path"/>; on Unix the file is created with mode 0600.</summary>
    /// <param name="path">Target path; its directory must exist.</param>
    public void Save(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.ASCII.GetBytes(ToOpenSshPrivateKey()));
    }

    /// <summary>The key in OpenSSH private key format (PEM armour, 70-column base64 lines), the text <see cref="Save"/> writes.</summary>
    /// <returns>The text, ending with a newline.</returns>
    public string ToOpenSshPrivateKey()
    {
        var check = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        var secret = new SshWriter().WriteUInt32(check).WriteUInt32(check).WriteString(AlgorithmName);
        if (_ed25519 is not null)
        {
            var pub = _ed25519.PublicKey.Export(KeyBlobFormat.RawPublicKey);
            var seed = _ed25519.Export(KeyBlobFormat.RawPrivateKey);
            secret.WriteBinaryString(pub).WriteBinaryString([.. seed, .. pub]);
        }
        else
        {
            var parameters = _ecdsa!.ExportParameters(true);
            secret.WriteString("nistp256").WriteBinaryString(EcPoint(parameters)).WriteMpint(parameters.D);
        }

        secret.WriteString("vigil host key");
        for (byte pad = 1; secret.Length % 8 != 0; pad++)
        {
            secret.WriteByte(pad);
        }

        var body = new SshWriter().WriteBytes(AuthMagic).WriteString("none").WriteString("none").WriteString("")
            .WriteUInt32(1).WriteBinaryString(PublicKeyBlob.Span).WriteBinaryString(secret.Span);
        var base64 = Convert.ToBase64String(body.Span);
        var text = new StringBuilder(PemBegin).Append('\n');
        for (var i = 0; i < base64.Length; i += 70)
        {
            text.Append(base64.AsSpan(i, Math.Min(70, base64.Length - i))).Append('\n');
        }

        return text.Append(PemEnd).Append('\n').ToString();
    }

    /// <summary>Signs the exchange hash H and returns the SSH signature blob (RFC 8709 §6, RFC 5656 §3.1.2).</summary>
    internal byte[] Sign(ReadOnlySpan<byte> data)
    {
        var blob = new SshWriter().WriteString(AlgorithmName);
        if (_ed25519 is not null)
        {
            return blob.WriteBinaryString(SignatureAlgorithm.Ed25519.Sign(_ed25519, data)).ToArray();
        }

        var signature = _ecdsa!.SignData(data, HashAlgorithmName.SHA256);
        var rs = new SshWriter().WriteMpint(signature.AsSpan(0, 32)).WriteMpint(signature.AsSpan(32));
        return blob.WriteBinaryString(rs.Span).ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _ed25519?.Dispose();
        _ecdsa?.Dispose();
    }

    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    private static byte[] EcPoint(ECParameters parameters) => [4, .. parameters.Q.X!, .. parameters.Q.Y!];

    /// <summary>True when <paramref name="text"/> has OpenSSH private key armour.</summary>
    internal static bool IsOpenSshPrivateKey(string text) => text.Contains(PemBegin, StringComparison.Ordinal);

    /// <summary>
    /// Opens an unencrypted <c>openssh-key-v1</c> file (OpenSSH PROTOCOL.key) and returns its private section after the
    /// two check integers, starting at the key type.
    /// </summary>
    /// <exception cref="FormatException">No armour, bad base64, encrypted, several keys, or check integers that differ.</exception>
    internal static byte[] OpenSshPrivateSection(string text)
    {
        var begin = text.IndexOf(PemBegin, StringComparison.Ordinal);
        var end = text.IndexOf(PemEnd, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
        {
            throw new FormatException("not an OpenSSH private key (expected -----BEGIN OPENSSH PRIVATE KEY-----)");
        }

        try
        {
            var body = Convert.FromBase64String(text[(begin + PemBegin.Length)..end].Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal));
            if (!body.AsSpan().StartsWith(AuthMagic))
            {
                throw new FormatException("missing openssh-key-v1 magic");
            }

            var reader = new SshReader(body.AsSpan(AuthMagic.Length), "openssh-key-v1");
            if (reader.ReadString() != "none" || reader.ReadString() != "none")
            {
                throw new SshKeyEncryptedException("encrypted OpenSSH private keys are not supported (use ssh-keygen -N '')");
            }

            reader.ReadBinaryString();
            if (reader.ReadUInt32() != 1)
            {
                throw new FormatException("expected exactly one key");
            }

            reader.ReadBinaryString();
            var secret = new SshReader(reader.ReadBinaryString(), "openssh-key-v1 private section");
            if (secret.ReadUInt32() != secret.ReadUInt32())
            {
                throw new FormatException("check integers differ");
            }

            return secret.ReadBytes(secret.Remaining).ToArray();
        }
        catch (SshProtocolException ex)
        {
            throw new FormatException($"bad OpenSSH private key: {ex.Message}", ex);
        }
    }

    /// <summary>Reads an ssh-ed25519 or ecdsa-sha2-nistp256 private key of an OpenSSH private section; null for other types.</summary>
    internal static SshHostKey? ParseKey(string type, ref SshReader secret)
    {
        switch (type)
        {
            case "ssh-ed25519":
                secret.ReadBinaryString();
                var both = secret.ReadBinaryString();
                if (both.Length != 64)
                {
                    throw new FormatException("ssh-ed25519 private key is not 64 bytes");
                }

                return new SshHostKey(Key.Import(SignatureAlgorithm.Ed25519, both[..32], KeyBlobFormat.RawPrivateKey, Exportable));
            case "ecdsa-sha2-nistp256":
                secret.ReadString();
                var q = secret.ReadBinaryString();
                var d = secret.ReadMpintUnsigned();
                if (q.Length != 65 || d.Length > 32)
                {
                    throw new FormatException("bad nistp256 key");
                }

                var dFixed = new byte[32];
                d.CopyTo(dFixed.AsSpan(32 - d.Length));
                return new SshHostKey(ECDsa.Create(new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP256,
                    D = dFixed,
                    Q = new ECPoint { X = q[1..33].ToArray(), Y = q[33..].ToArray() },
                }));
            default:
                return null;
        }
    }
}
