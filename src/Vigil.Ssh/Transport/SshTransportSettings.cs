namespace Vigil.Ssh.Transport;

/// <summary>The transport limits both roles share, taken from <see cref="SshServerOptions"/> or the client's options.</summary>
/// <param name="SoftwareVersion">The softwareversion of our identification string <c>SSH-2.0-softwareversion</c> (RFC 4253 §4.2).</param>
/// <param name="MaxPacketLength">Largest <c>packet_length</c> accepted (RFC 4253 §6.1).</param>
/// <param name="RekeyBytes">Bytes in either direction after which a new key exchange starts (RFC 4253 §9).</param>
/// <param name="RekeyInterval">Time after which a new key exchange starts; <see cref="Timeout.InfiniteTimeSpan"/> disables.</param>
/// <param name="TimeProvider">Clock for <paramref name="RekeyInterval"/>.</param>
internal sealed record SshTransportSettings(
    string SoftwareVersion,
    int MaxPacketLength,
    long RekeyBytes,
    TimeSpan RekeyInterval,
    TimeProvider TimeProvider)
{
    /// <summary>The server's settings.</summary>
    public static SshTransportSettings From(SshServerOptions options) =>
        new(options.SoftwareVersion, options.MaxPacketLength, options.RekeyBytes, options.RekeyInterval, options.TimeProvider);
}
