using System.Net;
using System.Net.Sockets;
using Vigil.Ssh.Client;
using Vigil.Ssh.Protocol;
using Vigil.Ssh.Transport;
using static Vigil.Ssh.Protocol.SshMessageNumber;

namespace Vigil.Ssh;

/// <summary>
/// The client side of one SSH connection: transport (RFC 4253) with the server's host key checked against
/// <see cref="SshClientOptions"/>, authentication (RFC 4252, RFC 4256), then session channels (RFC 4254 §6) opened
/// with <see cref="OpenSessionAsync"/>. A read loop dispatches the server's messages; every wait is asynchronous.
/// Dispose to disconnect.
/// </summary>
public sealed class SshClientConnection : IAsyncDisposable
{
    private const uint SshOpenAdministrativelyProhibited = 1;

    private readonly Stream _stream;
    private readonly SshTransport _transport;
    private readonly ClientKeyExchange _keyExchange;
    private readonly SshClientOptions _options;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Dictionary<uint, SshClientSession> _channels = [];
    private readonly Lock _lock = new();
    private uint _nextChannel;
    private bool _ended;
    private int _disposed;
    private Task _readLoop = Task.CompletedTask;
    private Task _rekeyTimer = Task.CompletedTask;

    private SshClientConnection(Stream stream, SshClientOptions options, EndPoint? remote)
    {
        _stream = stream;
        _options = options;
        _keyExchange = new ClientKeyExchange(TrustHostKey, [.. options.HostKeyAlgorithms]);
        _transport = new SshTransport(
            stream,
            new SshTransportSettings(options.SoftwareVersion, options.MaxPacketLength, options.RekeyBytes, options.RekeyInterval, options.TimeProvider),
            _keyExchange,
            remote,
            _lifetime.Token);
    }

    /// <summary>The server's host key, as verified during the key exchange.</summary>
    public SshPublicKey HostKey => _keyExchange.HostKey!;

    /// <summary>Versions, negotiated algorithms, session id and key exchange count (<see cref="SshConnectionInfo.ClientVersion"/> is ours).</summary>
    public SshConnectionInfo Info => _transport.Info;

    /// <summary>Completes when the connection ended (server disconnect, end of stream or dispose); faults with <see cref="SshProtocolException"/> when the server broke the protocol.</summary>
    public Task Completion => _readLoop;

    /// <summary>Connects over TCP, then as <see cref="ConnectAsync(Stream, SshClientOptions, CancellationToken)"/>.</summary>
    /// <param name="host">Host name or address.</param>
    /// <param name="port">TCP port.</param>
    /// <param name="options">User, credentials, host key trust, limits.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The authenticated connection.</returns>
    /// <exception cref="SocketException">The TCP connection failed.</exception>
    /// <exception cref="SshHostKeyRejectedException">The server's host key is not the trusted one.</exception>
    /// <exception cref="SshAuthenticationException">The server refused the credentials.</exception>
    /// <exception cref="SshProtocolException">The server broke the protocol or offers no common algorithm.</exception>
    /// <exception cref="TimeoutException"><see cref="SshClientOptions.ConnectTimeout"/> passed.</exception>
    public static async Task<SshClientConnection> ConnectAsync(string host, int port, SshClientOptions options, CancellationToken cancellationToken)
    {
        Validate(options);
        using var deadline = Deadline(options, cancellationToken);
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            tcp.Dispose();
            throw new TimeoutException($"SSH connect to {host}:{port} did not complete within {options.ConnectTimeout.TotalSeconds:0} s");
        }
        catch
        {
            tcp.Dispose();
            throw;
        }

