namespace Vigil.Ssh;

/// <summary>
/// Settings of an SSH server connection (<see cref="SshServerConnection.RunAsync"/>). One instance can be shared by
/// every connection; do not change it while connections run.
/// </summary>
public sealed class SshServerOptions
{
    /// <summary>
    /// Host keys offered in SSH_MSG_KEXINIT (RFC 4253 §7.1), in preference order; at least one is required. The
    /// client picks the first of its own list that is here (ssh-ed25519 and/or ecdsa-sha2-nistp256).
    /// </summary>
    public IList<SshHostKey> HostKeys { get; } = new List<SshHostKey>();

    /// <summary>
    /// The softwareversion part of the identification string <c>SSH-2.0-softwareversion</c> (RFC 4253 §4.2):
    /// printable US-ASCII without spaces or '-'. Default <c>Vigil</c>.
    /// </summary>
    public string SoftwareVersion { get; set; } = "Vigil";

    /// <summary>
    /// Largest accepted binary packet, in bytes of <c>packet_length</c> (RFC 4253 §6: padding length, payload and
    /// padding; not the length field nor the MAC). RFC 4253 §6.1 requires at least 35000, the default; a larger packet
    /// is refused with SSH_MSG_DISCONNECT (protocol error) and the connection closed.
    /// </summary>
    public int MaxPacketLength { get; set; } = 35000;

    /// <summary>Failed authentication attempts (password, keyboard-interactive, signed publickey) before SSH_DISCONNECT_NO_MORE_AUTH_METHODS_AVAILABLE. Default 6, as OpenSSH's MaxAuthTries.</summary>
    public int MaxAuthAttempts { get; set; } = 6;

    /// <summary>Time from TCP accept to SSH_MSG_USERAUTH_SUCCESS (version exchange, key exchange and authentication); on expiry the client is disconnected. Default 60 s.</summary>
    public TimeSpan AuthTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Every failed password or keyboard-interactive attempt is answered no sooner than this after it arrived, so an
    /// unknown user and a wrong password take the same time and get the same SSH_MSG_USERAUTH_FAILURE. Default 500 ms.
    /// </summary>
    public TimeSpan AuthFailureDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Optional SSH_MSG_USERAUTH_BANNER text (RFC 4252 §5.4), sent before the first authentication reply; null for none.</summary>
    public string? Banner { get; set; }

    /// <summary>The single prompt of keyboard-interactive authentication (RFC 4256 §3.2); the answer goes to <see cref="ISshServerHandler.AuthenticatePasswordAsync"/>. Default <c>Password: </c>.</summary>
    public string KeyboardInteractivePrompt { get; set; } = "Password: ";

    /// <summary>The server starts a new key exchange (RFC 4253 §9) after this many bytes sent or received since the last one. Default 1 GiB.</summary>
    public long RekeyBytes { get; set; } = 1L << 30;

    /// <summary>The server starts a new key exchange after this much time since the last one. Default 1 hour; <see cref="Timeout.InfiniteTimeSpan"/> disables.</summary>
    public TimeSpan RekeyInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Initial and replenished receive window per channel, in bytes (RFC 4254 §5.2): how much stdin the client may send before the handler reads it. Default 2 MiB.</summary>
    public uint ChannelWindowSize { get; set; } = 2 * 1024 * 1024;

    /// <summary>Maximum data per SSH_MSG_CHANNEL_DATA the client may send us (RFC 4254 §5.1). Default 32768, which fits <see cref="MaxPacketLength"/> 35000.</summary>
    public uint ChannelMaxPacket { get; set; } = 32768;

    /// <summary>Open session channels per connection; more are refused with SSH_OPEN_RESOURCE_SHORTAGE. Default 10 (OpenSSH's MaxSessions).</summary>
    public int MaxChannels { get; set; } = 10;

    /// <summary>Clock for the auth timeout, the failure delay and the rekey interval.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
