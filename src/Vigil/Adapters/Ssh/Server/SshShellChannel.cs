using Vigil.Adapters.Ssh.Upstream;
using Vigil.Adapters.Terminal;
using Vigil.Pipeline;
using Vigil.Sessions;
using Vigil.Sessions.Terminal;
using Vigil.Ssh;

namespace Vigil.Adapters.Ssh.Server;

/// <summary>
/// A <c>shell</c> request (RFC 4254 §6.5): an interactive shell on the target with the client's pty (<c>pty-req</c>
/// term, size and modes, §6.2; later <c>window-change</c>, §6.7). The terminal is recorded both ways with timestamps
/// (asciicast v2, <see cref="TerminalRecorder"/>). Each line the user submits is reconstructed from the keystrokes and
/// the shell's echo (<see cref="LineReconstructor"/>) and goes through the pipeline before its Enter reaches the target:
/// allowed, the Enter goes on and the line is recorded as a statement with its analysis (its duration runs to the next
/// line); refused, the line is killed at the target (Ctrl-E Ctrl-U, never an Enter) and the user sees
/// <c>vigil: blocked: …</c>. Output goes through the result stages of the line it follows (<see cref="SshOutputFilter"/>).
/// A shell can still build a command the gateway never sees as a line (a script it writes, an alias, a here-document
/// read by an interpreter): the recording and the output guardrails are the answer to that (docs/ssh.md).
/// </summary>
public sealed class SshShellChannel(CommandPipeline pipeline, TerminalRecorder terminals)
{
    private const int ReadSize = 32 * 1024;
    private const string DefaultTerm = "xterm";
    private static readonly CommandOutcome Ended = new(null, null, null, null, 0);

