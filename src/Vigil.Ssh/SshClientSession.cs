using Vigil.Ssh.Connection;
using Vigil.Ssh.Protocol;
using static Vigil.Ssh.Protocol.SshMessageNumber;

namespace Vigil.Ssh;

/// <summary>
/// A <c>session</c> channel opened by <see cref="SshClientConnection.OpenSessionAsync"/> (RFC 4254 §6): optional
/// <see cref="RequestPtyAsync"/> and <see cref="SetEnvironmentVariableAsync"/>, then one of <see cref="ExecAsync"/>,
/// <see cref="ShellAsync"/>, <see cref="SubsystemAsync"/>. Output arrives on <see cref="StandardOutput"/> and
/// <see cref="StandardError"/>, which share the channel's receive window: the server can send only as much as the
/// reader has consumed plus the window, so read both (or dispose the session). <see cref="Exit"/> reports the exit
/// status or signal when the server closes the channel.
/// </summary>
public sealed class SshClientSession : IAsyncDisposable
{
    private readonly SshClientConnection _connection;
    private readonly ChannelInputStream _stdout;
    private readonly ChannelInputStream _stderr;
    private readonly ReceiveWindow _receiveWindow;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _requestLock = new(1, 1);
    private readonly Queue<TaskCompletionSource<bool>> _replies = new();
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<SshSessionExit> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SendWindow _sendWindow = new(0, 1);
    private uint? _exitStatus;
    private (string Name, bool CoreDumped, string Message)? _exitSignal;
    private bool _eofSent;
    private bool _closeSent;
    private bool _closeReceived;

    internal SshClientSession(SshClientConnection connection, uint channelId, uint window)
    {
        _connection = connection;
        ChannelId = channelId;
        _receiveWindow = new ReceiveWindow(window, AdjustWindowAsync);
        _stdout = new ChannelInputStream(_receiveWindow);
        _stderr = new ChannelInputStream(_receiveWindow);
        StandardInput = new ChannelOutputStream(WriteInputAsync, EndInputAsync);
    }

    /// <summary>Our channel number.</summary>
    public uint ChannelId { get; }

    /// <summary>The server's channel number.</summary>
    public uint RemoteChannelId { get; private set; }

    /// <summary>SSH_MSG_CHANNEL_DATA from the server; reads return 0 after its EOF or close. Reading returns window to the server.</summary>
    public Stream StandardOutput => _stdout;

    /// <summary>SSH_MSG_CHANNEL_EXTENDED_DATA (SSH_EXTENDED_DATA_STDERR) from the server; shares the window with <see cref="StandardOutput"/>.</summary>
    public Stream StandardError => _stderr;

    /// <summary>Write-only stdin (same as <see cref="WriteInputAsync"/>); <see cref="SendEofAsync"/> or disposing it (asynchronously) ends it.</summary>
    public Stream StandardInput { get; }

    /// <summary>Output received and not yet read from <see cref="StandardOutput"/> and <see cref="StandardError"/>, in bytes: never more than <see cref="SshClientOptions.ChannelWindowSize"/>.</summary>
    public long BufferedBytes => _receiveWindow.Buffered;

    /// <summary>Completes when the server closed the channel (or the connection ended), with the exit status or signal if it sent one (RFC 4254 §6.10), also for shells.</summary>
    public Task<SshSessionExit> Exit => _exit.Task;

    internal Task Opened => _opened.Task;

    /// <summary>Requests a pseudo-terminal (RFC 4254 §6.2); false when the server refused.</summary>
    /// <param name="terminal">TERM value, e.g. <c>xterm-256color</c>.</param>
    /// <param name="columns">Width in characters.</param>
    /// <param name="rows">Height in rows.</param>
    /// <param name="modes">Encoded terminal modes (RFC 4254 §8: opcode, uint32 argument); null for none.</param>
    /// <param name="cancellationToken">Cancels waiting for the reply.</param>
    public Task<bool> RequestPtyAsync(string terminal, uint columns, uint rows, IReadOnlyDictionary<byte, uint>? modes = null, CancellationToken cancellationToken = default)
    {
        var encoded = new SshWriter(64);
        foreach (var (opcode, value) in modes ?? new Dictionary<byte, uint>())
        {
            encoded.WriteByte(opcode).WriteUInt32(value);
        }

        encoded.WriteByte(0);
        return RequestAsync("pty-req", true, w => w.WriteString(terminal).WriteUInt32(columns).WriteUInt32(rows).WriteUInt32(0).WriteUInt32(0).WriteBinaryString(encoded.Span), cancellationToken);
    }

