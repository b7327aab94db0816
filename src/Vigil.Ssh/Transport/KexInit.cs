using System.Security.Cryptography;
using Vigil.Ssh.Protocol;

namespace Vigil.Ssh.Transport;

/// <summary>
/// SSH_MSG_KEXINIT (RFC 4253 §7.1): cookie, ten name-lists, first_kex_packet_follows, reserved uint32.
/// </summary>
internal sealed record KexInit(
    string[] KeyExchange,
    string[] HostKey,
    string[] CipherClientToServer,
    string[] CipherServerToClient,
    string[] MacClientToServer,
    string[] MacServerToClient,
    string[] CompressionClientToServer,
    string[] CompressionServerToClient,
    bool FirstKexPacketFollows)
{
    /// <summary>Parses a KEXINIT payload (message number included).</summary>
    /// <exception cref="SshProtocolException">Malformed message.</exception>
    public static KexInit Parse(ReadOnlySpan<byte> payload)
    {
        var reader = new SshReader(payload, "SSH_MSG_KEXINIT");
        reader.ReadByte();
        reader.ReadBytes(16);
        var kex = reader.ReadNameList();
        var hostKey = reader.ReadNameList();
        var cipherCs = reader.ReadNameList();
        var cipherSc = reader.ReadNameList();
        var macCs = reader.ReadNameList();
        var macSc = reader.ReadNameList();
        var compCs = reader.ReadNameList();
        var compSc = reader.ReadNameList();
        reader.ReadNameList();
        reader.ReadNameList();
        var follows = reader.ReadBoolean();
        reader.ReadUInt32();
        return new KexInit(kex, hostKey, cipherCs, cipherSc, macCs, macSc, compCs, compSc, follows);
    }

    /// <summary>Builds a KEXINIT payload with our ciphers and MACs (either role: the lists are the same both ways).</summary>
    /// <param name="keyExchange">Key exchange methods, pseudo-algorithms (strict KEX, ext-info) included.</param>
    /// <param name="hostKeyAlgorithms">Host key algorithms: the server's keys, or those the client can verify.</param>
    public static byte[] Build(IEnumerable<string> keyExchange, IEnumerable<string> hostKeyAlgorithms)
    {
        var writer = SshWriter.Message(Protocol.SshMessageNumber.SSH_MSG_KEXINIT, 512);
        Span<byte> cookie = stackalloc byte[16];
        RandomNumberGenerator.Fill(cookie);
        writer.WriteBytes(cookie)
            .WriteNameList(keyExchange)
            .WriteNameList(hostKeyAlgorithms)
            .WriteNameList(SshAlgorithmCatalog.Ciphers)
            .WriteNameList(SshAlgorithmCatalog.Ciphers)
            .WriteNameList(SshAlgorithmCatalog.Macs)
            .WriteNameList(SshAlgorithmCatalog.Macs)
            .WriteNameList(["none"])
            .WriteNameList(["none"])
            .WriteNameList([])
            .WriteNameList([])
            .WriteBoolean(false)
            .WriteUInt32(0);
        return writer.ToArray();
    }

    /// <summary>
    /// Negotiates this (the client's) KEXINIT with the server's: for each list, the first client algorithm the server
    /// also lists (RFC 4253 §7.1). Pseudo-algorithms never match (each side offers only its own marker). MACs are not
    /// negotiated for AEAD ciphers.
    /// </summary>
    /// <exception cref="SshProtocolException">No common algorithm in some list (SSH_DISCONNECT_KEY_EXCHANGE_FAILED).</exception>
    public SshAlgorithms Negotiate(KexInit server)
    {
        var cipherCs = Pick("encryption client to server", CipherClientToServer, server.CipherClientToServer);
        var cipherSc = Pick("encryption server to client", CipherServerToClient, server.CipherServerToClient);
        Pick("compression client to server", CompressionClientToServer, server.CompressionClientToServer);
        Pick("compression server to client", CompressionServerToClient, server.CompressionServerToClient);
        return new SshAlgorithms(
            Pick("key exchange", KeyExchange, server.KeyExchange),
            Pick("host key", HostKey, server.HostKey),
            cipherCs,
            cipherSc,
            SshAlgorithmCatalog.IsAead(cipherCs) ? SshAlgorithmCatalog.AeadMac : Pick("MAC client to server", MacClientToServer, server.MacClientToServer),
            SshAlgorithmCatalog.IsAead(cipherSc) ? SshAlgorithmCatalog.AeadMac : Pick("MAC server to client", MacServerToClient, server.MacServerToClient));
    }

    private static string Pick(string what, string[] client, string[] server) =>
        Array.Find(client, server.Contains)
        ?? throw new SshProtocolException(SshDisconnectReason.KeyExchangeFailed, $"no matching {what} algorithm (client offered {string.Join(',', client)}; server supports {string.Join(',', server)})");
}
