using Renci.SshNet;
using Renci.SshNet.Common;
using Vigil.Connections;

namespace Vigil.Adapters.Ssh.Upstream;

/// <summary>
/// An authenticated SSH session to an <c>ssh</c> connection's target (<see cref="SshUpstream.ConnectAsync"/>): run
/// commands (<see cref="ExecAsync"/>, one RFC 4254 §6.5 <c>exec</c> channel each), open an interactive shell
/// (<see cref="OpenShellAsync"/>, <c>pty-req</c> + <c>shell</c>), or an SFTP client (<see cref="OpenSftpAsync"/>).
/// Dispose to disconnect. Channels may be opened concurrently; each returned object is used by one caller.
/// </summary>
public sealed class SshUpstreamSession : IDisposable
{
    private readonly SshClient _client;
    private readonly SshConnectionInfo _info;
    private readonly List<UpstreamBackpressure> _gates = [];

    internal SshUpstreamSession(Connection connection, SshClient client, SshConnectionInfo info)
    {
        Connection = connection;
        _client = client;
        _info = info;
    }

    /// <summary>The connection this session reaches.</summary>
    public Connection Connection { get; }

    /// <summary>True while the SSH session is up.</summary>
    public bool IsConnected => _client.IsConnected;

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
    /// <exception cref="SshUpstreamException">The session broke (<see cref="SshUpstreamFailure.ConnectionLost"/>).</exception>
    public Task<SshExecution> ExecAsync(string command, CancellationToken cancellationToken, bool withStdin = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var ssh = _client.CreateCommand(command);
            ssh.CommandTimeout = Timeout.InfiniteTimeSpan;
            return Task.FromResult(new SshExecution(ssh, _info, withStdin, Gate(), Gate(), cancellationToken));
        }
        catch (Exception e) when (e is SshException or ObjectDisposedException or InvalidOperationException)
        {
            throw _info.Failure(SshUpstreamFailure.ConnectionLost, e.Message, e);
        }
    }

    /// <summary>
    /// Opens an interactive shell with a pseudo-terminal (RFC 4254 §6.2 <c>pty-req</c>, §6.5 <c>shell</c>).
    /// </summary>
    /// <param name="term">The TERM value, e.g. <c>xterm-256color</c>.</param>
    /// <param name="columns">Terminal width in characters.</param>
    /// <param name="rows">Terminal height in rows.</param>
    /// <param name="terminalModes">RFC 4254 §8 encoded terminal modes the client asked for (opcode → value); null or empty for the server's defaults.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="SshUpstreamException">The session broke or the target refused the channel.</exception>
    public Task<SshShell> OpenShellAsync(string term, uint columns, uint rows, IDictionary<TerminalModes, uint>? terminalModes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            var stream = _client.CreateShellStream(term, columns, rows, 0, 0, SshShell.BufferSize, terminalModes ?? new Dictionary<TerminalModes, uint>());
            return Task.FromResult(new SshShell(stream, Gate()));
        }
        catch (Exception e) when (e is SshException or ObjectDisposedException or InvalidOperationException)
        {
            throw _info.Failure(SshUpstreamFailure.ConnectionLost, e.Message, e);
        }
    }

    /// <summary>
    /// A connected SFTP client (the <c>sftp</c> subsystem, RFC 4254 §6.5) for this connection. SSH.NET runs SFTP on an
    /// SSH session of its own, so this connects once more with the same credentials and host key check. The caller
    /// disposes the client.
    /// </summary>
    /// <exception cref="SshUpstreamException">As for <see cref="SshUpstream.ConnectAsync"/>.</exception>
    public async Task<SftpClient> OpenSftpAsync(CancellationToken cancellationToken)
    {
        var sftp = new SftpClient(_info.ConnectionInfo);
        try
        {
            await _info.ConnectAsync(sftp, cancellationToken);
            return sftp;
        }
        catch
        {
            sftp.Dispose();
            throw;
        }
    }

    /// <summary>A flow-control gate for one output stream, released when this session is disposed.</summary>
    private UpstreamBackpressure Gate()
    {
        var gate = new UpstreamBackpressure(UpstreamBackpressure.DefaultLimit);
        lock (_gates)
        {
            _gates.Add(gate);
        }
        return gate;
    }

    /// <summary>Disconnects.</summary>
    public void Dispose()
    {
        lock (_gates)
        {
            // SSH.NET's disconnect waits for its listener thread, which a gate may be holding.
            _gates.ForEach(gate => gate.Release());
        }
        _client.Dispose();
        _info.Dispose();
    }
}

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
}

/// <summary>
/// A command running on the target (<see cref="SshUpstreamSession.ExecAsync"/>). <see cref="Stdout"/> and
/// <see cref="Stderr"/> deliver its output as it arrives and end when the target closes the channel; read both (or
/// the channel's window stalls the command), then await <see cref="WaitAsync"/>. Dispose to close the channel.
/// </summary>
public sealed class SshExecution : IDisposable
{
    private readonly SshCommand _command;
    private readonly SshConnectionInfo _info;
    private readonly UpstreamBackpressure _stdoutGate;
    private readonly UpstreamBackpressure _stderrGate;
    private readonly Task _run;
    private readonly CancellationToken _cancellationToken;
    private volatile bool _signalled;

