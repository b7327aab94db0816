namespace Vigil.Ssh;

/// <summary>The server's host key is not the pinned one, or the host key validator refused it (the connection was closed with SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE).</summary>
public sealed class SshHostKeyRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="presented">The key the server presented.</param>
    /// <param name="expectedFingerprint">The pinned fingerprint, or null when a validator refused the key.</param>
    public SshHostKeyRejectedException(SshPublicKey presented, string? expectedFingerprint)
        : base(expectedFingerprint is null
            ? $"the server's host key {presented.KeyType} {presented.Fingerprint} was not trusted"
            : $"host key mismatch: the server presented {presented.KeyType} {presented.Fingerprint}, expected {expectedFingerprint}")
    {
        Presented = presented;
        ExpectedFingerprint = expectedFingerprint;
    }

    /// <summary>The key the server presented.</summary>
    public SshPublicKey Presented { get; }

    /// <summary>The pinned fingerprint (<c>SHA256:…</c>), or null when a validator refused the key.</summary>
    public string? ExpectedFingerprint { get; }
}
