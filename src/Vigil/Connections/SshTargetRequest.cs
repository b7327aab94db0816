using System.Text;

namespace Vigil.Connections;

/// <summary>
/// Validation of the SSH fields of a connection request (<c>private_key</c>, <c>password</c>, <c>host_key</c>) into an
/// <see cref="SshTarget"/>. The private key is parsed here, at write time, with the client that will use it
/// (<see cref="Vigil.Ssh.SshClientKey"/>: OpenSSH and PEM/PKCS#8 forms of ed25519, ecdsa and rsa keys), so a key the
/// gateway cannot use is a 400 now rather than a failed session later. Messages name the field, never the secret.
/// </summary>
public static class SshTargetRequest
{
    /// <summary>Longest private key text accepted, in characters (an RSA 16384-bit PEM key is about 12 KiB).</summary>
    public const int MaxPrivateKeyLength = 32 * 1024;

    /// <summary>The validated target, or the message naming the bad field.</summary>
    public static (SshTarget? Target, string? Error) Validate(string? privateKey, string? password, string? hostKey)
    {
        if (string.IsNullOrEmpty(privateKey) && string.IsNullOrEmpty(password))
        {
            return (null, "missing field 'private_key' or 'password': an ssh connection needs one to log in to its target");
        }
        if (!string.IsNullOrEmpty(privateKey) && PrivateKeyError(privateKey) is { } keyError)
        {
            return (null, keyError);
        }
        if (hostKey is null)
        {
            return (null, "missing field 'host_key': pin the target's host key (a line of `ssh-keyscan HOST`, a known_hosts line or a SHA256:… fingerprint)");
        }
        if (!SshHostKey.TryParse(hostKey, out _, out var hostKeyError))
        {
            return (null, $"field 'host_key' {hostKeyError}");
        }
        return (new SshTarget(string.IsNullOrEmpty(privateKey) ? null : privateKey, hostKey.Trim()), null);
    }

    private static string? PrivateKeyError(string privateKey)
    {
        if (privateKey.Length > MaxPrivateKeyLength)
        {
            return $"field 'private_key' must be at most {MaxPrivateKeyLength} characters";
        }
        try
        {
            using var key = Vigil.Ssh.SshClientKey.Load(privateKey);
            return null;
        }
        catch (Vigil.Ssh.SshKeyEncryptedException)
        {
            return "field 'private_key' is encrypted with a passphrase: give the key without one (ssh-keygen -p -N '' -f KEY)";
        }
        catch (FormatException)
        {
            return "field 'private_key' must be an unencrypted private key in OpenSSH or PEM form (ed25519, ecdsa or rsa)";
        }
    }
}