    /// <summary>Sets an environment variable (RFC 4254 §6.4); false when the server refused it (sshd accepts only its AcceptEnv names).</summary>
    public Task<bool> SetEnvironmentVariableAsync(string name, string value, CancellationToken cancellationToken = default) =>
        RequestAsync("env", true, w => w.WriteString(name).WriteString(value), cancellationToken);

    /// <summary>Starts <paramref name="command"/> (RFC 4254 §6.5 <c>exec</c>).</summary>
    /// <exception cref="IOException">The server refused.</exception>
    public Task ExecAsync(string command, CancellationToken cancellationToken = default) =>
        StartAsync("exec", w => w.WriteString(command), cancellationToken);

    /// <summary>Starts the user's login shell (RFC 4254 §6.5 <c>shell</c>).</summary>
    /// <exception cref="IOException">The server refused.</exception>
    public Task ShellAsync(CancellationToken cancellationToken = default) => StartAsync("shell", null, cancellationToken);

    /// <summary>Starts a subsystem such as <c>sftp</c> (RFC 4254 §6.5).</summary>
    /// <exception cref="IOException">The server refused.</exception>
    public Task SubsystemAsync(string name, CancellationToken cancellationToken = default) =>
        StartAsync("subsystem", w => w.WriteString(name), cancellationToken);

    /// <summary>Reports a new terminal size (RFC 4254 §6.7, no reply).</summary>
    public Task ChangeWindowSizeAsync(uint columns, uint rows, CancellationToken cancellationToken = default) =>
        RequestAsync("window-change", false, w => w.WriteUInt32(columns).WriteUInt32(rows).WriteUInt32(0).WriteUInt32(0), cancellationToken);

    /// <summary>Delivers a signal, named without <c>SIG</c> (e.g. <c>INT</c>, RFC 4254 §6.9, no reply; OpenSSH's sshd honours it since 7.9 for commands without a pty).</summary>
    public Task SignalAsync(string name, CancellationToken cancellationToken = default) =>
        RequestAsync("signal", false, w => w.WriteString(name), cancellationToken);

