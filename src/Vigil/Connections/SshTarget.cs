namespace Vigil.Connections;

/// <summary>
/// How an <c>ssh</c> connection authenticates to its target and which host key it pins. <see cref="PrivateKey"/> (like
/// the connection's password) is a secret: encrypted at rest (<see cref="Security.SecretProtector"/>), write-only in the
/// API (<c>has_private_key</c>), never recorded or logged. The host, port and username are the connection's own
/// fields; the password, when given, is <see cref="Connection.Password"/>.
/// </summary>
/// <param name="PrivateKey">An unencrypted private key in OpenSSH (<c>-----BEGIN OPENSSH PRIVATE KEY-----</c>) or PEM form (ed25519, ecdsa, rsa); null when the connection uses a password.</param>
/// <param name="HostKey">The pinned host key as the admin gave it: a public key line, a <c>known_hosts</c> line or a <c>SHA256:…</c> fingerprint (<see cref="SshHostKey"/>).</param>
public sealed record SshTarget(string? PrivateKey, string HostKey)
{
    /// <summary>The parsed pin (its SHA-256 fingerprint and, when the admin gave the key itself, its type).</summary>
    public SshHostKey Pin => SshHostKey.TryParse(HostKey, out var pin, out _) ? pin! : throw new InvalidOperationException("stored host key does not parse");
}
