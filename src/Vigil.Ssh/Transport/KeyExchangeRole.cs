using System.Security.Cryptography;
using Vigil.Ssh.Protocol;

namespace Vigil.Ssh.Transport;

/// <summary>
/// What differs between the client and the server in a key exchange (RFC 4253 §7-8, RFC 5656 §4): the algorithms
/// and markers each offers, and the ECDH messages (the client sends Q_C and verifies the host key's signature; the
/// server answers with K_S, Q_S and the signature). Everything else (KEXINIT negotiation, key derivation, NEWKEYS,
/// strict KEX) is the same for both and lives in <see cref="SshTransport"/>.
/// </summary>
internal abstract class KeyExchangeRole
{
    /// <summary>True for the client: it sends with the client-to-server algorithms and keys (letters A, C, E of RFC 4253 §7.2).</summary>
    public abstract bool IsClient { get; }

    /// <summary>Host key algorithms for our KEXINIT: the server's keys, or the signatures the client can verify.</summary>
    public abstract IReadOnlyList<string> HostKeyAlgorithms { get; }

    /// <summary>The peer's strict-kex pseudo-algorithm (OpenSSH PROTOCOL §1.10); strict KEX applies when both offered theirs.</summary>
    public abstract string PeerStrictKexMarker { get; }

    /// <summary>The kex-algorithms name-list of our KEXINIT; the first key exchange adds the pseudo-algorithms (strict KEX, ext-info).</summary>
    public abstract string[] KeyExchangeNames(bool first);

    /// <summary>Runs the SSH_MSG_KEX_ECDH_INIT / SSH_MSG_KEX_ECDH_REPLY exchange once both KEXINITs are known.</summary>
    /// <exception cref="SshProtocolException">Malformed message, bad point, or (client) a bad or untrusted host key signature.</exception>
    public abstract Task<EcdhOutcome> ExchangeAsync(SshTransport transport, KexContext context, CancellationToken cancellationToken);

    /// <summary>A message to send right after our SSH_MSG_NEWKEYS, or null (the server's RFC 8308 SSH_MSG_EXT_INFO).</summary>
    public virtual byte[]? AfterNewKeys(KexInit peer, bool first) => null;

    /// <summary>The exchange hash H (RFC 5656 §4): SHA-256 of V_C, V_S, I_C, I_S, K_S, Q_C, Q_S and K.</summary>
    protected static byte[] ExchangeHash(KexContext context, ReadOnlySpan<byte> hostKey, ReadOnlySpan<byte> clientPublic, ReadOnlySpan<byte> serverPublic, byte[] secret) =>
        SHA256.HashData(new SshWriter(2048)
            .WriteString(context.ClientVersion)
            .WriteString(context.ServerVersion)
            .WriteBinaryString(context.ClientKexInit)
            .WriteBinaryString(context.ServerKexInit)
            .WriteBinaryString(hostKey)
            .WriteBinaryString(clientPublic)
            .WriteBinaryString(serverPublic)
            .WriteMpint(secret)
            .Span);

    /// <summary>K encoded as mpint for key derivation; zeroes <paramref name="secret"/>.</summary>
    protected static byte[] EncodeSecret(byte[] secret)
    {
        var encoded = new SshWriter(40).WriteMpint(secret).ToArray();
        CryptographicOperations.ZeroMemory(secret);
        return encoded;
    }
}

/// <summary>The inputs of one key exchange's hash and messages.</summary>
/// <param name="ClientVersion">V_C without CR LF.</param>
/// <param name="ServerVersion">V_S without CR LF.</param>
/// <param name="ClientKexInit">I_C, the client's KEXINIT payload.</param>
/// <param name="ServerKexInit">I_S, the server's KEXINIT payload.</param>
/// <param name="Algorithms">The negotiated algorithms.</param>
/// <param name="First">True for the initial key exchange (not a rekey).</param>
internal sealed record KexContext(string ClientVersion, string ServerVersion, byte[] ClientKexInit, byte[] ServerKexInit, SshAlgorithms Algorithms, bool First);

/// <summary>The result of the ECDH messages.</summary>
/// <param name="SharedSecret">K encoded as mpint (RFC 4253 §7.2 hashes it in that form).</param>
/// <param name="ExchangeHash">H.</param>
/// <param name="SendBeforeNewKeys">A message to send just before our SSH_MSG_NEWKEYS (the server's reply), or null.</param>
internal sealed record EcdhOutcome(byte[] SharedSecret, byte[] ExchangeHash, byte[]? SendBeforeNewKeys);
