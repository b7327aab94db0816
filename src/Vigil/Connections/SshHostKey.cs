using System.Buffers.Binary;
using System.Text;

namespace Vigil.Connections;

/// <summary>
/// A pinned SSH host key, from one of: an OpenSSH public key line (<c>ssh-ed25519 AAAA… comment</c>), a
/// <c>known_hosts</c> line (<c>host[,host…] ssh-ed25519 AAAA…</c>, hashed host names and <c>[host]:port</c> included;
/// <c>@cert-authority</c> and <c>@revoked</c> lines are refused), or a fingerprint as <c>ssh-keygen -l</c> prints it
/// (<c>SHA256:</c> and 43 unpadded base64 characters). A key is compared by its SHA-256 fingerprint: the SHA-256 of the
/// public key blob (RFC 4253 §6.6), base64 without padding.
/// </summary>
/// <param name="Fingerprint">The pinned key's fingerprint, <c>SHA256:…</c>.</param>
/// <param name="KeyType">The key's type (<c>ssh-ed25519</c>, <c>ecdsa-sha2-nistp256</c>, <c>ssh-rsa</c>…) when the key itself was given; null for a bare fingerprint.</param>
public sealed record SshHostKey(string Fingerprint, string? KeyType)
{
    /// <summary>Longest <c>host_key</c> text accepted.</summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>The fingerprint of a public key blob (RFC 4253 §6.6 encoding): <c>SHA256:</c> + unpadded base64 of its SHA-256.</summary>
    public static string FingerprintOf(ReadOnlySpan<byte> blob) => Vigil.Ssh.SshPublicKey.FingerprintOf(blob);

    /// <summary>True when <paramref name="fingerprint"/> (<c>SHA256:…</c>) is this pin's.</summary>
    public bool Matches(string fingerprint) => string.Equals(fingerprint, Fingerprint, StringComparison.Ordinal);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says what is wrong (without naming the field).</summary>
    public static bool TryParse(string? text, out SshHostKey? pin, out string? error)
    {
        pin = null;
        error = null;
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxLength || trimmed.Contains('\n'))
        {
            error = "must be one public key line, known_hosts line or SHA256:… fingerprint";
            return false;
        }
        if (trimmed.StartsWith("SHA256:", StringComparison.Ordinal))
        {
            var encoded = trimmed["SHA256:".Length..];
            if (encoded.Length != 43 || !TryBase64(encoded + "=", out var digest) || digest.Length != 32)
            {
                error = "a fingerprint must be SHA256: followed by 43 base64 characters (as ssh-keygen -l prints it)";
                return false;
            }
            pin = new SshHostKey(trimmed, null);
            return true;
        }
        if (trimmed.StartsWith('@'))
        {
            error = "known_hosts markers (@cert-authority, @revoked) are not supported: pin the host's own key";
            return false;
        }
        var fields = trimmed.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        // A key line is "type blob [comment]"; a known_hosts line puts the host patterns first.
        var at = Array.FindIndex(fields, f => SshPublicKey.IsKeyType(f));
        if (at < 0 || at > 1 || at + 1 >= fields.Length)
        {
            error = "must be a public key line (ssh-ed25519 AAAA…), a known_hosts line or a SHA256:… fingerprint";
            return false;
        }
        if (!SshPublicKey.TryParseBlob(fields[at], fields[at + 1], out var blob, out error))
        {
            return false;
        }
        pin = new SshHostKey(FingerprintOf(blob), fields[at]);
        return true;
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        if (Convert.TryFromBase64String(text, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }
        return false;
    }
}

/// <summary>
/// OpenSSH public keys as they appear in <c>authorized_keys</c>, <c>known_hosts</c> and <c>*.pub</c> files: a key type,
/// the base64 of the key blob (RFC 4253 §6.6: the type as an SSH string, then the type's fields), and a comment.
/// </summary>
public static class SshPublicKey
{
    /// <summary>Key types accepted (the ones OpenSSH 9 offers as host and user keys, FIDO ones included).</summary>
    public static readonly IReadOnlyList<string> KeyTypes =
    [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ];

    /// <summary>True for a type in <see cref="KeyTypes"/>.</summary>
    public static bool IsKeyType(string type) => KeyTypes.Contains(type, StringComparer.Ordinal);

    /// <summary>
    /// Decodes <paramref name="base64"/> as a key blob of <paramref name="type"/>: valid base64 whose first field (an
    /// SSH string) is the type itself; false with <paramref name="error"/> otherwise.
    /// </summary>
    public static bool TryParseBlob(string type, string base64, out byte[] blob, out string? error)
    {
        error = null;
        blob = [];
        try
        {
            blob = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            error = "the key is not valid base64";
            return false;
        }
        var length = blob.Length < 4 ? uint.MaxValue : BinaryPrimitives.ReadUInt32BigEndian(blob);
        if (length > blob.Length - 4 || !Encoding.ASCII.GetString(blob, 4, (int)length).Equals(type, StringComparison.Ordinal))
        {
            error = $"the key's data is not a {type} key";
            return false;
        }
        if (blob.Length < 4 + (int)length + 4)
        {
            error = $"the key's data is too short for a {type} key";
            return false;
        }
        return true;
    }
}
