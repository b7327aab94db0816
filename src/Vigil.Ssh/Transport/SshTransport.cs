using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Vigil.Ssh.Protocol;
using static Vigil.Ssh.Protocol.SshMessageNumber;

namespace Vigil.Ssh.Transport;

/// <summary>
/// The server side of the SSH transport layer (RFC 4253): identification strings (§4.2), the binary packet
/// protocol (§6), key exchange and rekeying (§7-9) with strict KEX, and RFC 8308 ext-info. One read loop calls
/// <see cref="ReceiveAsync"/>; any task may call <see cref="SendAsync"/>, which holds non-key-exchange messages back
/// while a key exchange runs (RFC 4253 §7.1).
/// </summary>
internal sealed class SshTransport : IDisposable
{
    /// <summary>RFC 4253 §4.2: the identification string is at most 255 characters including CR LF.</summary>
    private const int MaxIdentificationLength = 255;

    private readonly Stream _stream;
    private readonly InputBuffer _input;
    private readonly SshServerOptions _options;
    private readonly EndPoint? _remote;
    private readonly CancellationToken _lifetime;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly string[] _hostKeyAlgorithms;
    private readonly List<byte[]> _queued = [];
    private PacketCipher _rx = new NoneCipher();
    private PacketCipher _tx = new NoneCipher();
    private uint _rxSeq;
    private uint _txSeq;
    private bool _kexInProgress;
    private TaskCompletionSource _kexDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]? _serverKexInit;
    private byte[]? _sessionId;
    private bool _strict;
    private bool _extInfo;
    private long _rxBytes;
    private long _txBytes;
    private long _lastKexAt;

    /// <summary>Creates the transport over an accepted stream.</summary>
    /// <param name="stream">The connection.</param>
    /// <param name="options">Limits and host keys.</param>
    /// <param name="remote">Client address for <see cref="Info"/>.</param>
    /// <param name="lifetime">Cancelled when the connection ends; bounds every socket write.</param>
    public SshTransport(Stream stream, SshServerOptions options, EndPoint? remote, CancellationToken lifetime)
    {
        _stream = stream;
        _input = new InputBuffer(stream);
        _options = options;
        _remote = remote;
        _lifetime = lifetime;
        _hostKeyAlgorithms = options.HostKeys.Select(k => k.AlgorithmName).Distinct().ToArray();
        _lastKexAt = options.TimeProvider.GetTimestamp();
    }

    /// <summary>The connection's facts; available after <see cref="StartAsync"/>.</summary>
    public SshConnectionInfo Info { get; private set; } = null!;

    /// <summary>The sequence number of the last packet received (for SSH_MSG_UNIMPLEMENTED, RFC 4253 §11.4).</summary>
    public uint LastReceivedSequence { get; private set; }

    /// <summary>
    /// Whether the server may start key exchanges (set after authentication): OpenSSH's client refuses a
    /// KEXINIT in the middle of user authentication, and OpenSSH's server never sends one there either.
    /// </summary>
    public bool ServerRekeyEnabled { get; set; }

    /// <summary>The session identifier H of the first key exchange.</summary>
    public ReadOnlySpan<byte> SessionId => _sessionId;

    /// <summary>
    /// Exchanges identification strings (RFC 4253 §4.2) and sends the first SSH_MSG_KEXINIT. The client must send
    /// its <c>SSH-2.0-</c> line first: other lines before it are refused (they are allowed only from servers).
    /// </summary>
    /// <exception cref="SshProtocolException">Not an SSH-2.0 client, or a line over 255 bytes.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var serverVersion = "SSH-2.0-" + _options.SoftwareVersion;
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(serverVersion + "\r\n"), cancellationToken).ConfigureAwait(false);
        var line = await _input.ReadLineAsync(MaxIdentificationLength, cancellationToken).ConfigureAwait(false)
            ?? throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"identification string longer than {MaxIdentificationLength} bytes (RFC 4253 §4.2)");
        if (!line.AsSpan().StartsWith("SSH-"u8))
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, "expected the identification string 'SSH-2.0-...' as the client's first line (RFC 4253 §4.2)");
        }

        if (Array.Exists(line, b => b is < 0x20 or > 0x7e))
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, "identification string has control or non-ASCII characters");
        }

        var clientVersion = Encoding.ASCII.GetString(line);
        if (!clientVersion.StartsWith("SSH-2.0-", StringComparison.Ordinal) && !clientVersion.StartsWith("SSH-1.99-", StringComparison.Ordinal))
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolVersionNotSupported, "only SSH protocol version 2.0 is supported");
        }

        Info = new SshConnectionInfo(_remote, clientVersion, serverVersion);
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await SendKexInitLockedAsync().ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Returns the next message for the layers above, handling transport messages on the way: IGNORE, DEBUG and
    /// UNIMPLEMENTED are dropped, KEXINIT runs a key exchange (rekey), DISCONNECT ends the connection.
    /// </summary>
    /// <exception cref="SshPeerDisconnectedException">The client sent SSH_MSG_DISCONNECT.</exception>
    /// <exception cref="SshProtocolException">A protocol violation.</exception>
    /// <exception cref="EndOfStreamException">The client closed the connection.</exception>
    public async ValueTask<byte[]> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var sequence = _rxSeq;
            var payload = await ReadPacketAsync(cancellationToken).ConfigureAwait(false);
            switch (payload[0])
            {
                case SSH_MSG_IGNORE or SSH_MSG_DEBUG or SSH_MSG_UNIMPLEMENTED when _sessionId is not null || !_strict:
                    continue;
                case SSH_MSG_KEXINIT:
                    await RunKeyExchangeAsync(payload, sequence, cancellationToken).ConfigureAwait(false);
                    continue;
                case var number when _sessionId is null:
                    throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"message {number} before the key exchange completed");
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
    /// key exchange, since a server-initiated one can only finish when the read loop reads the client's KEXINIT:
    /// while one runs, the message is queued and sent right after SSH_MSG_NEWKEYS, before held-back messages.
    /// </summary>
    /// <exception cref="SshProtocolException">More than 1000 queued replies (a client that floods instead of answering KEXINIT).</exception>
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

    /// <summary>Starts a server-initiated key exchange (RFC 4253 §9) unless one is running; the client's KEXINIT reply is handled by <see cref="ReceiveAsync"/>.</summary>
    public async Task RequestRekeyAsync(CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_kexInProgress && _sessionId is not null && ServerRekeyEnabled)
            {
                await SendKexInitLockedAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
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
            // The client may already be gone; the connection is ending either way.
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
        ServerRekeyEnabled
        && _sessionId is not null
        && !_kexInProgress
        && (Math.Max(_rxBytes, _txBytes) >= _options.RekeyBytes
            || (_options.RekeyInterval != Timeout.InfiniteTimeSpan && _options.TimeProvider.GetElapsedTime(_lastKexAt) >= _options.RekeyInterval));

    private async ValueTask<byte[]> ReadPacketAsync(CancellationToken cancellationToken)
    {
        var sequence = _rxSeq;
        var payload = await _rx.ReadAsync(_input, sequence, _options.MaxPacketLength, cancellationToken).ConfigureAwait(false);
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

        _serverKexInit = KexInit.BuildServer(_hostKeyAlgorithms, strict: _sessionId is null);
        await WritePacketLockedAsync(_serverKexInit).ConfigureAwait(false);
    }

    /// <summary>Runs one key exchange (RFC 4253 §7, RFC 5656 §4, RFC 8731) after the client's KEXINIT arrived.</summary>
    private async Task RunKeyExchangeAsync(byte[] clientKexInit, uint sequence, CancellationToken cancellationToken)
    {
        var first = _sessionId is null;
        byte[] serverKexInit;
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_kexInProgress || _serverKexInit is null)
            {
                await SendKexInitLockedAsync().ConfigureAwait(false);
            }

            serverKexInit = _serverKexInit!;
        }
        finally
        {
            _sendLock.Release();
        }

        var client = KexInit.Parse(clientKexInit);
        if (first)
        {
            _strict = client.KeyExchange.Contains(SshAlgorithmCatalog.StrictKexClient);
            _extInfo = client.KeyExchange.Contains(SshAlgorithmCatalog.ExtInfoClient);
            if (_strict && sequence != 0)
            {
                throw new SshProtocolException(SshDisconnectReason.ProtocolError, "strict KEX: SSH_MSG_KEXINIT was not the client's first packet");
            }
        }

        var algorithms = client.Negotiate(_hostKeyAlgorithms);
        if (client.FirstKexPacketFollows && (client.KeyExchange[0] != algorithms.KeyExchange || client.HostKey[0] != algorithms.HostKey))
        {
            // RFC 4253 §7: the client guessed wrong, so its first key exchange packet is to be ignored.
            await ReadKexMessageAsync(null, first, cancellationToken).ConfigureAwait(false);
        }

        var init = await ReadKexMessageAsync(SSH_MSG_KEX_ECDH_INIT, first, cancellationToken).ConfigureAwait(false);
        var reader = new SshReader(init, "SSH_MSG_KEX_ECDH_INIT");
        reader.ReadByte();
        var clientPublic = reader.ReadBinaryString().ToArray();
        reader.ExpectEnd();

        using var ecdh = EcdhKeyExchange.Create(algorithms.KeyExchange);
        var secret = ecdh.Agree(clientPublic);
        var serverPublic = ecdh.ServerPublic;
        var hostKey = _options.HostKeys.First(k => k.AlgorithmName == algorithms.HostKey);
        var exchangeHash = SHA256.HashData(new SshWriter(2048)
            .WriteString(Info.ClientVersion)
            .WriteString(Info.ServerVersion)
            .WriteBinaryString(clientKexInit)
            .WriteBinaryString(serverKexInit)
            .WriteBinaryString(hostKey.PublicKeyBlob.Span)
            .WriteBinaryString(clientPublic)
            .WriteBinaryString(serverPublic)
            .WriteMpint(secret)
            .Span);
        _sessionId ??= exchangeHash;

        var reply = SshWriter.Message(SSH_MSG_KEX_ECDH_REPLY, 512)
            .WriteBinaryString(hostKey.PublicKeyBlob.Span)
            .WriteBinaryString(serverPublic)
            .WriteBinaryString(hostKey.Sign(exchangeHash));
        var sharedSecret = new SshWriter(40).WriteMpint(secret).ToArray();
        CryptographicOperations.ZeroMemory(secret);
        byte[] Key(char letter, int length) => Derive(sharedSecret, exchangeHash, letter, length);
        var rx = SshAlgorithmCatalog.Create(
            algorithms.CipherClientToServer,
            algorithms.MacClientToServer,
            Key('C', SshAlgorithmCatalog.KeyLength(algorithms.CipherClientToServer)),
            Key('A', SshAlgorithmCatalog.IvLength(algorithms.CipherClientToServer)),
            Key('E', SshAlgorithmCatalog.MacKeyLength(algorithms.MacClientToServer)));
        var tx = SshAlgorithmCatalog.Create(
            algorithms.CipherServerToClient,
            algorithms.MacServerToClient,
            Key('D', SshAlgorithmCatalog.KeyLength(algorithms.CipherServerToClient)),
            Key('B', SshAlgorithmCatalog.IvLength(algorithms.CipherServerToClient)),
            Key('F', SshAlgorithmCatalog.MacKeyLength(algorithms.MacServerToClient)));
        CryptographicOperations.ZeroMemory(sharedSecret);

        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await WritePacketLockedAsync(reply.Memory).ConfigureAwait(false);
            await WritePacketLockedAsync(new[] { SSH_MSG_NEWKEYS }).ConfigureAwait(false);
            _tx.Dispose();
            _tx = tx;
            if (_strict)
            {
                _txSeq = 0;
            }

            if (first && _extInfo)
            {
                // RFC 8308 §2.4: sent as the next packet after SSH_MSG_NEWKEYS, so clients sign RSA keys with SHA-2.
                await WritePacketLockedAsync(SshWriter.Message(SSH_MSG_EXT_INFO)
                    .WriteUInt32(1)
                    .WriteString("server-sig-algs")
                    .WriteNameList(SshAlgorithmCatalog.UserSignatures)
                    .Memory).ConfigureAwait(false);
            }
        }
        finally
        {
            _sendLock.Release();
        }

        await ReadKexMessageAsync(SSH_MSG_NEWKEYS, first, cancellationToken).ConfigureAwait(false);
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
            _serverKexInit = null;
            _rxBytes = 0;
            _txBytes = 0;
            _lastKexAt = _options.TimeProvider.GetTimestamp();
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

    /// <summary>Reads the next key exchange packet; <paramref name="expected"/> null accepts any (a wrong guess to discard).</summary>
    private async ValueTask<byte[]> ReadKexMessageAsync(byte? expected, bool first, CancellationToken cancellationToken)
    {
        while (true)
        {
            var payload = await ReadPacketAsync(cancellationToken).ConfigureAwait(false);
            if (payload[0] is SSH_MSG_IGNORE or SSH_MSG_DEBUG or SSH_MSG_UNIMPLEMENTED)
            {
                if (first && _strict)
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
