using Vigil.Adapters.Ssh.Upstream;
using Vigil.Pipeline;
using Vigil.Sessions;
using Vigil.Sessions.Terminal;
using Vigil.Ssh;

namespace Vigil.Adapters.Ssh.Server;

/// <summary>
/// An <c>exec</c> request (RFC 4254 §6.5, <c>ssh gateway 'cmd'</c>): one command through the pipeline (guardrails, the
/// shell analyzer, the LLM when the rule says, the rule's action). Refused: the reason on stderr and exit status 126,
/// nothing sent to the target; <c>require_approval</c> opens a review and says where (an approved review lets that exact
/// command from that identity through once). Allowed: it runs on the target with the client's stdin; stdout and stderr
/// come back through <see cref="SshOutputFilter"/> and the target's exit status or signal is relayed (RFC 4254 §6.10).
/// The output is recorded as the session's terminal stream (asciicast, with the command in its header) and the command
/// as a statement with its analysis, exit status and duration. The target runs it as its own <c>$SHELL -c</c>, in a pty
/// when the client asked for one (<c>ssh -t gateway cmd</c>).
/// </summary>
public sealed class SshExecChannel(CommandPipeline pipeline, TerminalRecorder terminals)
{
    private const int ReadSize = 32 * 1024;

    /// <summary>Runs <paramref name="commandText"/> from <paramref name="channel"/> on <paramref name="upstream"/>.</summary>
    public async Task<SshChannelOutcome> RunAsync(
        SessionContext session, SshUpstreamSession upstream, SshSessionChannel channel, string commandText, CancellationToken cancellationToken)
    {
        var command = new Command(session, commandText);
        var started = pipeline.Time.GetTimestamp();
        var decision = await pipeline.DecideAsync(command, cancellationToken);
        if (!decision.Allowed)
        {
            await SshClientText.FailAsync(channel, SshPipeline.Refusal(decision), SshClientText.Refused, cancellationToken);
            return new(SessionStatus.Done, null, SshClientText.Refused);
        }
        var run = pipeline.Start(command, decision.Analysis, started);
        var pty = channel.Pty;
        await using var recording = terminals.Start(session, (int)(pty?.Columns ?? 0), (int)(pty?.Rows ?? 0), pty?.Term, commandText);
        var output = new SshOutputFilter(run, recording);
        await using var execution = await upstream.ExecAsync(commandText, cancellationToken, withStdin: true,
            pty is null ? null : new SshTerminal(pty.Term, pty.Columns, pty.Rows, pty.Modes));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stdin = PumpStdinAsync(channel, execution.Stdin!, recording, stop.Token);
        await Task.WhenAll(PumpAsync(execution.Stdout, false), PumpAsync(execution.Stderr, true));
        await stop.CancelAsync();
        await stdin;
        if (output.StoppedBy is { } stopped)
        {
            execution.Signal(kill: true);
            run.Complete(new CommandOutcome(null, null, null, stopped, SshPipeline.Elapsed(pipeline, started)));
            await SshClientText.FailAsync(channel, stopped, SshClientText.Refused, cancellationToken);
            return new(SessionStatus.Done, null, SshClientText.Refused);
        }
        var exit = await execution.WaitAsync();
        run.Complete(new CommandOutcome(exit.ToString(), null, null, exit.Succeeded ? null : exit.ToString(), SshPipeline.Elapsed(pipeline, started)));
        if (exit.ExitSignal is { } signal)
        {
            await channel.SendExitSignalAsync(signal, false, "", cancellationToken);
            return new(SessionStatus.Done, null, null);
        }
        var status = exit.ExitStatus ?? SshClientText.Failed;
        await channel.SendExitStatusAsync((uint)status, cancellationToken);
        return new(SessionStatus.Done, null, status);

        async Task PumpAsync(Stream from, bool stderr)
        {
            var buffer = new byte[ReadSize];
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var filtered = output.Filter(buffer.AsMemory(0, read), stderr);
                if (output.StoppedBy is not null)
                {
                    return;
                }
                await (stderr ? channel.WriteErrorAsync(filtered, cancellationToken) : channel.WriteAsync(filtered, cancellationToken));
            }
        }
    }

    /// <summary>The client's stdin to the command until the client's EOF (then the command's), or until the command ended.</summary>
    private static async Task PumpStdinAsync(SshSessionChannel channel, Stream stdin, TerminalRecording recording, CancellationToken cancellationToken)
    {
        await using (stdin)
        {
            var buffer = new byte[ReadSize];
            try
            {
                int read;
                while ((read = await channel.Input.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    recording.Input(buffer.AsSpan(0, read));
                    await stdin.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    await stdin.FlushAsync(cancellationToken);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The command ended (its stdin is closed) or the client left: the output side decides the outcome.
            }
        }
    }
}
