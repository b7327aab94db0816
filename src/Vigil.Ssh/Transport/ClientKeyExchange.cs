using Vigil.Ssh.Protocol;
using static Vigil.Ssh.Protocol.SshMessageNumber;

namespace Vigil.Ssh.Transport;

/// <summary>
/// The client's part of the key exchange (RFC 5656 §4): sends Q_C, checks the server's signature over H with the
/// host key K_S, and asks <paramref name="trustHostKey"/> whether K_S is the expected key. A rekey must present the
/// same host key as the first exchange (as OpenSSH's client requires).
/// </summary>
/// <param name="trustHostKey">Throws (e.g. <see cref="SshHostKeyRejectedException"/>) when the server's key is not trusted.</param>
/// <param name="hostKeyAlgorithms">The host key signatures offered, in preference order (a subset of <see cref="HostKeySignatures"/>).</param>
internal sealed class ClientKeyExchange(Action<SshPublicKey> trustHostKey, IReadOnlyList<string> hostKeyAlgorithms) : KeyExchangeRole
{
    /// <summary>Host key signatures the client verifies, in preference order (RFC 8709, RFC 5656, RFC 8332).</summary>
    public static readonly string[] HostKeySignatures = ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"];

    private SshPublicKey? _hostKey;

    /// <summary>The server's host key, once the first key exchange verified it.</summary>
    public SshPublicKey? HostKey => _hostKey;

    /// <inheritdoc />
    public override bool IsClient => true;

    /// <inheritdoc />
    public override IReadOnlyList<string> HostKeyAlgorithms => hostKeyAlgorithms;

    /// <inheritdoc />
    public override string PeerStrictKexMarker => SshAlgorithmCatalog.StrictKexServer;

    /// <inheritdoc />
    public override string[] KeyExchangeNames(bool first) =>
        first ? [.. SshAlgorithmCatalog.KeyExchange, SshAlgorithmCatalog.ExtInfoClient, SshAlgorithmCatalog.StrictKexClient] : SshAlgorithmCatalog.KeyExchange;

    /// <inheritdoc />
    public override async Task<EcdhOutcome> ExchangeAsync(SshTransport transport, KexContext context, CancellationToken cancellationToken)
    {
        using var ecdh = EcdhKeyExchange.Create(context.Algorithms.KeyExchange);
        var clientPublic = ecdh.PublicKey;
        await transport.SendKeyExchangeMessageAsync(SshWriter.Message(SSH_MSG_KEX_ECDH_INIT).WriteBinaryString(clientPublic).Memory, cancellationToken).ConfigureAwait(false);

        var reply = await transport.ReadKeyExchangeMessageAsync(SSH_MSG_KEX_ECDH_REPLY, cancellationToken).ConfigureAwait(false);
        var reader = new SshReader(reply, "SSH_MSG_KEX_ECDH_REPLY");
        reader.ReadByte();
        var hostKeyBlob = reader.ReadBinaryString().ToArray();
        var serverPublic = reader.ReadBinaryString().ToArray();
        var signature = reader.ReadBinaryString().ToArray();
        reader.ExpectEnd();

        SshPublicKey hostKey;
        try
        {
            hostKey = SshPublicKey.FromBlob(hostKeyBlob);
        }
        catch (SshProtocolException ex)
        {
            throw new SshProtocolException(SshDisconnectReason.HostKeyNotVerifiable, $"server host key: {ex.Message}");
        }

        var secret = ecdh.Agree(serverPublic);
        var exchangeHash = ExchangeHash(context, hostKeyBlob, clientPublic, serverPublic, secret);
        if (!hostKey.Verify(context.Algorithms.HostKey, exchangeHash, signature))
        {
            throw new SshProtocolException(SshDisconnectReason.HostKeyNotVerifiable, $"the server's {context.Algorithms.HostKey} signature over the exchange hash does not verify with its host key {hostKey.Fingerprint}");
        }

        if (_hostKey is null)
        {
            trustHostKey(hostKey);
            _hostKey = hostKey;
        }
        else if (!_hostKey.Blob.Span.SequenceEqual(hostKeyBlob))
        {
            throw new SshProtocolException(SshDisconnectReason.HostKeyNotVerifiable, $"the server presented host key {hostKey.Fingerprint} in a rekey, not {_hostKey.Fingerprint} of the first key exchange");
        }

        return new EcdhOutcome(EncodeSecret(secret), exchangeHash, null);
    }
}
