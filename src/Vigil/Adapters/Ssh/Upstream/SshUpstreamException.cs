namespace Vigil.Adapters.Ssh.Upstream;

/// <summary>Why an <c>ssh</c> connection's target could not be used.</summary>
public enum SshUpstreamFailure
{
    /// <summary>The host is down, refuses the TCP connection, or the name does not resolve.</summary>
    Unreachable,
    /// <summary>No answer (TCP connect, version exchange, key exchange or authentication) within the connect timeout.</summary>
    Timeout,
    /// <summary>The target presented a host key other than the pinned one; nothing was sent to it.</summary>
    HostKeyMismatch,
    /// <summary>The target refused the connection's private key or password.</summary>
    AuthenticationFailed,
    /// <summary>The SSH session broke (protocol error, the target disconnected).</summary>
    ConnectionLost,
}

/// <summary>
/// An <c>ssh</c> connection's target could not be reached or used. <see cref="Exception.Message"/> names the connection
/// and never carries its credentials; adapters show it to the client after <c>vigil: </c> and record it as the session's
/// reason (e.g. <c>host key mismatch for connection web: expected SHA256:…, got SHA256:…</c>).
/// </summary>
public sealed class SshUpstreamException(SshUpstreamFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What went wrong.</summary>
    public SshUpstreamFailure Failure { get; } = failure;

    /// <summary>For <see cref="SshUpstreamFailure.HostKeyMismatch"/>: the fingerprint the target presented (<c>SHA256:…</c>).</summary>
    public string? PresentedFingerprint { get; init; }
}
