using Vigil.Connections;
using Vigil.Ssh;

namespace Vigil.Adapters.Ssh.Upstream;

/// <summary>
/// An authenticated SSH session to an <c>ssh</c> connection's target (<see cref="SshUpstream.ConnectAsync"/>): run
/// commands (<see cref="ExecAsync"/>, one RFC 4254 §6.5 <c>exec</c> channel each) or open an interactive shell
/// (<see cref="OpenShellAsync"/>, <c>pty-req</c> + <c>shell</c>). Each channel's output is flow-controlled by its
/// receive window (2 MiB, returned only as it is read), so a slow reader stops the target rather than filling the
/// gateway. Dispose to disconnect. Channels may be opened concurrently; each returned object is used by one caller.
/// </summary>
public sealed class SshUpstreamSession : IAsyncDisposable
{
    private readonly SshClientConnection _client;

    internal SshUpstreamSession(Connection connection, SshClientConnection client)
    {
        Connection = connection;
        _client = client;
    }

    /// <summary>The connection this session reaches.</summary>
    public Connection Connection { get; }

    /// <summary>The target's identification string (RFC 4253 §4.2) without CR LF, e.g. <c>SSH-2.0-OpenSSH_10.0p2 Debian-5</c>.</summary>
    public string ServerVersion => _client.Info.ServerVersion;

    /// <summary>The fingerprint (<c>SHA256:…</c>, as <c>ssh-keygen -l</c> prints it) of the host key the target presented and the pin accepted.</summary>
    public string HostKeyFingerprint => _client.HostKey.Fingerprint;

    /// <summary>The authentication method the target accepted (RFC 4252 §5): <c>publickey</c>, <c>password</c> or <c>keyboard-interactive</c>.</summary>
    public string AuthMethod => _client.Info.AuthMethod;

    /// <summary>
    /// Starts <paramref name="command"/> on the target (exactly this text, run by the target user's login shell as
    /// <c>$SHELL -c</c>). Read <see cref="SshExecution.Stdout"/> and <see cref="SshExecution.Stderr"/> to their ends,
    /// then await <see cref="SshExecution.WaitAsync"/> for the exit status.
    /// </summary>
    /// <param name="command">The command line.</param>
    /// <param name="cancellationToken">Cancelling it sends the command SIGTERM and fails <see cref="SshExecution.WaitAsync"/> with <see cref="OperationCanceledException"/>.</param>
    /// <param name="withStdin">
    /// True to write the command's stdin (<see cref="SshExecution.Stdin"/>; dispose it to send EOF). False: the command
    /// reads an empty stdin (EOF is sent at once), so a command that reads it cannot hang.
    /// </param>
    /// <param name="pty">A pseudo-terminal to run it in (RFC 4254 §6.2), as the client asked for one; null for none.</param>
    /// <exception cref="SshUpstreamException">The session broke or the target refused the channel (<see cref="SshUpstreamFailure.ConnectionLost"/>).</exception>
    public async Task<SshExecution> ExecAsync(string command, CancellationToken cancellationToken, bool withStdin = false, SshTerminal? pty = null)
    {
        var channel = await OpenAsync(cancellationToken);
        try
        {
            if (pty is not null)
            {
                await channel.RequestPtyAsync(pty.Term, pty.Columns, pty.Rows, pty.Modes, cancellationToken);
            }
            await channel.ExecAsync(command, cancellationToken);
            if (!withStdin)
            {
                await channel.SendEofAsync(cancellationToken);
            }
            return new SshExecution(channel, this, withStdin, cancellationToken);
        }
        catch (IOException e)
        {
            await channel.DisposeAsync();
            throw Lost(e);
        }
    }

    /// <summary>
    /// Starts the subsystem <paramref name="name"/> (RFC 4254 §6.5, e.g. <c>sftp</c>) with its stdin open
    /// (<see cref="SshExecution.Stdin"/>), or returns null when the target refused it (its sshd names no such subsystem).
    /// </summary>
    /// <exception cref="SshUpstreamException">The session broke (<see cref="SshUpstreamFailure.ConnectionLost"/>).</exception>
    public async Task<SshExecution?> SubsystemAsync(string name, CancellationToken cancellationToken)
    {
        var channel = await OpenAsync(cancellationToken);
        try
        {
            await channel.SubsystemAsync(name, cancellationToken);
            return new SshExecution(channel, this, true, cancellationToken);
        }
        catch (IOException e)
        {
            await channel.DisposeAsync();
            return Broken ? throw Lost(e) : null;
        }
    }

