namespace Vigil.Ssh;

/// <summary>Host key algorithms the server can sign with (RFC 4253 §6.6).</summary>
public enum SshHostKeyType
{
    /// <summary><c>ssh-ed25519</c> (RFC 8709): preferred.</summary>
    Ed25519,

    /// <summary><c>ecdsa-sha2-nistp256</c> (RFC 5656 §3.1): NIST P-256 with SHA-256.</summary>
    EcdsaP256,
}
