using Vigil.Ssh.Protocol;
using Vigil.Ssh.Transport;
using static Vigil.Ssh.Protocol.SshMessageNumber;

namespace Vigil.Ssh.Connection;

/// <summary>
/// The server side of <c>ssh-connection</c> (RFC 4254) after authentication: session channels (§6), flow control
/// (§5.2), and refusal of everything else: other channel types (direct-tcpip, x11, auth-agent) get
/// SSH_MSG_CHANNEL_OPEN_FAILURE (administratively prohibited), global requests (tcpip-forward,
/// keepalive@openssh.com) get SSH_MSG_REQUEST_FAILURE, which OpenSSH's keepalive counts as an answer.
/// </summary>
internal sealed class ConnectionService(SshTransport transport, SshServerOptions options, ISshServerHandler handler, CancellationTokenSource lifetime) : IChannelHost
{
    private const uint SshOpenAdministrativelyProhibited = 1;
    private const uint SshOpenResourceShortage = 4;

    private readonly Dictionary<uint, SshSessionChannel> _channels = [];
    private readonly List<Task> _sessions = [];
    private readonly Lock _lock = new();
    private Exception? _handlerFailure;
    private SshProtocolException? _abort;

    /// <summary>The first handler exception, ending the connection.</summary>
    public Exception? HandlerFailure => _handlerFailure;

    /// <summary>The reason a channel asked to end the connection (e.g. gave up waiting for window).</summary>
    public SshProtocolException? AbortReason => _abort;

    /// <summary>Dispatches messages until the client disconnects or the connection is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var payload = await transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            await DispatchAsync(payload, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends every channel (the connection is over) and waits for the session handlers to return (at most <paramref name="grace"/>).</summary>
    public async Task ShutdownAsync(TimeSpan grace)
    {
        SshSessionChannel[] channels;
        Task[] sessions;
        lock (_lock)
        {
            channels = [.. _channels.Values];
            sessions = [.. _sessions];
        }

        foreach (var channel in channels)
        {
            await channel.OnCloseAsync(connectionEnded: true, CancellationToken.None).ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(sessions).WaitAsync(grace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A handler that ignores its cancellation token is left running; the transport is closed regardless.
        }
    }

    /// <inheritdoc />
    public ValueTask SendAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) => transport.SendAsync(payload, cancellationToken);

