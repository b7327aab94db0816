namespace Vigil.Ssh;

/// <summary>
/// The peer broke the SSH protocol (malformed or unexpected message, oversized packet, bad MAC, failed key
/// exchange, too many authentication failures). The server sends SSH_MSG_DISCONNECT with <see cref="Reason"/> and
/// the message text (RFC 4253 §11.1), closes the transport, then <see cref="SshServerConnection.RunAsync"/> throws this.
/// </summary>
public sealed class SshProtocolException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Disconnect reason code sent to the peer.</param>
    /// <param name="message">Human-readable description, sent to the peer in SSH_MSG_DISCONNECT; never contains secrets.</param>
    public SshProtocolException(SshDisconnectReason reason, string message)
        : base(message) => Reason = reason;

    /// <summary>The RFC 4253 §11.1 reason code.</summary>
    public SshDisconnectReason Reason { get; }

    /// <summary>A <see cref="SshDisconnectReason.ProtocolError"/> for a malformed field of a message.</summary>
    /// <param name="message">Message name as in the RFCs, e.g. <c>SSH_MSG_KEXINIT</c>.</param>
    /// <param name="detail">What was wrong.</param>
    /// <returns>The exception to throw.</returns>
    internal static SshProtocolException Malformed(string message, string detail) =>
        new(SshDisconnectReason.ProtocolError, $"malformed {message}: {detail}");
}