        return await ConnectCoreAsync(new NetworkStream(tcp.Client, ownsSocket: true), options, tcp.Client.RemoteEndPoint, deadline, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the SSH handshake over a connected stream: version exchange, key exchange (curve25519-sha256 or
    /// ecdh-sha2-nistp256; host key ssh-ed25519, ecdsa-sha2-nistp256 or rsa-sha2-512/256, checked against
    /// <see cref="SshClientOptions.HostKeyFingerprint"/> or <see cref="SshClientOptions.HostKeyValidator"/>), then
    /// authentication. The connection owns <paramref name="stream"/> from here on (also when this fails).
    /// </summary>
    /// <param name="stream">A connected byte stream to the server.</param>
    /// <param name="options">User, credentials, host key trust, limits.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The authenticated connection.</returns>
    /// <exception cref="SshHostKeyRejectedException">The server's host key is not the trusted one.</exception>
    /// <exception cref="SshAuthenticationException">The server refused the credentials.</exception>
    /// <exception cref="SshProtocolException">The server broke the protocol or offers no common algorithm.</exception>
    /// <exception cref="TimeoutException"><see cref="SshClientOptions.ConnectTimeout"/> passed.</exception>
    public static Task<SshClientConnection> ConnectAsync(Stream stream, SshClientOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Validate(options);
        return ConnectCoreAsync(stream, options, null, Deadline(options, cancellationToken), cancellationToken, disposeDeadline: true);
    }

    /// <summary>Opens a <c>session</c> channel (RFC 4254 §6.1) with the receive window and packet size of the options.</summary>
    /// <exception cref="IOException">The server refused the channel or the connection is over.</exception>
    public async Task<SshClientSession> OpenSessionAsync(CancellationToken cancellationToken = default)
    {
        SshClientSession session;
        lock (_lock)
        {
            if (_ended)
            {
                throw new IOException("the SSH connection has ended");
            }

            while (_channels.ContainsKey(_nextChannel))
            {
                _nextChannel++;
            }

            session = new SshClientSession(this, _nextChannel++, _options.ChannelWindowSize);
            _channels.Add(session.ChannelId, session);
        }

        var sent = false;
        try
        {
            await SendAsync(SshWriter.Message(SSH_MSG_CHANNEL_OPEN, 32).WriteString("session").WriteUInt32(session.ChannelId)
                .WriteUInt32(_options.ChannelWindowSize).WriteUInt32(_options.ChannelMaxPacket).Memory, cancellationToken).ConfigureAwait(false);
            sent = true;
            await session.Opened.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            if (sent)
            {
                // A confirmation arriving later finds the channel and closes it at once.
                await session.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                Release(session);
            }

            throw;
        }

        return session;
    }

    /// <summary>Sends SSH_MSG_DISCONNECT (by application), closes the stream and waits for the read loop.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _transport.SendDisconnectAsync(SshDisconnectReason.ByApplication, "disconnected by the client").ConfigureAwait(false);
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _readLoop.ConfigureAwait(false);
        }
        catch (SshProtocolException)
        {
            // Already reported through Completion.
        }

        await _rekeyTimer.ConfigureAwait(false);
        _transport.Dispose();
        _lifetime.Dispose();
    }