    /// <summary>Serves the shell of <paramref name="channel"/> on <paramref name="upstream"/> until either side ends it.</summary>
    public async Task<SshChannelOutcome> RunAsync(SessionContext session, SshUpstreamSession upstream, SshSessionChannel channel, CancellationToken cancellationToken)
    {
        var pty = channel.Pty;
        var term = string.IsNullOrEmpty(pty?.Term) ? DefaultTerm : pty.Term;
        var (columns, rows) = (pty?.Columns is > 0 ? pty.Columns : TerminalRecorder.DefaultWidth, pty?.Rows is > 0 ? pty.Rows : TerminalRecorder.DefaultHeight);
        await using var shell = await upstream.OpenShellAsync(new SshTerminal(term, (uint)columns, (uint)rows, pty?.Modes), cancellationToken);
        await using var recording = terminals.Start(session, (int)columns, (int)rows, term);
        var output = new SshOutputFilter(pipeline.StartOutput(new Command(session, "")), recording);
        var lines = new LineReconstructor();
        var gate = new Lock();
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var requests = FollowRequestsAsync(channel, shell, recording, ended.Token);
        var input = PumpInputAsync(ended.Token);
        try
        {
            await PumpOutputAsync();
        }
        finally
        {
            await ended.CancelAsync();
            await Task.WhenAll(requests, input).ContinueWith(_ => { }, CancellationToken.None);
        }
        output.Switch(pipeline.StartOutput(new Command(session, ""))).Complete(Ended);
        // The shell ends normally when the target closes it; a client that left (or a session the gateway ended) got here
        // through the input side, and the handler records why.
        cancellationToken.ThrowIfCancellationRequested();
        if (output.StoppedBy is { } stopped)
        {
            await SshClientText.FailAsync(channel, stopped, SshClientText.Refused, cancellationToken);
            return new(SessionStatus.Done, null, SshClientText.Refused);
        }
        // The shell's own end, relayed as the target reported it (RFC 4254 §6.10).
        var exit = await shell.Exit.WaitAsync(cancellationToken);
        if (exit.ExitSignal is { } signal)
        {
            await channel.SendExitSignalAsync(signal, false, "", cancellationToken);
            return new(SessionStatus.Done, null, null);
        }
        var status = exit.ExitStatus ?? 0;
        await channel.SendExitStatusAsync((uint)status, cancellationToken);
        return new(SessionStatus.Done, null, status);

        async Task PumpOutputAsync()
        {
            var buffer = new byte[ReadSize];
            int read;
            while ((read = await ReadAsync(shell.Stream, buffer, ended.Token)) > 0)
            {
                var shown = output.Filter(buffer.AsMemory(0, read), stderr: false);
                if (output.StoppedBy is not null)
                {
                    return;
                }
                lock (gate)
                {
                    lines.Output(shown.Span);
                }
                await channel.WriteAsync(shown, ended.Token);
            }
        }

        async Task PumpInputAsync(CancellationToken token)
        {
            var buffer = new byte[ReadSize];
            try
            {
                int read;
                while ((read = await channel.Input.ReadAsync(buffer, token)) > 0)
                {
                    recording.Input(buffer.AsSpan(0, read));
                    LineInput step;
                    lock (gate)
                    {
                        step = lines.Input(buffer.AsSpan(0, read));
                    }
                    while (true)
                    {
                        await WriteAsync(shell.Stream, step.Forward, token);
                        if (step.Submitted is not { } line)
                        {
                            break;
                        }
                        step = await DecideAsync(line, token);
                    }
                }
                if (!channel.Closed.IsCancellationRequested)
                {
                    // The client's EOF (`printf 'cmd\nexit 3\n' | ssh -tt`) is passed on, as ssh does to sshd: the lines
                    // already sent still run and the shell ends by itself, with its own status. Only a close ends it here.
                    await shell.SendEofAsync(token);
                    using var closedOrEnded = CancellationTokenSource.CreateLinkedTokenSource(token, channel.Closed);
                    await Task.Delay(Timeout.Infinite, closedOrEnded.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The shell or the client ended; the output side decides the outcome.
            }
            finally
            {
                // The client's close (or, without an EOF first, its end of input) ends the shell: the output pump then
                // sees the channel close. After the shell ended by itself this closes an already closed channel.
                await shell.DisposeAsync();
            }
        }

        async Task<LineInput> DecideAsync(SubmittedLine line, CancellationToken token)
        {
            var command = new Command(session, line.Text);
            var started = pipeline.Time.GetTimestamp();
            var decision = await pipeline.DecideAsync(command, token);
            if (decision.Allowed)
            {
                // Recorded when it is let through, so the session reads in the order things happened (its duration is the
                // gateway's, from its Enter to the Enter going on); the output that follows is filtered as this line's result.
                SshPipeline.Record(pipeline, command, decision, started);
                output.Switch(pipeline.StartOutput(command)).Complete(Ended);
                lock (gate)
                {
                    return lines.Accept();
                }
            }
            LineRefusal refusal;
            lock (gate)
            {
                refusal = lines.Refuse(SshPipeline.Refusal(decision));
            }
            await WriteAsync(shell.Stream, refusal.ToTarget, token);
            output.Shown(refusal.ToClient.Span);
            await channel.WriteAsync(refusal.ToClient, token);
            return default;
        }
    }

    /// <summary>Window changes resize the target's pty and are recorded; other requests after the shell started are ignored.</summary>
    private static async Task FollowRequestsAsync(SshSessionChannel channel, SshShell shell, TerminalRecording recording, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var request in channel.Requests.ReadAllAsync(cancellationToken))
            {
                if (request is SshWindowChangeRequest change)
                {
                    await shell.ResizeAsync(change.Columns, change.Rows, cancellationToken);
                    recording.Resize((int)change.Columns, (int)change.Rows);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
    }

    private static async Task<int> ReadAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException)
        {
            return 0;
        }
    }

    private static async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (data.IsEmpty)
        {
            return;
        }
        await stream.WriteAsync(data, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }
}
