namespace Vigil.Ssh;

/// <summary>
/// A private key that is protected by a passphrase: an <c>openssh-key-v1</c> file whose cipher or kdf is not
/// <c>none</c> (OpenSSH PROTOCOL.key), a PKCS#8 <c>ENCRYPTED PRIVATE KEY</c> (RFC 5958 §3) or a legacy PEM key with
/// <c>Proc-Type: 4,ENCRYPTED</c> (RFC 1421 §4.6.1.1). The library reads unencrypted keys only; callers tell this case
/// apart by type to ask for the key without its passphrase.
/// </summary>
public sealed class SshKeyEncryptedException(string message) : FormatException(message);