    /// <summary>Writes stdin, waiting for the server's window and splitting at its maximum packet size.</summary>
    /// <exception cref="IOException">EOF was sent or the channel is closed.</exception>
    public async ValueTask WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (!data.IsEmpty)
        {
            lock (_lock)
            {
                if (_eofSent || _closeSent || _closeReceived)
                {
                    throw new IOException($"SSH channel {ChannelId} is closed for input");
                }
            }

            var chunk = await _sendWindow.TakeAsync(data.Length, cancellationToken).ConfigureAwait(false);
            if (chunk == 0)
            {
                continue;
            }

            await _connection.SendAsync(SshWriter.Message(SSH_MSG_CHANNEL_DATA, chunk + 9).WriteUInt32(RemoteChannelId).WriteBinaryString(data.Span[..chunk]).Memory, cancellationToken).ConfigureAwait(false);
            data = data[chunk..];
        }
    }

    /// <summary>Sends SSH_MSG_CHANNEL_EOF (end of stdin, RFC 4254 §5.3); idempotent.</summary>
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

        await _connection.SendAsync(SshWriter.Message(SSH_MSG_CHANNEL_EOF, 5).WriteUInt32(RemoteChannelId).Memory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>EOF when <see cref="StandardInput"/> is disposed; a channel or connection already gone has no input left to end.</summary>
    private async ValueTask EndInputAsync()
    {
        try
        {
            await SendEofAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Sends SSH_MSG_CHANNEL_CLOSE (RFC 4254 §5.3); the session ends when the server answers with its close.</summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_closeSent)
            {
                return;
            }

            if (!_opened.Task.IsCompletedSuccessfully)
            {
                // Not confirmed yet: the confirmation, if it comes, closes the channel (OnMessageAsync).
                _opened.TrySetCanceled(CancellationToken.None);
                return;
            }

            _closeSent = true;
        }

        try
        {
            await _connection.SendAsync(SshWriter.Message(SSH_MSG_CHANNEL_CLOSE, 5).WriteUInt32(RemoteChannelId).Memory, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The connection is already gone; the channel is closed either way.
        }
    }

    /// <summary>Closes the channel.</summary>
    public ValueTask DisposeAsync() => CloseAsync();

    /// <summary>Handles a channel message (numbers 91-100) from the read loop.</summary>
    internal async ValueTask OnMessageAsync(byte[] payload)
    {
        var reader = new SshReader(payload, "channel message");
        reader.ReadByte();
        reader.ReadUInt32();
        switch (payload[0])
        {
            case SSH_MSG_CHANNEL_OPEN_CONFIRMATION:
                RemoteChannelId = reader.ReadUInt32();
                _sendWindow = new SendWindow(reader.ReadUInt32(), reader.ReadUInt32());
                if (!_opened.TrySetResult())
                {
                    // The opener gave up waiting: close the channel the server just opened (its CLOSE releases it).
                    lock (_lock)
                    {
                        _closeSent = true;
                    }

                    await _connection.SendFromReadLoopAsync(SshWriter.Message(SSH_MSG_CHANNEL_CLOSE, 5).WriteUInt32(RemoteChannelId).Memory).ConfigureAwait(false);
                }

                break;
            case SSH_MSG_CHANNEL_OPEN_FAILURE:
                {
                    var code = reader.ReadUInt32();
                    var description = reader.ReadString();
                    _connection.Release(this);
                    _opened.TrySetException(new IOException($"the server refused the session channel ({code}: {description})"));
                    End();
                    break;
                }

            case SSH_MSG_CHANNEL_WINDOW_ADJUST:
                if (!_sendWindow.TryAdd(reader.ReadUInt32()))
                {
                    throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"channel {ChannelId}: window beyond 2^32-1 bytes (RFC 4254 §5.2)");
                }

                break;
            case SSH_MSG_CHANNEL_DATA:
                Push(_stdout, reader.ReadBinaryString());
                break;
            case SSH_MSG_CHANNEL_EXTENDED_DATA:
                // Only SSH_EXTENDED_DATA_STDERR (1) is defined (RFC 4254 §5.2); any other type counts as stderr too, so its window is returned.
                reader.ReadUInt32();
                Push(_stderr, reader.ReadBinaryString());
                break;
            case SSH_MSG_CHANNEL_EOF:
                _stdout.Complete();
                _stderr.Complete();
                break;
            case SSH_MSG_CHANNEL_CLOSE:
                await OnCloseAsync().ConfigureAwait(false);
                break;
            case SSH_MSG_CHANNEL_REQUEST:
                await OnRequestAsync(payload).ConfigureAwait(false);
                break;
            case SSH_MSG_CHANNEL_SUCCESS or SSH_MSG_CHANNEL_FAILURE:
                TaskCompletionSource<bool>? pending;
                lock (_lock)
                {
                    _replies.TryDequeue(out pending);
                }

                if (pending is null)
                {
                    throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"channel {ChannelId}: reply to a request that was not sent");
                }

                pending.TrySetResult(payload[0] == SSH_MSG_CHANNEL_SUCCESS);
                break;
        }
    }

    /// <summary>The connection ended: the session ends with what it has.</summary>
    internal void OnConnectionEnded()
    {
        _opened.TrySetException(new IOException("the SSH connection ended"));
        lock (_lock)
        {
            _closeReceived = true;
            _closeSent = true;
        }

        End();
    }

    private void Push(ChannelInputStream stream, ReadOnlySpan<byte> data)
    {
        if (!stream.TryPush(data))
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"channel {ChannelId}: the server sent more data than the window allows");
        }
    }

    private async ValueTask OnRequestAsync(byte[] payload)
    {
        var reader = new SshReader(payload, "SSH_MSG_CHANNEL_REQUEST");
        reader.ReadByte();
        reader.ReadUInt32();
        var type = reader.ReadString();
        var wantReply = reader.ReadBoolean();
        switch (type)
        {
            case "exit-status":
                _exitStatus = reader.ReadUInt32();
                break;
            case "exit-signal":
                _exitSignal = (reader.ReadString(), reader.ReadBoolean(), reader.ReadString());
                break;
            default:
                // keepalive@openssh.com and anything else: answered with failure, which OpenSSH counts as alive.
                if (wantReply)
                {
                    await _connection.SendFromReadLoopAsync(SshWriter.Message(SSH_MSG_CHANNEL_FAILURE, 5).WriteUInt32(RemoteChannelId).Memory).ConfigureAwait(false);
                }

                break;
        }
    }

    private async ValueTask OnCloseAsync()
    {
        bool reply;
        lock (_lock)
        {
            _closeReceived = true;
            reply = !_closeSent;
            _closeSent = true;
        }

        if (reply)
        {
            await _connection.SendFromReadLoopAsync(SshWriter.Message(SSH_MSG_CHANNEL_CLOSE, 5).WriteUInt32(RemoteChannelId).Memory).ConfigureAwait(false);
        }

        _connection.Release(this);
        End();
    }

    private void End()
    {
        _stdout.Complete();
        _stderr.Complete();
        _sendWindow.Close();
        TaskCompletionSource<bool>[] pending;
        lock (_lock)
        {
            pending = [.. _replies];
            _replies.Clear();
        }

        foreach (var reply in pending)
        {
            reply.TrySetException(new IOException($"SSH channel {ChannelId} closed"));
        }

        _exit.TrySetResult(new SshSessionExit(_exitStatus, _exitSignal?.Name, _exitSignal?.CoreDumped ?? false, _exitSignal?.Message));
    }

    private ValueTask AdjustWindowAsync(uint bytes, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_closeSent || _closeReceived)
            {
                return ValueTask.CompletedTask;
            }
        }

        return _connection.SendAsync(SshWriter.Message(SSH_MSG_CHANNEL_WINDOW_ADJUST, 9).WriteUInt32(RemoteChannelId).WriteUInt32(bytes).Memory, cancellationToken);
    }

    private async Task StartAsync(string type, Action<SshWriter>? body, CancellationToken cancellationToken)
    {
        if (!await RequestAsync(type, true, body, cancellationToken).ConfigureAwait(false))
        {
            throw new IOException($"the server refused the {type} request");
        }
    }

    /// <summary>Sends a channel request; with <paramref name="wantReply"/> waits for its SSH_MSG_CHANNEL_SUCCESS/FAILURE (replies come in request order, RFC 4254 §5.4).</summary>
    private async Task<bool> RequestAsync(string type, bool wantReply, Action<SshWriter>? body, CancellationToken cancellationToken)
    {
        var message = SshWriter.Message(SSH_MSG_CHANNEL_REQUEST, 64).WriteUInt32(RemoteChannelId).WriteString(type).WriteBoolean(wantReply);
        body?.Invoke(message);
        var reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _requestLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_lock)
            {
                if (_closeSent || _closeReceived)
                {
                    throw new IOException($"SSH channel {ChannelId} is closed");
                }

                if (wantReply)
                {
                    _replies.Enqueue(reply);
                }
            }

            await _connection.SendAsync(message.Memory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _requestLock.Release();
        }

        return !wantReply || await reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>How a session ended (RFC 4254 §6.10).</summary>
/// <param name="ExitStatus">The command's or shell's exit status, or null if the server sent none.</param>
/// <param name="ExitSignal">The signal name without <c>SIG</c> (e.g. <c>KILL</c>) if the process was killed by one.</param>
/// <param name="CoreDumped">True when the signal dumped core.</param>
/// <param name="ErrorMessage">The server's message with an exit signal, or null.</param>
public sealed record SshSessionExit(uint? ExitStatus, string? ExitSignal, bool CoreDumped, string? ErrorMessage);
