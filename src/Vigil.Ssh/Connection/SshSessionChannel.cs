using System.Threading.Channels;
using Vigil.Ssh.Connection;
using Vigil.Ssh.Protocol;
using static Vigil.Ssh.Protocol.SshMessageNumber;

namespace Vigil.Ssh;

/// <summary>
/// One session channel (RFC 4254 §6) from the handler's side. Requests arrive on <see cref="Requests"/> in order;
/// stdin is <see cref="Input"/>; output goes through <see cref="WriteAsync"/> / <see cref="WriteErrorAsync"/>, which
/// respect the client's window (RFC 4254 §5.2) and the client's maximum packet size. Methods are safe to call from
/// several tasks (e.g. stdout and stderr pumps).
/// </summary>
public sealed class SshSessionChannel
{
    private const int MaxEnvironment = 64;

    private readonly IChannelHost _host;
    private readonly Channel<SshChannelRequest> _requests = Channel.CreateUnbounded<SshChannelRequest>(new() { SingleWriter = true });
    private readonly CancellationTokenSource _closed = new();
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly SendWindow _sendWindow;
    private bool _started;
    private bool _eofSent;
    private bool _closeSent;
    private bool _closeReceived;

    internal SshSessionChannel(IChannelHost host, uint localId, uint remoteId, uint remoteWindow, uint remoteMaxPacket, uint localWindow)
    {
        _host = host;
        ChannelId = localId;
        RemoteChannelId = remoteId;
        _sendWindow = new SendWindow(remoteWindow, remoteMaxPacket);
        Input = new ChannelInputStream(new ReceiveWindow(localWindow, AdjustWindowAsync));
        Output = new ChannelOutputStream(WriteAsync);
        ErrorOutput = new ChannelOutputStream(WriteErrorAsync);
    }

    /// <summary>Our channel number (recipient channel in the client's messages).</summary>
    public uint ChannelId { get; }

    /// <summary>The client's channel number.</summary>
    public uint RemoteChannelId { get; }

    /// <summary>
    /// The channel requests in arrival order: <see cref="SshPtyRequest"/>, <see cref="SshEnvRequest"/>, then one of
    /// <see cref="SshShellRequest"/> / <see cref="SshExecRequest"/> / <see cref="SshSubsystemRequest"/>, later
    /// <see cref="SshWindowChangeRequest"/> and <see cref="SshSignalRequest"/>. Completes when the channel closes.
    /// Keep reading it during the session (at most 1000 unread requests are buffered; more is a protocol error).
    /// </summary>
    public ChannelReader<SshChannelRequest> Requests => _requests.Reader;

    /// <summary>The latest pty-req, with the size updated by later window-change requests; null when no terminal was requested.</summary>
    public SshPtyRequest? Pty { get; private set; }

    /// <summary>Variables from env requests so far.</summary>
    public IReadOnlyDictionary<string, string> Environment => _environment;

    /// <summary>
    /// The client's stdin. Reading it returns the client's bytes and returns window to the client; it returns 0 at
    /// SSH_MSG_CHANNEL_EOF, SSH_MSG_CHANNEL_CLOSE or the end of the connection. Read-only; one reader at a time.
    /// </summary>
    public Stream Input { get; }

    /// <summary>stdout as a write-only <see cref="Stream"/> (each write is <see cref="WriteAsync"/>), e.g. for <c>upstream.CopyToAsync(channel.Output)</c>. Disposing it does nothing.</summary>
    public Stream Output { get; }

    /// <summary>stderr as a write-only <see cref="Stream"/> (each write is <see cref="WriteErrorAsync"/>).</summary>
    public Stream ErrorOutput { get; }

    /// <summary>Cancelled when the client sent SSH_MSG_CHANNEL_CLOSE or the connection ended.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>
    /// Sends stdout data (SSH_MSG_CHANNEL_DATA, RFC 4254 §5.2), split to the client's maximum packet size, waiting
    /// for window as needed. A wait for window is cancellable: if <paramref name="cancellationToken"/> fires while
    /// data is pending, the connection is closed (SSH_DISCONNECT_BY_APPLICATION), since the stream position is lost,
    /// and <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    /// <param name="data">Bytes to send.</param>
    /// <param name="cancellationToken">Gives up waiting (e.g. a window that never opens).</param>
    /// <returns>Completes when every byte was handed to the transport.</returns>
    /// <exception cref="IOException">The channel or connection is closed.</exception>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => WriteCoreAsync(data, null, cancellationToken);

