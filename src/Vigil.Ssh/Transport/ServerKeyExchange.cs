using Vigil.Ssh.Protocol;
using static Vigil.Ssh.Protocol.SshMessageNumber;

namespace Vigil.Ssh.Transport;

/// <summary>The server's part of the key exchange: answers SSH_MSG_KEX_ECDH_INIT with its host key and signature over H (RFC 5656 §4).</summary>
internal sealed class ServerKeyExchange(IReadOnlyList<SshHostKey> hostKeys) : KeyExchangeRole
{
    private readonly string[] _hostKeyAlgorithms = hostKeys.Select(k => k.AlgorithmName).Distinct().ToArray();

    /// <inheritdoc />
    public override bool IsClient => false;

    /// <inheritdoc />
    public override IReadOnlyList<string> HostKeyAlgorithms => _hostKeyAlgorithms;

    /// <inheritdoc />
    public override string PeerStrictKexMarker => SshAlgorithmCatalog.StrictKexClient;

    /// <inheritdoc />
    public override string[] KeyExchangeNames(bool first) =>
        first ? [.. SshAlgorithmCatalog.KeyExchange, SshAlgorithmCatalog.StrictKexServer] : SshAlgorithmCatalog.KeyExchange;

    /// <inheritdoc />
    public override async Task<EcdhOutcome> ExchangeAsync(SshTransport transport, KexContext context, CancellationToken cancellationToken)
    {
        var init = await transport.ReadKeyExchangeMessageAsync(SSH_MSG_KEX_ECDH_INIT, cancellationToken).ConfigureAwait(false);
        var reader = new SshReader(init, "SSH_MSG_KEX_ECDH_INIT");
        reader.ReadByte();
        var clientPublic = reader.ReadBinaryString().ToArray();
        reader.ExpectEnd();

        using var ecdh = EcdhKeyExchange.Create(context.Algorithms.KeyExchange);
        var secret = ecdh.Agree(clientPublic);
        var serverPublic = ecdh.PublicKey;
        var hostKey = hostKeys.First(k => k.AlgorithmName == context.Algorithms.HostKey);
        var exchangeHash = ExchangeHash(context, hostKey.PublicKeyBlob.Span, clientPublic, serverPublic, secret);
        var reply = SshWriter.Message(SSH_MSG_KEX_ECDH_REPLY, 512)
            .WriteBinaryString(hostKey.PublicKeyBlob.Span)
            .WriteBinaryString(serverPublic)
            .WriteBinaryString(hostKey.Sign(exchangeHash))
            .ToArray();
        return new EcdhOutcome(EncodeSecret(secret), exchangeHash, reply);
    }

    /// <summary>RFC 8308 §2.4: sent as the next packet after the first SSH_MSG_NEWKEYS, so clients sign RSA keys with SHA-2.</summary>
    public override byte[]? AfterNewKeys(KexInit peer, bool first) => first && peer.KeyExchange.Contains(SshAlgorithmCatalog.ExtInfoClient)
        ? SshWriter.Message(SSH_MSG_EXT_INFO)
            .WriteUInt32(1)
            .WriteString("server-sig-algs")
            .WriteNameList(SshAlgorithmCatalog.UserSignatures)
            .ToArray()
        : null;
}
