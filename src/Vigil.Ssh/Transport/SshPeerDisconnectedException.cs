namespace Vigil.Ssh.Transport;

/// <summary>The client sent SSH_MSG_DISCONNECT (RFC 4253 §11.1): a normal end of the connection.</summary>
internal sealed class SshPeerDisconnectedException(uint reason, string description)
    : Exception($"client disconnected (reason {reason}): {description}");
