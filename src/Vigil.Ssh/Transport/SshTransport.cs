using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Vigil.Ssh.Protocol;
using static Vigil.Ssh.Protocol.SshMessageNumber;

namespace Vigil.Ssh.Transport;

/// <summary>
/// The SSH transport layer (RFC 4253) for either role: identification strings (§4.2), the binary packet protocol
/// (§6), key exchange and rekeying (§7-9) with strict KEX. What differs between client and server (offered
/// algorithms, the ECDH messages, host key signing or checking, ext-info) is the <see cref="KeyExchangeRole"/>.
/// One read loop calls <see cref="ReceiveAsync"/>; any task may call <see cref="SendAsync"/>, which holds
/// non-key-exchange messages back while a key exchange runs (RFC 4253 §7.1).
/// </summary>
internal sealed class SshTransport : IDisposable
{
    /// <summary>RFC 4253 §4.2: the identification string is at most 255 characters including CR LF.</summary>
    private const int MaxIdentificationLength = 255;

    /// <summary>Lines a server may send before its identification string (RFC 4253 §4.2); OpenSSH's client allows 1024.</summary>
    private const int MaxPreambleLines = 1024;

    private readonly Stream _stream;
    private readonly InputBuffer _input;
    private readonly SshTransportSettings _settings;
    private readonly KeyExchangeRole _role;
    private readonly EndPoint? _remote;
    private readonly CancellationToken _lifetime;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly List<byte[]> _queued = [];
    private PacketCipher _rx = new NoneCipher();
    private PacketCipher _tx = new NoneCipher();
    private uint _rxSeq;
    private uint _txSeq;
    private bool _kexInProgress;
    private TaskCompletionSource _kexDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]? _ownKexInit;
    private byte[]? _sessionId;
    private bool _strict;
    private long _rxBytes;
    private long _txBytes;
    private long _lastKexAt;

    /// <summary>Creates the transport over a connected stream.</summary>
    /// <param name="stream">The connection.</param>
    /// <param name="settings">Limits.</param>
    /// <param name="role">Client or server part of the key exchange.</param>
    /// <param name="remote">Peer address for <see cref="Info"/>.</param>
    /// <param name="lifetime">Cancelled when the connection ends; bounds every socket write.</param>
    public SshTransport(Stream stream, SshTransportSettings settings, KeyExchangeRole role, EndPoint? remote, CancellationToken lifetime)
    {
        _stream = stream;
        _input = new InputBuffer(stream);
        _settings = settings;
        _role = role;
        _remote = remote;
        _lifetime = lifetime;
        _lastKexAt = settings.TimeProvider.GetTimestamp();
    }

    /// <summary>The connection's facts; available after <see cref="StartAsync"/>.</summary>
    public SshConnectionInfo Info { get; private set; } = null!;

    /// <summary>The sequence number of the last packet received (for SSH_MSG_UNIMPLEMENTED, RFC 4253 §11.4).</summary>
    public uint LastReceivedSequence { get; private set; }

    /// <summary>
    /// Whether we may start key exchanges (set after authentication): OpenSSH's client refuses a KEXINIT in the
    /// middle of user authentication, and neither OpenSSH side sends one there. The peer may rekey any time.
    /// </summary>
    public bool RekeyEnabled { get; set; }

    /// <summary>The session identifier H of the first key exchange.</summary>
    public ReadOnlySpan<byte> SessionId => _sessionId;

    /// <summary>
    /// Exchanges identification strings (RFC 4253 §4.2) and runs the first key exchange. A client must send its
    /// <c>SSH-2.0-</c> line first; a server may precede its own with other lines, which the client skips.
    /// </summary>
    /// <exception cref="SshProtocolException">The peer does not speak SSH-2.0, sent a line over 255 bytes, or the key exchange failed.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var ownVersion = "SSH-2.0-" + _settings.SoftwareVersion;
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(ownVersion + "\r\n"), cancellationToken).ConfigureAwait(false);
        var peerVersion = await ReadPeerVersionAsync(cancellationToken).ConfigureAwait(false);
        Info = _role.IsClient
            ? new SshConnectionInfo(_remote, ownVersion, peerVersion)
            : new SshConnectionInfo(_remote, peerVersion, ownVersion);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendKexInitLockedAsync().ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }

        while (true)
        {
            var sequence = _rxSeq;
            var payload = await ReadPacketAsync(cancellationToken).ConfigureAwait(false);
            switch (payload[0])
            {
                case SSH_MSG_IGNORE or SSH_MSG_DEBUG or SSH_MSG_UNIMPLEMENTED:
                    continue;
                case SSH_MSG_KEXINIT:
                    await RunKeyExchangeAsync(payload, sequence, cancellationToken).ConfigureAwait(false);
                    return;
                case var number:
                    throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"message {number} before the key exchange completed");
            }
        }
    }

    /// <summary>
    /// Returns the next message for the layers above, handling transport messages on the way: IGNORE, DEBUG and
    /// UNIMPLEMENTED are dropped, KEXINIT runs a key exchange (rekey), DISCONNECT ends the connection.
    /// </summary>
    /// <exception cref="SshPeerDisconnectedException">The peer sent SSH_MSG_DISCONNECT.</exception>
    /// <exception cref="SshProtocolException">A protocol violation.</exception>
    /// <exception cref="EndOfStreamException">The peer closed the connection.</exception>
    public async ValueTask<byte[]> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var sequence = _rxSeq;
            var payload = await ReadPacketAsync(cancellationToken).ConfigureAwait(false);
            switch (payload[0])
            {
                case SSH_MSG_IGNORE or SSH_MSG_DEBUG or SSH_MSG_UNIMPLEMENTED:
                    continue;
                case SSH_MSG_KEXINIT:
                    await RunKeyExchangeAsync(payload, sequence, cancellationToken).ConfigureAwait(false);
                    continue;
                case var number when IsKex(number):
                    throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"key exchange message {number} outside a key exchange");
            }

            if (NeedsRekey())
            {
                await RequestRekeyAsync(cancellationToken).ConfigureAwait(false);
            }

            return payload;
        }
    }

    /// <summary>
    /// Sends a message. Non-transport messages wait while a key exchange is in progress (RFC 4253 §7.1); if the
    /// rekey limit is reached, this send also starts a new key exchange.
    /// </summary>
    /// <param name="payload">The message, starting with its number.</param>
    /// <param name="cancellationToken">Cancels waiting for the send lock or the key exchange (not a packet half written).</param>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task gate;
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!_kexInProgress && _sessionId is not null)
                {
                    await WritePacketLockedAsync(payload).ConfigureAwait(false);
                    if (NeedsRekey())
                    {
                        await SendKexInitLockedAsync().ConfigureAwait(false);
                    }

                    return;
                }

                gate = _kexDone.Task;
            }
            finally
            {
                _sendLock.Release();
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends a message from the read loop (replies to requests, channel confirmations, closes). It never waits for a
    /// key exchange, since one we started can only finish when the read loop reads the peer's KEXINIT:
    /// while one runs, the message is queued and sent right after SSH_MSG_NEWKEYS, before held-back messages.
    /// </summary>
    /// <exception cref="SshProtocolException">More than 1000 queued replies (a peer that floods instead of answering KEXINIT).</exception>
    public async ValueTask SendOrQueueAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_kexInProgress || _sessionId is null)
            {
                if (_queued.Count >= 1000)
                {
                    throw new SshProtocolException(SshDisconnectReason.ProtocolError, "too many requests while a key exchange is pending");
                }

                _queued.Add(payload.ToArray());
                return;
            }

            await WritePacketLockedAsync(payload).ConfigureAwait(false);
            if (NeedsRekey())
            {
                await SendKexInitLockedAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Starts a key exchange (RFC 4253 §9) unless one is running or <see cref="RekeyEnabled"/> is off; the peer's KEXINIT reply is handled by <see cref="ReceiveAsync"/>.</summary>
    public async Task RequestRekeyAsync(CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_kexInProgress && _sessionId is not null && RekeyEnabled)
            {
                await SendKexInitLockedAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>RFC 4253 §9: starts a new key exchange every RekeyInterval until the connection ends (never throws).</summary>
    public async Task RunRekeyTimerAsync(CancellationToken cancellationToken)
    {
        if (_settings.RekeyInterval == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        try
        {
            while (true)
            {
                await Task.Delay(_settings.RekeyInterval, _settings.TimeProvider, cancellationToken).ConfigureAwait(false);
                await RequestRekeyAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The connection is over.
        }
    }

    /// <summary>Best effort SSH_MSG_DISCONNECT (RFC 4253 §11.1); never throws, gives up after 2 s.</summary>
    public async Task SendDisconnectAsync(SshDisconnectReason reason, string description)
    {
        try
        {
            if (!await _sendLock.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false))
            {
                return;
            }

            try
            {
                var message = SshWriter.Message(SSH_MSG_DISCONNECT).WriteUInt32((uint)reason).WriteString(description).WriteString("");
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                var packet = _tx.Seal(_txSeq++, message.Span);
                await _stream.WriteAsync(packet, timeout.Token).ConfigureAwait(false);
                await _stream.FlushAsync(timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // The peer may already be gone; the connection is ending either way.
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _rx.Dispose();
        _tx.Dispose();
        _kexDone.TrySetCanceled();
    }

    private bool NeedsRekey() =>
        RekeyEnabled
        && _sessionId is not null
        && !_kexInProgress
        && (Math.Max(_rxBytes, _txBytes) >= _settings.RekeyBytes
            || (_settings.RekeyInterval != Timeout.InfiniteTimeSpan && _settings.TimeProvider.GetElapsedTime(_lastKexAt) >= _settings.RekeyInterval));

    /// <summary>
    /// Reads the peer's identification string. A server's first line must be it; a client skips the lines a server
    /// may send before it (RFC 4253 §4.2).
    /// </summary>
    private async Task<string> ReadPeerVersionAsync(CancellationToken cancellationToken)
    {
        for (var lines = 0; ; lines++)
        {
            var line = await _input.ReadLineAsync(MaxIdentificationLength, cancellationToken).ConfigureAwait(false)
                ?? throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"identification string longer than {MaxIdentificationLength} bytes (RFC 4253 §4.2)");
            if (!line.AsSpan().StartsWith("SSH-"u8))
            {
                if (_role.IsClient && lines < MaxPreambleLines)
                {
                    continue;
                }

                throw new SshProtocolException(SshDisconnectReason.ProtocolError, _role.IsClient
                    ? $"no identification string 'SSH-2.0-...' within the server's first {MaxPreambleLines} lines (RFC 4253 §4.2)"
                    : "expected the identification string 'SSH-2.0-...' as the client's first line (RFC 4253 §4.2)");
            }

            if (Array.Exists(line, b => b is < 0x20 or > 0x7e))
            {
                throw new SshProtocolException(SshDisconnectReason.ProtocolError, "identification string has control or non-ASCII characters");
            }

            var version = Encoding.ASCII.GetString(line);
            if (!version.StartsWith("SSH-2.0-", StringComparison.Ordinal) && !version.StartsWith("SSH-1.99-", StringComparison.Ordinal))
            {
                throw new SshProtocolException(SshDisconnectReason.ProtocolVersionNotSupported, "only SSH protocol version 2.0 is supported");
            }

            return version;
        }
    }

    private async ValueTask<byte[]> ReadPacketAsync(CancellationToken cancellationToken)
    {
        var sequence = _rxSeq;
        var payload = await _rx.ReadAsync(_input, sequence, _settings.MaxPacketLength, cancellationToken).ConfigureAwait(false);
        LastReceivedSequence = sequence;
        _rxSeq++;
        _rxBytes += payload.Length;
        if (payload[0] == SSH_MSG_DISCONNECT)
        {
            var reader = new SshReader(payload, "SSH_MSG_DISCONNECT");
            reader.ReadByte();
            var reason = reader.ReadUInt32();
            throw new SshPeerDisconnectedException(reason, reader.ReadString());
        }

        return payload;
    }

    private async ValueTask WritePacketLockedAsync(ReadOnlyMemory<byte> payload)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_tx.SealedLength(payload.Length));
        try
        {
            var length = _tx.Seal(_txSeq++, payload.Span, buffer);
            await _stream.WriteAsync(buffer.AsMemory(0, length), _lifetime).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _txBytes += payload.Length;
    }

    private async ValueTask SendKexInitLockedAsync()
    {
        _kexInProgress = true;
        if (_kexDone.Task.IsCompleted)
        {
            _kexDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _ownKexInit = KexInit.Build(_role.KeyExchangeNames(first: _sessionId is null), _role.HostKeyAlgorithms);
        await WritePacketLockedAsync(_ownKexInit).ConfigureAwait(false);
    }

    /// <summary>Runs one key exchange (RFC 4253 §7, RFC 5656 §4, RFC 8731) after the peer's KEXINIT arrived.</summary>
    private async Task RunKeyExchangeAsync(byte[] peerKexInit, uint sequence, CancellationToken cancellationToken)
    {
        var first = _sessionId is null;
        byte[] ownKexInit;
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_kexInProgress || _ownKexInit is null)
            {
                await SendKexInitLockedAsync().ConfigureAwait(false);
            }

            ownKexInit = _ownKexInit!;
        }
        finally
        {
            _sendLock.Release();
        }

        var peer = KexInit.Parse(peerKexInit);
        var own = KexInit.Parse(ownKexInit);
        if (first)
        {
            _strict = peer.KeyExchange.Contains(_role.PeerStrictKexMarker);
            if (_strict && sequence != 0)
            {
                throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"strict KEX: SSH_MSG_KEXINIT was not the {(_role.IsClient ? "server" : "client")}'s first packet");
            }
        }

        var algorithms = _role.IsClient ? own.Negotiate(peer) : peer.Negotiate(own);
        if (peer.FirstKexPacketFollows && (peer.KeyExchange[0] != algorithms.KeyExchange || peer.HostKey[0] != algorithms.HostKey))
        {
            // RFC 4253 §7: the peer guessed wrong, so its first key exchange packet is to be ignored.
            await ReadKeyExchangeMessageAsync(null, cancellationToken).ConfigureAwait(false);
        }

        var context = _role.IsClient
            ? new KexContext(Info.ClientVersion, Info.ServerVersion, ownKexInit, peerKexInit, algorithms, first)
            : new KexContext(Info.ClientVersion, Info.ServerVersion, peerKexInit, ownKexInit, algorithms, first);
        var outcome = await _role.ExchangeAsync(this, context, cancellationToken).ConfigureAwait(false);
        _sessionId ??= outcome.ExchangeHash;

        // RFC 4253 §7.2: the client sends with the client-to-server keys A (IV), C (key), E (MAC); the server with B, D, F.
        var (txLetters, rxLetters) = _role.IsClient ? ("ACE", "BDF") : ("BDF", "ACE");
        var (txCipher, txMac, rxCipher, rxMac) = _role.IsClient
            ? (algorithms.CipherClientToServer, algorithms.MacClientToServer, algorithms.CipherServerToClient, algorithms.MacServerToClient)
            : (algorithms.CipherServerToClient, algorithms.MacServerToClient, algorithms.CipherClientToServer, algorithms.MacClientToServer);
        var tx = CreateCipher(outcome, txCipher, txMac, txLetters);
        var rx = CreateCipher(outcome, rxCipher, rxMac, rxLetters);
        CryptographicOperations.ZeroMemory(outcome.SharedSecret);

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (outcome.SendBeforeNewKeys is { } message)
            {
                await WritePacketLockedAsync(message).ConfigureAwait(false);
            }

            await WritePacketLockedAsync(new[] { SSH_MSG_NEWKEYS }).ConfigureAwait(false);
            _tx.Dispose();
            _tx = tx;
            if (_strict)
            {
                _txSeq = 0;
            }

            if (_role.AfterNewKeys(peer, first) is { } after)
            {
                await WritePacketLockedAsync(after).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }

        await ReadKeyExchangeMessageAsync(SSH_MSG_NEWKEYS, cancellationToken).ConfigureAwait(false);
        _rx.Dispose();
        _rx = rx;
        if (_strict)
        {
            _rxSeq = 0;
        }

        Info.Algorithms = algorithms;
        Info.SessionId = Convert.ToHexStringLower(_sessionId);
        Info.StrictKex = _strict;
        Info.KeyExchangeCount++;

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _kexInProgress = false;
            _ownKexInit = null;
            _rxBytes = 0;
            _txBytes = 0;
            _lastKexAt = _settings.TimeProvider.GetTimestamp();
            foreach (var queued in _queued)
            {
                await WritePacketLockedAsync(queued).ConfigureAwait(false);
            }

            _queued.Clear();
            _kexDone.TrySetResult();
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Reads the next key exchange packet for the <see cref="KeyExchangeRole"/>; <paramref name="expected"/> null accepts
    /// any (a wrong guess to discard). IGNORE, DEBUG and UNIMPLEMENTED are skipped, except in the initial strict KEX.
    /// </summary>
    /// <exception cref="SshProtocolException">Another message arrived.</exception>
    public async ValueTask<byte[]> ReadKeyExchangeMessageAsync(byte? expected, CancellationToken cancellationToken)
    {
        while (true)
        {
            var payload = await ReadPacketAsync(cancellationToken).ConfigureAwait(false);
            if (payload[0] is SSH_MSG_IGNORE or SSH_MSG_DEBUG or SSH_MSG_UNIMPLEMENTED)
            {
                if (Info.KeyExchangeCount == 0 && _strict)
                {
                    throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"strict KEX: unexpected message {payload[0]} during the initial key exchange");
                }

                continue;
            }

            if (expected is { } number && payload[0] != number)
            {
                throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"expected message {number} during key exchange, got {payload[0]}");
            }

            return payload;
        }
    }

    /// <summary>Sends a key exchange message (the client's SSH_MSG_KEX_ECDH_INIT) while the exchange holds other messages back.</summary>
    public async ValueTask SendKeyExchangeMessageAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WritePacketLockedAsync(payload).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Builds one direction's cipher from the keys RFC 4253 §7.2 derives with the given IV, key and MAC letters.</summary>
    private PacketCipher CreateCipher(EcdhOutcome outcome, string cipher, string mac, string letters) => SshAlgorithmCatalog.Create(
        cipher,
        mac,
        Derive(outcome.SharedSecret, outcome.ExchangeHash, letters[1], SshAlgorithmCatalog.KeyLength(cipher)),
        Derive(outcome.SharedSecret, outcome.ExchangeHash, letters[0], SshAlgorithmCatalog.IvLength(cipher)),
        Derive(outcome.SharedSecret, outcome.ExchangeHash, letters[2], SshAlgorithmCatalog.MacKeyLength(mac)));

    /// <summary>RFC 4253 §7.2: HASH(K || H || letter || session_id), extended by HASH(K || H || K1 || ...) to the needed length.</summary>
    private byte[] Derive(byte[] sharedSecret, byte[] exchangeHash, char letter, int length)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(sharedSecret);
        hash.AppendData(exchangeHash);
        hash.AppendData([(byte)letter]);
        hash.AppendData(_sessionId!);
        var key = hash.GetHashAndReset();
        while (key.Length < length)
        {
            hash.AppendData(sharedSecret);
            hash.AppendData(exchangeHash);
            hash.AppendData(key);
            key = [.. key, .. hash.GetHashAndReset()];
        }

        return key[..length];
    }
}
