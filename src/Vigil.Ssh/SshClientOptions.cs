namespace Vigil.Ssh;

/// <summary>
/// Settings of an SSH client connection (<see cref="SshClientConnection.ConnectAsync(string, int, SshClientOptions, CancellationToken)"/>):
/// who to log in as, how, and which server host key to trust. One of <see cref="HostKeyFingerprint"/> and
/// <see cref="HostKeyValidator"/> is required: the client never trusts a host key by default.
/// </summary>
public sealed class SshClientOptions
{
    /// <summary>The user name to authenticate as (RFC 4252 §5).</summary>
    public string UserName { get; set; } = "";

    /// <summary>Password for the <c>password</c> method (RFC 4252 §8) and the answer to every <c>keyboard-interactive</c> prompt (RFC 4256); null to use neither.</summary>
    public string? Password { get; set; }

    /// <summary>Key for the <c>publickey</c> method (RFC 4252 §7), tried first; null to skip it. Not disposed by the connection.</summary>
    public SshClientKey? PrivateKey { get; set; }

    /// <summary>
    /// Methods to try, in order, each only when its credential is set and the server still allows it (like OpenSSH's
    /// PreferredAuthentications). Default <c>publickey</c>, <c>password</c>, <c>keyboard-interactive</c>.
    /// </summary>
    public IList<string> AuthenticationMethods { get; } = new List<string> { "publickey", "password", "keyboard-interactive" };

    /// <summary>
    /// The expected host key as OpenSSH prints it (<c>SHA256:</c> + unpadded base64, <c>ssh-keygen -lf</c>), or an
    /// OpenSSH public key / <c>known_hosts</c> line (<c>[host] type base64</c>). Another key fails the connection with
    /// <see cref="SshHostKeyRejectedException"/>.
    /// </summary>
    public string? HostKeyFingerprint { get; set; }

    /// <summary>Decides trust in the server's host key when <see cref="HostKeyFingerprint"/> is not set; false fails the connection with <see cref="SshHostKeyRejectedException"/>.</summary>
    public Func<SshPublicKey, bool>? HostKeyValidator { get; set; }

    /// <summary>
    /// Host key signature algorithms offered, in preference order (RFC 4253 §7.1: the server presents its key for the
    /// first one it has). Default: <c>ssh-ed25519</c>, <c>ecdsa-sha2-nistp256</c>, <c>rsa-sha2-512</c>, <c>rsa-sha2-256</c>.
    /// Narrow it to the pinned key's type so a server holding several host keys presents that one.
    /// </summary>
    public IList<string> HostKeyAlgorithms { get; } = new List<string> { "ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256" };

    /// <summary>The softwareversion of <c>SSH-2.0-softwareversion</c> (RFC 4253 §4.2). Default <c>Vigil</c>.</summary>
    public string SoftwareVersion { get; set; } = "Vigil";

    /// <summary>Largest <c>packet_length</c> accepted from the server; OpenSSH's limit, 256 KiB, by default (at least 35000, RFC 4253 §6.1).</summary>
    public int MaxPacketLength { get; set; } = 256 * 1024;

    /// <summary>A new key exchange starts after this many bytes in either direction (RFC 4253 §9). Default 1 GiB.</summary>
    public long RekeyBytes { get; set; } = 1L << 30;

    /// <summary>A new key exchange starts after this much time. Default 1 hour; <see cref="Timeout.InfiniteTimeSpan"/> disables.</summary>
    public TimeSpan RekeyInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Receive window per session channel in bytes (RFC 4254 §5.2): the most output the server may send ahead of the
    /// reader. It is returned as the reader consumes output, so a reader that stops stops the server. Default 2 MiB,
    /// OpenSSH's client window.
    /// </summary>
    public uint ChannelWindowSize { get; set; } = 2 * 1024 * 1024;

    /// <summary>Largest data per SSH_MSG_CHANNEL_DATA the server may send (RFC 4254 §5.1). Default 32768.</summary>
    public uint ChannelMaxPacket { get; set; } = 32768;

    /// <summary>Time for TCP connect, key exchange and authentication together. Default 30 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Clock for the rekey interval.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