    /// <inheritdoc />
    public ValueTask SendFromReadLoopAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) => transport.SendOrQueueAsync(payload, cancellationToken);

    /// <inheritdoc />
    public bool IsEnding => lifetime.IsCancellationRequested;

    /// <inheritdoc />
    public void Abort(SshProtocolException error)
    {
        Interlocked.CompareExchange(ref _abort, error, null);
        lifetime.Cancel();
    }

    /// <inheritdoc />
    public void Release(SshSessionChannel channel)
    {
        lock (_lock)
        {
            _channels.Remove(channel.ChannelId);
        }
    }

    private async Task DispatchAsync(byte[] payload, CancellationToken cancellationToken)
    {
        switch (payload[0])
        {
            case SSH_MSG_GLOBAL_REQUEST:
                await GlobalRequestAsync(payload, cancellationToken).ConfigureAwait(false);
                break;
            case SSH_MSG_CHANNEL_OPEN:
                await OpenAsync(payload, cancellationToken).ConfigureAwait(false);
                break;
            case SSH_MSG_CHANNEL_WINDOW_ADJUST:
                {
                    var reader = Reader(payload, "SSH_MSG_CHANNEL_WINDOW_ADJUST", out var channel);
                    var bytes = reader.ReadUInt32();
                    reader.ExpectEnd();
                    channel.OnWindowAdjust(bytes);
                    break;
                }

            case SSH_MSG_CHANNEL_DATA:
                {
                    var reader = Reader(payload, "SSH_MSG_CHANNEL_DATA", out var channel);
                    var data = reader.ReadBinaryString();
                    reader.ExpectEnd();
                    channel.OnData(data);
                    break;
                }

            case SSH_MSG_CHANNEL_EXTENDED_DATA:
                {
                    // RFC 4254 §5.2: a client has no stderr to send a server; the bytes are accepted for the window and dropped.
                    var reader = Reader(payload, "SSH_MSG_CHANNEL_EXTENDED_DATA", out var channel);
                    reader.ReadUInt32();
                    var data = reader.ReadBinaryString();
                    reader.ExpectEnd();
                    channel.OnData([]);
                    if (data.Length > 0)
                    {
                        await SendFromReadLoopAsync(SshWriter.Message(SSH_MSG_CHANNEL_WINDOW_ADJUST, 9).WriteUInt32(channel.RemoteChannelId).WriteUInt32((uint)data.Length).Memory, cancellationToken).ConfigureAwait(false);
                    }

                    break;
                }

            case SSH_MSG_CHANNEL_EOF:
                {
                    var reader = Reader(payload, "SSH_MSG_CHANNEL_EOF", out var channel);
                    reader.ExpectEnd();
                    channel.OnEof();
                    break;
                }

            case SSH_MSG_CHANNEL_CLOSE:
                {
                    var reader = Reader(payload, "SSH_MSG_CHANNEL_CLOSE", out var channel);
                    reader.ExpectEnd();
                    await channel.OnCloseAsync(connectionEnded: false, cancellationToken).ConfigureAwait(false);
                    break;
                }

            case SSH_MSG_CHANNEL_REQUEST:
                await ChannelRequestAsync(payload, cancellationToken).ConfigureAwait(false);
                break;
            case SSH_MSG_CHANNEL_SUCCESS or SSH_MSG_CHANNEL_FAILURE or SSH_MSG_REQUEST_SUCCESS or SSH_MSG_REQUEST_FAILURE:
            case SSH_MSG_USERAUTH_REQUEST:
                // Answers to requests we never send with want-reply; RFC 4252 §5.1: auth requests after success are ignored.
                break;
            default:
                await SendFromReadLoopAsync(SshWriter.Message(SSH_MSG_UNIMPLEMENTED, 5).WriteUInt32(transport.LastReceivedSequence).Memory, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task GlobalRequestAsync(byte[] payload, CancellationToken cancellationToken)
    {
        var reader = new SshReader(payload, "SSH_MSG_GLOBAL_REQUEST");
        reader.ReadByte();
        reader.ReadString();
        if (reader.ReadBoolean())
        {
            await SendFromReadLoopAsync(new[] { SSH_MSG_REQUEST_FAILURE }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task OpenAsync(byte[] payload, CancellationToken cancellationToken)
    {
        var reader = new SshReader(payload, "SSH_MSG_CHANNEL_OPEN");
        reader.ReadByte();
        var type = reader.ReadString();
        var sender = reader.ReadUInt32();
        var window = reader.ReadUInt32();
        var maxPacket = reader.ReadUInt32();
        if (type != "session")
        {
            await OpenFailureAsync(sender, SshOpenAdministrativelyProhibited, $"channel type '{type}' is not allowed", cancellationToken).ConfigureAwait(false);
            return;
        }

        reader.ExpectEnd();
        SshSessionChannel? channel = null;
        lock (_lock)
        {
            if (_channels.Count < options.MaxChannels)
            {
                var id = 0u;
                while (_channels.ContainsKey(id))
                {
                    id++;
                }

                channel = new SshSessionChannel(this, id, sender, window, maxPacket, options.ChannelWindowSize);
                _channels.Add(id, channel);
            }
        }

        if (channel is null)
        {
            await OpenFailureAsync(sender, SshOpenResourceShortage, $"at most {options.MaxChannels} sessions per connection", cancellationToken).ConfigureAwait(false);
            return;
        }

        await SendFromReadLoopAsync(SshWriter.Message(SSH_MSG_CHANNEL_OPEN_CONFIRMATION, 17)
            .WriteUInt32(sender).WriteUInt32(channel.ChannelId).WriteUInt32(options.ChannelWindowSize).WriteUInt32(options.ChannelMaxPacket).Memory, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _sessions.Add(RunSessionAsync(channel));
        }
    }

    private async Task RunSessionAsync(SshSessionChannel channel)
    {
        await Task.Yield();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token, channel.Closed);
        try
        {
            await handler.OpenSessionAsync(transport.Info, channel, linked.Token).ConfigureAwait(false);
            await channel.CloseAsync(lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception) when (linked.IsCancellationRequested)
        {
            // The client closed the channel or the connection ended: the handler's cancellation or I/O error is expected.
        }
        catch (IOException) when (channel.Closed.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref _handlerFailure, ex, null);
            lifetime.Cancel();
        }
    }

    private async Task ChannelRequestAsync(byte[] payload, CancellationToken cancellationToken)
    {
        var (channel, accepted, wantReply) = ParseChannelRequest(payload);
        if (wantReply)
        {
            await SendFromReadLoopAsync(SshWriter.Message(accepted ? SSH_MSG_CHANNEL_SUCCESS : SSH_MSG_CHANNEL_FAILURE, 5).WriteUInt32(channel.RemoteChannelId).Memory, cancellationToken).ConfigureAwait(false);
        }
    }

    private (SshSessionChannel Channel, bool Accepted, bool WantReply) ParseChannelRequest(byte[] payload)
    {
        var reader = Reader(payload, "SSH_MSG_CHANNEL_REQUEST", out var channel);
        var type = reader.ReadString();
        var wantReply = reader.ReadBoolean();
        var accepted = channel.OnRequest(type, ref reader);
        return (channel, accepted, wantReply);
    }

    private Task OpenFailureAsync(uint sender, uint reason, string description, CancellationToken cancellationToken) =>
        SendFromReadLoopAsync(SshWriter.Message(SSH_MSG_CHANNEL_OPEN_FAILURE).WriteUInt32(sender).WriteUInt32(reason).WriteString(description).WriteString("").Memory, cancellationToken).AsTask();

    private SshReader Reader(byte[] payload, string message, out SshSessionChannel channel)
    {
        var reader = new SshReader(payload, message);
        reader.ReadByte();
        var id = reader.ReadUInt32();
        lock (_lock)
        {
            if (!_channels.TryGetValue(id, out channel!))
            {
                throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"{message} for unknown channel {id}");
            }
        }

        return reader;
    }
}
