using System.Text.RegularExpressions;
using Vigil.Connections;

namespace Vigil.Identity.SshKeys;

/// <summary>
/// A public key registered on a user or service account, with which it logs in to the gateway's SSH listener
/// (<c>ssh -p 2222 CONNECTION@gateway</c>). A fingerprint belongs to one identity only.
/// </summary>
/// <param name="Id">Stable id (a GUID string).</param>
/// <param name="UserId">The owning user or service account.</param>
/// <param name="Name">A label: the key's comment unless one was given.</param>
/// <param name="Type">The key type (<c>ssh-ed25519</c>, <c>ecdsa-sha2-nistp256</c>, <c>ssh-rsa</c>…).</param>
/// <param name="PublicKey">The key as <c>TYPE BASE64</c> (without the comment).</param>
/// <param name="Fingerprint"><c>SHA256:</c> and the unpadded base64 of the SHA-256 of the key blob, as <c>ssh-keygen -l</c> prints it.</param>
/// <param name="CreatedAt">When it was registered.</param>
public sealed record SshKey(string Id, string UserId, string Name, string Type, string PublicKey, string Fingerprint, DateTimeOffset CreatedAt);

/// <summary>The API shape of a registered key: <c>{id, name, type, fingerprint, created_at}</c>.</summary>
public sealed record SshKeyView(string Id, string Name, string Type, string Fingerprint, string CreatedAt)
{
    /// <summary>Projects <paramref name="key"/>.</summary>
    public static SshKeyView From(SshKey key) => new(key.Id, key.Name, key.Type, key.Fingerprint, Storage.Rfc3339.Format(key.CreatedAt));
}

/// <summary>
/// A parsed <c>authorized_keys</c> line: <c>TYPE BASE64 [COMMENT]</c> (OpenSSH sshd(8) AUTHORIZED_KEYS FILE FORMAT,
/// without options: a registered key is a login credential, and options such as <c>command=</c> are sshd's to enforce,
/// not the gateway's).
/// </summary>
public sealed partial record AuthorizedKeyLine(string Type, string Base64, byte[] Blob, string? Comment)
{
    /// <summary>Longest line accepted, in characters (an RSA 16384-bit key is about 2.8 KiB of base64).</summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>The key's fingerprint (<c>SHA256:…</c>).</summary>
    public string Fingerprint => SshHostKey.FingerprintOf(Blob);

    /// <summary>Parses <paramref name="line"/>; on failure <paramref name="error"/> names the field <c>public_key</c>.</summary>
    public static bool TryParse(string? line, out AuthorizedKeyLine? key, out string? error)
    {
        key = null;
        error = null;
        var trimmed = line?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            error = "missing field 'public_key'";
            return false;
        }
        if (trimmed.Length > MaxLength || trimmed.Contains('\n') || trimmed.Contains('\r'))
        {
            error = "field 'public_key' must be one authorized_keys line (TYPE BASE64 [COMMENT])";
            return false;
        }
        var fields = Whitespace().Split(trimmed, 3);
        if (!SshPublicKey.IsKeyType(fields[0]))
        {
            error = $"field 'public_key' must start with a key type ({string.Join(", ", SshPublicKey.KeyTypes)}); authorized_keys options are not accepted";
            return false;
        }
        if (fields.Length < 2)
        {
            error = "field 'public_key' has no key data after its type";
            return false;
        }
        if (!SshPublicKey.TryParseBlob(fields[0], fields[1], out var blob, out var blobError))
        {
            error = $"field 'public_key': {blobError}";
            return false;
        }
        key = new AuthorizedKeyLine(fields[0], fields[1], blob, fields.Length > 2 ? fields[2].Trim() : null);
        return true;
    }

    [GeneratedRegex(@"[ \t]+")]
    private static partial Regex Whitespace();
}