    /// <summary>Opens an interactive shell with a pseudo-terminal (RFC 4254 §6.2 <c>pty-req</c>, §6.5 <c>shell</c>).</summary>
    /// <param name="pty">The terminal the client asked for: TERM, size in characters, RFC 4254 §8 modes.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="SshUpstreamException">The session broke or the target refused the channel.</exception>
    public async Task<SshShell> OpenShellAsync(SshTerminal pty, CancellationToken cancellationToken)
    {
        var channel = await OpenAsync(cancellationToken);
        try
        {
            await channel.RequestPtyAsync(pty.Term, pty.Columns, pty.Rows, pty.Modes, cancellationToken);
            await channel.ShellAsync(cancellationToken);
            return new SshShell(channel);
        }
        catch (IOException e)
        {
            await channel.DisposeAsync();
            throw Lost(e);
        }
    }

    private async Task<SshClientSession> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _client.OpenSessionAsync(cancellationToken);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            throw Lost(e);
        }
    }

    /// <summary>The session broke: the connection-lost failure for this connection.</summary>
    internal SshUpstreamException Lost(Exception e) => SshUpstream.Failure(Connection, SshUpstreamFailure.ConnectionLost, e.Message, e);

    /// <summary>True once the SSH connection has ended (the target left, the protocol failed, or it was disposed).</summary>
    internal bool Broken => _client.Completion.IsCompleted;

    /// <summary>Disconnects.</summary>
    public ValueTask DisposeAsync() => _client.DisposeAsync();
}

/// <summary>A pseudo-terminal as a client asked for it (RFC 4254 §6.2): TERM, size in characters, encoded modes (RFC 4254 §8 opcode → value).</summary>
public sealed record SshTerminal(string Term, uint Columns, uint Rows, IReadOnlyDictionary<byte, uint>? Modes = null);

/// <summary>How a command ended (RFC 4254 §6.10): its exit status, or the signal that killed it.</summary>
/// <param name="ExitStatus">The <c>exit-status</c> the target sent; null when it sent none (killed by a signal, or the channel closed without one).</param>
/// <param name="ExitSignal">The <c>exit-signal</c> name without <c>SIG</c> (<c>TERM</c>, <c>KILL</c>…), or null.</param>
public sealed record SshExitStatus(int? ExitStatus, string? ExitSignal)
{
    /// <summary>True for exit status 0.</summary>
    public bool Succeeded => ExitStatus == 0;

    /// <summary>How it ended in words: <c>exit status 3</c>, <c>killed by signal TERM</c>, <c>no exit status</c>.</summary>
    public override string ToString() =>
        ExitStatus is { } status ? $"exit status {status}" : ExitSignal is { } signal ? $"killed by signal {signal}" : "no exit status";

    internal static SshExitStatus From(SshSessionExit exit) => new((int?)exit.ExitStatus, exit.ExitSignal);
}

/// <summary>
/// A command running on the target (<see cref="SshUpstreamSession.ExecAsync"/>). <see cref="Stdout"/> and
/// <see cref="Stderr"/> deliver its output as it arrives and end when the target closes the channel; read both (they
/// share the channel's window, so an unread one stalls the command), then await <see cref="WaitAsync"/>. Dispose to
/// close the channel.
/// </summary>
public sealed class SshExecution : IAsyncDisposable
{
    private readonly SshClientSession _channel;
    private readonly SshUpstreamSession _session;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _terminate;

    internal SshExecution(SshClientSession channel, SshUpstreamSession session, bool withStdin, CancellationToken cancellationToken)
    {
        _channel = channel;
        _session = session;
        _cancellationToken = cancellationToken;
        _terminate = cancellationToken.Register(() => Signal());
        Stdin = withStdin ? channel.StandardInput : null;
    }

