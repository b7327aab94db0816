using System.Net;

namespace Vigil.Ssh;

/// <summary>An authenticated SSH connection, given to <see cref="ISshServerHandler.OpenSessionAsync"/>.</summary>
public sealed class SshConnectionInfo
{
    internal SshConnectionInfo(EndPoint? remoteEndPoint, string clientVersion, string serverVersion)
    {
        RemoteEndPoint = remoteEndPoint;
        ClientVersion = clientVersion;
        ServerVersion = serverVersion;
    }

    /// <summary>The client's address as given to <see cref="SshServerConnection.RunAsync"/>, or null.</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The client's identification string (RFC 4253 §4.2) without CR LF.</summary>
    public string ClientVersion { get; }

    /// <summary>Our identification string without CR LF.</summary>
    public string ServerVersion { get; }

    /// <summary>The authenticated user name (RFC 4252 §5).</summary>
    public string UserName { get; internal set; } = "";

    /// <summary>The non-null object the handler's auth callback returned.</summary>
    public object Principal { get; internal set; } = null!;

    /// <summary>The authentication method that succeeded (on either side): <c>password</c>, <c>keyboard-interactive</c> or <c>publickey</c>.</summary>
    public string AuthMethod { get; internal set; } = "";

    /// <summary>The session identifier H of the first key exchange (RFC 4253 §7.2), hex.</summary>
    public string SessionId { get; internal set; } = "";

    /// <summary>Algorithms of the latest key exchange; they change only by rekeying.</summary>
    public SshAlgorithms Algorithms { get; internal set; } = null!;

    /// <summary>True when both sides agreed on strict key exchange (<c>kex-strict-*-v00@openssh.com</c>, the Terrapin countermeasure).</summary>
    public bool StrictKex { get; internal set; }

    /// <summary>Key exchanges completed on this connection (1 after the initial one; each rekey adds one).</summary>
    public int KeyExchangeCount { get; internal set; }
}

/// <summary>Algorithms negotiated by one key exchange (RFC 4253 §7.1).</summary>
/// <param name="KeyExchange">E.g. <c>curve25519-sha256</c>.</param>
/// <param name="HostKey">E.g. <c>ssh-ed25519</c>.</param>
/// <param name="CipherClientToServer">E.g. <c>aes256-gcm@openssh.com</c>.</param>
/// <param name="CipherServerToClient">E.g. <c>aes256-gcm@openssh.com</c>.</param>
/// <param name="MacClientToServer">E.g. <c>hmac-sha2-256-etm@openssh.com</c>; <c>(aead)</c> with an AES-GCM cipher.</param>
/// <param name="MacServerToClient">As <paramref name="MacClientToServer"/>.</param>
public sealed record SshAlgorithms(
    string KeyExchange,
    string HostKey,
    string CipherClientToServer,
    string CipherServerToClient,
    string MacClientToServer,
    string MacServerToClient);