    /// <summary>Sends stderr data (SSH_MSG_CHANNEL_EXTENDED_DATA with SSH_EXTENDED_DATA_STDERR = 1, RFC 4254 §5.2); same flow control and errors as <see cref="WriteAsync"/>.</summary>
    /// <param name="data">Bytes to send.</param>
    /// <param name="cancellationToken">Gives up waiting.</param>
    /// <returns>Completes when every byte was handed to the transport.</returns>
    public ValueTask WriteErrorAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => WriteCoreAsync(data, 1, cancellationToken);

    /// <summary>Sends <c>exit-status</c> (RFC 4254 §6.10); send it before <see cref="CloseAsync"/>. Ignored after close.</summary>
    /// <param name="exitStatus">The command's exit code (ssh exits with it).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>Completes when sent.</returns>
    public ValueTask SendExitStatusAsync(uint exitStatus, CancellationToken cancellationToken = default) =>
        SendIfOpenAsync(Request("exit-status").WriteUInt32(exitStatus), cancellationToken);

    /// <summary>Sends <c>exit-signal</c> (RFC 4254 §6.10): the command was killed by a signal.</summary>
    /// <param name="signal">Signal name without SIG, e.g. <c>KILL</c>.</param>
    /// <param name="coreDumped">Whether a core was dumped.</param>
    /// <param name="message">Error message shown by the client (may be empty).</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>Completes when sent.</returns>
    public ValueTask SendExitSignalAsync(string signal, bool coreDumped, string message, CancellationToken cancellationToken = default) =>
        SendIfOpenAsync(Request("exit-signal").WriteString(signal).WriteBoolean(coreDumped).WriteString(message).WriteString(""), cancellationToken);