    /// <summary>Sends a message from any task (waits while a key exchange runs).</summary>
    internal ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) => _transport.SendAsync(payload, cancellationToken);

    /// <summary>Sends a message from the read loop (never waits for a key exchange).</summary>
    internal ValueTask SendFromReadLoopAsync(ReadOnlyMemory<byte> payload) => _transport.SendOrQueueAsync(payload, _lifetime.Token);

    /// <summary>Both sides closed the channel: its number may be reused.</summary>
    internal void Release(SshClientSession session)
    {
        lock (_lock)
        {
            _channels.Remove(session.ChannelId);
        }
    }

    private static void Validate(SshClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.UserName))
        {
            throw new ArgumentException("SshClientOptions.UserName is empty", nameof(options));
        }

        if (options.HostKeyFingerprint is null && options.HostKeyValidator is null)
        {
            throw new ArgumentException("SshClientOptions needs HostKeyFingerprint or HostKeyValidator: the server's host key is never trusted by default", nameof(options));
        }

        if (options.HostKeyFingerprint is { } pinned)
        {
            ExpectedFingerprint(pinned);
        }

        if (options.HostKeyAlgorithms.Count == 0 || options.HostKeyAlgorithms.Any(a => !ClientKeyExchange.HostKeySignatures.Contains(a)))
        {
            throw new ArgumentException($"SshClientOptions.HostKeyAlgorithms must be one or more of {string.Join(", ", ClientKeyExchange.HostKeySignatures)}", nameof(options));
        }

        if (options.MaxPacketLength < 35000 || options.ChannelMaxPacket < 1 || options.ChannelMaxPacket > options.MaxPacketLength - 1024 || options.ChannelWindowSize < options.ChannelMaxPacket)
        {
            throw new ArgumentException("SshClientOptions.MaxPacketLength must be at least 35000 (RFC 4253 §6.1), ChannelMaxPacket between 1 and MaxPacketLength - 1024, ChannelWindowSize at least ChannelMaxPacket", nameof(options));
        }
    }

    /// <summary>The <c>SHA256:</c> fingerprint of a pinned fingerprint, OpenSSH public key line or known_hosts line.</summary>
    /// <exception cref="ArgumentException">None of these forms.</exception>
    private static string ExpectedFingerprint(string pinned)
    {
        var text = pinned.Trim();
        if (text.StartsWith("SHA256:", StringComparison.Ordinal))
        {
            return text.TrimEnd('=');
        }

        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < parts.Length; i++)
        {
            if (parts[i] is "ssh-ed25519" or "ecdsa-sha2-nistp256" or "ssh-rsa")
            {
                try
                {
                    return SshPublicKey.ParseOpenSshLine($"{parts[i]} {parts[i + 1]}").Fingerprint;
                }
                catch (FormatException ex)
                {
                    throw new ArgumentException($"SshClientOptions.HostKeyFingerprint: {ex.Message}", nameof(pinned), ex);
                }
            }
        }

        throw new ArgumentException("SshClientOptions.HostKeyFingerprint must be 'SHA256:…' or an OpenSSH public key / known_hosts line", nameof(pinned));
    }

    private static CancellationTokenSource Deadline(SshClientOptions options, CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.ConnectTimeout);
        return deadline;
    }

    private static async Task<SshClientConnection> ConnectCoreAsync(Stream stream, SshClientOptions options, EndPoint? remote, CancellationTokenSource deadline, CancellationToken cancellationToken, bool disposeDeadline = false)
    {
        var connection = new SshClientConnection(stream, options, remote);
        try
        {
            try
            {
                await connection._transport.StartAsync(deadline.Token).ConfigureAwait(false);
                connection._transport.Info.AuthMethod = await ClientAuthentication.AuthenticateAsync(connection._transport, options, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"SSH handshake did not complete within {options.ConnectTimeout.TotalSeconds:0} s");
            }
            catch (SshProtocolException ex)
            {
                await connection._transport.SendDisconnectAsync(ex.Reason, ex.Message).ConfigureAwait(false);
                throw;
            }
            catch (SshHostKeyRejectedException ex)
            {
                await connection._transport.SendDisconnectAsync(SshDisconnectReason.HostKeyNotVerifiable, ex.Message).ConfigureAwait(false);
                throw;
            }
            catch (SshAuthenticationException ex)
            {
                await connection._transport.SendDisconnectAsync(SshDisconnectReason.NoMoreAuthMethodsAvailable, ex.Message).ConfigureAwait(false);
                throw;
            }
        }
        catch
        {
            await connection._lifetime.CancelAsync().ConfigureAwait(false);
            await stream.DisposeAsync().ConfigureAwait(false);
            connection._transport.Dispose();
            throw;
        }
        finally
        {
            if (disposeDeadline)
            {
                deadline.Dispose();
            }
        }

        connection._transport.RekeyEnabled = true;
        connection._readLoop = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
        connection._rekeyTimer = connection._transport.RunRekeyTimerAsync(connection._lifetime.Token);
        return connection;
    }

    private void TrustHostKey(SshPublicKey key)
    {
        if (_options.HostKeyFingerprint is { } pinned)
        {
            var expected = ExpectedFingerprint(pinned);
            if (key.Fingerprint != expected)
            {
                throw new SshHostKeyRejectedException(key, expected);
            }
        }
        else if (!_options.HostKeyValidator!(key))
        {
            throw new SshHostKeyRejectedException(key, null);
        }
    }

    private async Task ReadLoopAsync()
    {
        Exception? failure = null;
        try
        {
            while (true)
            {
                var payload = await _transport.ReceiveAsync(_lifetime.Token).ConfigureAwait(false);
                await DispatchAsync(payload).ConfigureAwait(false);
            }
        }
        catch (SshProtocolException ex)
        {
            failure = ex;
            await _transport.SendDisconnectAsync(ex.Reason, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SshPeerDisconnectedException or EndOfStreamException or IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // The server or the application ended the connection.
        }
        finally
        {
            SshClientSession[] channels;
            await _lifetime.CancelAsync().ConfigureAwait(false);
            lock (_lock)
            {
                _ended = true;
                channels = [.. _channels.Values];
                _channels.Clear();
            }

            foreach (var channel in channels)
            {
                channel.OnConnectionEnded();
            }
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    private async Task DispatchAsync(byte[] payload)
    {
        switch (payload[0])
        {
            case SSH_MSG_GLOBAL_REQUEST:
                {
                    // OpenSSH's hostkeys-00@openssh.com and keepalives: nothing a session client needs.
                    var reader = new SshReader(payload, "SSH_MSG_GLOBAL_REQUEST");
                    reader.ReadByte();
                    reader.ReadString();
                    if (reader.ReadBoolean())
                    {
                        await SendFromReadLoopAsync(new[] { SSH_MSG_REQUEST_FAILURE }).ConfigureAwait(false);
                    }

                    break;
                }

            case SSH_MSG_CHANNEL_OPEN:
                {
                    // Forwarded ports, X11 and agent channels are never requested, so never accepted.
                    var reader = new SshReader(payload, "SSH_MSG_CHANNEL_OPEN");
                    reader.ReadByte();
                    reader.ReadString();
                    var sender = reader.ReadUInt32();
                    await SendFromReadLoopAsync(SshWriter.Message(SSH_MSG_CHANNEL_OPEN_FAILURE, 64).WriteUInt32(sender)
                        .WriteUInt32(SshOpenAdministrativelyProhibited).WriteString("channel type not supported").WriteString("").Memory).ConfigureAwait(false);
                    break;
                }

            case >= SSH_MSG_CHANNEL_OPEN_CONFIRMATION and <= SSH_MSG_CHANNEL_FAILURE:
                {
                    var reader = new SshReader(payload, "channel message");
                    reader.ReadByte();
                    var id = reader.ReadUInt32();
                    SshClientSession? channel;
                    lock (_lock)
                    {
                        _channels.TryGetValue(id, out channel);
                    }

                    if (channel is null)
                    {
                        throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"message {payload[0]} for unknown channel {id}");
                    }

                    await channel.OnMessageAsync(payload).ConfigureAwait(false);
                    break;
                }

            case SSH_MSG_EXT_INFO or SSH_MSG_REQUEST_SUCCESS or SSH_MSG_REQUEST_FAILURE:
                // Nothing to act on: ext-info is only for the server's signature algorithms, no global request is ever sent.
                break;
            default:
                // RFC 4253 §11.4: unknown message numbers are answered with the packet's sequence number.
                await SendFromReadLoopAsync(SshWriter.Message(SSH_MSG_UNIMPLEMENTED, 5).WriteUInt32(_transport.LastReceivedSequence).Memory).ConfigureAwait(false);
                break;
        }
    }
}