    /// <summary>The command's standard output (channel data).</summary>
    public Stream Stdout => _channel.StandardOutput;

    /// <summary>The command's standard error (extended data type 1, SSH_EXTENDED_DATA_STDERR).</summary>
    public Stream Stderr => _channel.StandardError;

    /// <summary>The command's stdin when it was asked for (<c>withStdin</c>), else null; disposing it sends EOF.</summary>
    public Stream? Stdin { get; }

    /// <summary>Bytes of stdout and stderr the target sent that wait unread in the gateway (at most the channel's window).</summary>
    internal long BufferedBytes => _channel.BufferedBytes;

    /// <summary>
    /// Asks the target to end the command with SIGTERM (or SIGKILL with <paramref name="kill"/>, RFC 4254 §6.9);
    /// <see cref="WaitAsync"/> then reports the signal (or the status the command exited with).
    /// </summary>
    public void Signal(bool kill = false) =>
        _ = _channel.SignalAsync(kill ? "KILL" : "TERM").ContinueWith(t => _ = t.Exception, TaskScheduler.Default);

    /// <summary>Waits for the command to end and returns how it ended.</summary>
    /// <exception cref="SshUpstreamException">The session broke before the command ended.</exception>
    /// <exception cref="OperationCanceledException">The token given to <see cref="SshUpstreamSession.ExecAsync"/> was cancelled (the command was sent SIGTERM).</exception>
    public async Task<SshExitStatus> WaitAsync()
    {
        var exit = await _channel.Exit;
        _cancellationToken.ThrowIfCancellationRequested();
        if (exit.ExitStatus is null && exit.ExitSignal is null && _session.Broken)
        {
            throw _session.Lost(new IOException(exit.ErrorMessage ?? "the SSH connection ended before the command did"));
        }
        return SshExitStatus.From(exit);
    }

    /// <summary>Closes the channel.</summary>
    public async ValueTask DisposeAsync()
    {
        await _terminate.DisposeAsync();
        await _channel.DisposeAsync();
    }
}

/// <summary>
/// An interactive shell on the target (<see cref="SshUpstreamSession.OpenShellAsync"/>): <see cref="Stream"/> is the
/// terminal both ways (write keystrokes, read what the target's pty prints; stderr is part of it, as on any pty).
/// <see cref="Exit"/> completes when the target closes the channel, with the shell's exit status.
/// </summary>
public sealed class SshShell : IAsyncDisposable
{
    private readonly SshClientSession _channel;

    internal SshShell(SshClientSession channel)
    {
        _channel = channel;
        Stream = new TerminalStream(channel);
    }

    /// <summary>The terminal: reads return 0 once the target closed the channel.</summary>
    public Stream Stream { get; }

    /// <summary>Bytes the target sent that wait unread in the gateway (at most the channel's window).</summary>
    internal long BufferedBytes => _channel.BufferedBytes;

    /// <summary>Completes when the target closed the channel, with how the shell ended.</summary>
    public Task<SshExitStatus> Exit => _channel.Exit.ContinueWith(t => SshExitStatus.From(t.Result), TaskScheduler.Default);

    /// <summary>Sends a <c>window-change</c> (RFC 4254 §6.7) with the new size in characters.</summary>
    public Task ResizeAsync(uint columns, uint rows, CancellationToken cancellationToken) => _channel.ChangeWindowSizeAsync(columns, rows, cancellationToken);

    /// <summary>
    /// Sends <c>SSH_MSG_CHANNEL_EOF</c> (RFC 4254 §5.3): no more input, while the shell's output and exit still come. A
    /// shell on a pty may keep running after it (it reads its lines from the terminal, not from a pipe).
    /// </summary>
    public ValueTask SendEofAsync(CancellationToken cancellationToken) => _channel.SendEofAsync(cancellationToken);

    /// <summary>Closes the channel.</summary>
    public ValueTask DisposeAsync() => _channel.DisposeAsync();

    /// <summary>The pty both ways: reads are the channel's output, writes its input.</summary>
    private sealed class TerminalStream(SshClientSession channel) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            channel.StandardOutput.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            channel.WriteInputAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous reads are not supported");
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous writes are not supported");
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