    /// <summary>Sends SSH_MSG_CHANNEL_EOF (RFC 4254 §5.3): no more output. Idempotent.</summary>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>Completes when sent.</returns>
    public async ValueTask SendEofAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_eofSent || _closeSent)
            {
                return;
            }

            _eofSent = true;
        }

        await _host.SendAsync(SshWriter.Message(SSH_MSG_CHANNEL_EOF, 5).WriteUInt32(RemoteChannelId).Memory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends SSH_MSG_CHANNEL_EOF if needed and SSH_MSG_CHANNEL_CLOSE (RFC 4254 §5.3). Idempotent; the channel is released once the client's CLOSE arrives.</summary>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <returns>Completes when sent.</returns>
    public async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        await SendEofAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            if (_closeSent)
            {
                return;
            }

            // The client's CLOSE, when it comes, releases the channel (OnCloseAsync); its arrival also marks ours as sent.
            _closeSent = true;
        }

        await _host.SendAsync(SshWriter.Message(SSH_MSG_CHANNEL_CLOSE, 5).WriteUInt32(RemoteChannelId).Memory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>SSH_MSG_CHANNEL_DATA from the client.</summary>
    internal void OnData(ReadOnlySpan<byte> data)
    {
        if (!((ChannelInputStream)Input).TryPush(data))
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"channel {ChannelId}: client sent more data than the window allows");
        }
    }

    /// <summary>SSH_MSG_CHANNEL_WINDOW_ADJUST from the client.</summary>
    internal void OnWindowAdjust(uint bytes)
    {
        if (!_sendWindow.TryAdd(bytes))
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"channel {ChannelId}: window beyond 2^32-1 bytes (RFC 4254 §5.2)");
        }
    }

    /// <summary>SSH_MSG_CHANNEL_EOF from the client.</summary>
    internal void OnEof() => ((ChannelInputStream)Input).Complete();

    /// <summary>SSH_MSG_CHANNEL_CLOSE from the client, or the end of the connection (<paramref name="connectionEnded"/>).</summary>
    internal async ValueTask OnCloseAsync(bool connectionEnded, CancellationToken cancellationToken)
    {
        bool reply;
        lock (_lock)
        {
            if (_closeReceived)
            {
                return;
            }

            _closeReceived = true;
            reply = !_closeSent && !connectionEnded;
            _closeSent = true;
        }

        _sendWindow.Close();

        ((ChannelInputStream)Input).Complete();
        _requests.Writer.TryComplete();
        await _closed.CancelAsync().ConfigureAwait(false);
        if (reply)
        {
            await _host.SendFromReadLoopAsync(SshWriter.Message(SSH_MSG_CHANNEL_CLOSE, 5).WriteUInt32(RemoteChannelId).Memory, cancellationToken).ConfigureAwait(false);
        }

        _host.Release(this);
    }

    /// <summary>Handles a SSH_MSG_CHANNEL_REQUEST body (after recipient channel, type and want-reply); returns whether it is accepted.</summary>
    internal bool OnRequest(string type, ref SshReader reader)
    {
        SshChannelRequest? request = type switch
        {
            "pty-req" => ReadPty(ref reader),
            "env" => new SshEnvRequest(reader.ReadString(), reader.ReadString()),
            "shell" => new SshShellRequest(),
            "exec" => new SshExecRequest(reader.ReadString()),
            "subsystem" => new SshSubsystemRequest(reader.ReadString()),
            "window-change" => new SshWindowChangeRequest(reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32()),
            "signal" => new SshSignalRequest(reader.ReadString()),
            _ => null,
        };
        switch (request)
        {
            case null:
                return false;
            case SshShellRequest or SshExecRequest or SshSubsystemRequest:
                if (_started)
                {
                    return false;
                }

                _started = true;
                break;
            case SshPtyRequest pty:
                Pty = pty;
                break;
            case SshWindowChangeRequest resize when Pty is not null:
                Pty = Pty with { Columns = resize.Columns, Rows = resize.Rows, WidthPixels = resize.WidthPixels, HeightPixels = resize.HeightPixels };
                break;
            case SshEnvRequest env:
                if (_environment.Count >= MaxEnvironment && !_environment.ContainsKey(env.Name))
                {
                    return false;
                }

                _environment[env.Name] = env.Value;
                break;
        }

        if (_requests.Reader.Count >= 1000)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"channel {ChannelId}: more than 1000 unprocessed channel requests");
        }

        _requests.Writer.TryWrite(request);
        return true;
    }

    /// <summary>Returns consumed window to the client (RFC 4254 §5.2), unless the channel is already closing.</summary>
    private ValueTask AdjustWindowAsync(uint bytes, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_closeSent)
            {
                return ValueTask.CompletedTask;
            }
        }

        return _host.SendAsync(SshWriter.Message(SSH_MSG_CHANNEL_WINDOW_ADJUST, 9).WriteUInt32(RemoteChannelId).WriteUInt32(bytes).Memory, cancellationToken);
    }

    private static SshPtyRequest ReadPty(ref SshReader reader)
    {
        var term = reader.ReadString();
        var (cols, rows, width, height) = (reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32(), reader.ReadUInt32());
        var modes = new Dictionary<byte, uint>();
        var encoded = new SshReader(reader.ReadBinaryString(), "pty-req terminal modes");
        while (encoded.Remaining > 0)
        {
            var opcode = encoded.ReadByte();
            if (opcode is 0 or >= 160)
            {
                // RFC 4254 §8: TTY_OP_END, and opcodes 160-255 have arguments of unknown form, so decoding stops.
                break;
            }

            modes[opcode] = encoded.ReadUInt32();
        }

        return new SshPtyRequest(term, cols, rows, width, height, modes);
    }

    private SshWriter Request(string type) =>
        SshWriter.Message(SSH_MSG_CHANNEL_REQUEST, 32).WriteUInt32(RemoteChannelId).WriteString(type).WriteBoolean(false);

    private async ValueTask SendIfOpenAsync(SshWriter message, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_closeSent)
            {
                return;
            }
        }

        await _host.SendAsync(message.Memory, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask WriteCoreAsync(ReadOnlyMemory<byte> data, uint? dataType, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            lock (_lock)
            {
                if (_closeSent || _eofSent)
                {
                    throw new IOException($"SSH channel {ChannelId} is closed for output");
                }
            }

            int chunk;
            try
            {
                chunk = await _sendWindow.TakeAsync(data.Length, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !_closed.IsCancellationRequested && !_host.IsEnding)
            {
                // Only the caller giving up ends the connection; a channel or connection already closing just unwinds.
                _host.Abort(new SshProtocolException(SshDisconnectReason.ByApplication, $"channel {ChannelId}: gave up waiting for the client's window"));
                throw;
            }

            if (chunk == 0)
            {
                continue;
            }

            var message = dataType is { } type
                ? SshWriter.Message(SSH_MSG_CHANNEL_EXTENDED_DATA, chunk + 13).WriteUInt32(RemoteChannelId).WriteUInt32(type)
                : SshWriter.Message(SSH_MSG_CHANNEL_DATA, chunk + 9).WriteUInt32(RemoteChannelId);
            message.WriteBinaryString(data.Span[..chunk]);
            await _host.SendAsync(message.Memory, cancellationToken).ConfigureAwait(false);
            data = data[chunk..];
        }
    }
}