    internal SshExecution(SshCommand command, SshConnectionInfo info, bool withStdin, UpstreamBackpressure stdoutGate, UpstreamBackpressure stderrGate,
        CancellationToken cancellationToken)
    {
        _command = command;
        _info = info;
        _stdoutGate = stdoutGate;
        _stderrGate = stderrGate;
        _cancellationToken = cancellationToken;
        _run = command.ExecuteAsync(cancellationToken);
        SshNetInternals.OnData(command, stdoutGate.Arrived, stderrGate.Arrived);
        // SSH.NET completes the command, then completes its streams on the same thread: a read that comes in between
        // waits for that moment only.
        _run.ContinueWith(_ =>
        {
            stdoutGate.End();
            stderrGate.End();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Stdout = stdoutGate.Wrap(command.OutputStream);
        Stderr = stderrGate.Wrap(command.ExtendedOutputStream);
        if (withStdin)
        {
            Stdin = command.CreateInputStream();
        }
        else
        {
            SshNetInternals.SendEof(command);
        }
    }

    /// <summary>The command's standard output (channel data); the target is held back while 1 MiB of it is unread (<see cref="UpstreamBackpressure"/>).</summary>
    public Stream Stdout { get; }

    /// <summary>The command's standard error (extended data type 1, SSH_EXTENDED_DATA_STDERR), held back likewise.</summary>
    public Stream Stderr { get; }

    /// <summary>Bytes of stdout and stderr the target sent that wait unread in the gateway.</summary>
    internal long BufferedBytes => _stdoutGate.Pending + _stderrGate.Pending;

    /// <summary>The command's stdin when it was asked for (<c>withStdin</c>), else null; disposing it sends EOF.</summary>
    public Stream? Stdin { get; }

    /// <summary>
    /// Asks the target to end the command with SIGTERM (or SIGKILL with <paramref name="kill"/>); <see cref="WaitAsync"/>
    /// then reports the signal (or the status the command exited with).
    /// </summary>
    public void Signal(bool kill = false)
    {
        _signalled = true;
        _command.CancelAsync(kill, 2000);
    }

    /// <summary>Waits for the command to end and returns how it ended.</summary>
    /// <exception cref="SshUpstreamException">The session broke before the command ended.</exception>
    /// <exception cref="OperationCanceledException">The token given to <see cref="SshUpstreamSession.ExecAsync"/> was cancelled (the command was sent SIGTERM).</exception>
    public async Task<SshExitStatus> WaitAsync()
    {
        try
        {
            await _run;
        }
        catch (Exception e) when (e is SshException or ObjectDisposedException)
        {
            throw _info.Failure(SshUpstreamFailure.ConnectionLost, e.Message, e);
        }
        catch (OperationCanceledException) when (_signalled && !_cancellationToken.IsCancellationRequested)
        {
            // SSH.NET ends its task as cancelled after a signal; the command did end, with what the target reported.
        }
        return new SshExitStatus(_command.ExitStatus, _command.ExitSignal);
    }

    /// <summary>Closes the channel.</summary>
    public void Dispose()
    {
        _stdoutGate.Release();
        _stderrGate.Release();
        _command.Dispose();
    }
}

/// <summary>
/// An interactive shell on the target (<see cref="SshUpstreamSession.OpenShellAsync"/>): <see cref="Stream"/> is the
/// terminal both ways (write keystrokes, read what the target's pty prints; stderr is part of it, as on any pty).
/// <see cref="Closed"/> completes when the target closes the channel (the shell exited). SSH.NET's shell does not
/// report the shell's exit status.
/// </summary>
public sealed class SshShell : IDisposable
{
    /// <summary>Bytes SSH.NET buffers from the target before the reader takes them.</summary>
    internal const int BufferSize = 64 * 1024;

    private readonly ShellStream _stream;
    private readonly UpstreamBackpressure _gate;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal SshShell(ShellStream stream, UpstreamBackpressure gate)
    {
        _stream = stream;
        _gate = gate;
        stream.Closed += (_, _) =>
        {
            gate.End();
            _closed.TrySetResult();
        };
        // Raised on SSH.NET's listener thread once the data is in the stream's buffer.
        stream.DataReceived += (_, e) => gate.Arrived(e.Data.Length);
        Stream = gate.Wrap(stream);
    }

    /// <summary>The terminal: reads return 0 once the target closed the channel; the target is held back while 1 MiB of it is unread (<see cref="UpstreamBackpressure"/>).</summary>
    public Stream Stream { get; }

    /// <summary>Bytes the target sent that wait unread in the gateway.</summary>
    internal long BufferedBytes => _gate.Pending;

    /// <summary>Completes when the target closed the channel.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Sends a <c>window-change</c> (RFC 4254 §6.7) with the new size in characters.</summary>
    public void Resize(uint columns, uint rows) => _stream.ChangeWindowSize(columns, rows, 0, 0);

    /// <summary>Closes the channel.</summary>
    public void Dispose()
    {
        _gate.Release();
        _stream.Dispose();
    }
}
