using System.Text;
using System.Threading.Channels;
using Vigil.Adapters.Exec;
using Vigil.Adapters.Ssh.Upstream;
using Vigil.Connections;
using Vigil.Hosting;
using Vigil.Pipeline;

namespace Vigil.Adapters.Ssh;

/// <summary>
/// The exec executor for <c>ssh</c> connections: the whole script is one command, run on the target over one SSH
/// <c>exec</c> channel (<see cref="SshUpstreamSession.ExecAsync"/>) exactly as it was analyzed. Its stdout and stderr are
/// interleaved a line at a time as they arrive, and each line passes the result stages (output guardrails, masking)
/// before it is printed, so a value is masked whole (a line is never split for the stages unless it is longer than
/// <see cref="MaxLine"/>). Exit status 0 completes the command; any other status, or a signal, fails it with that
/// status as the reason. The command is stopped (SIGKILL) after <see cref="GatewayOptions.ExecStatementTimeout"/>, when
/// its output passes <see cref="MaxOutputBytes"/>, or when a stage stops its result.
/// </summary>
public sealed class SshExecutor(GatewayOptions options, TimeProvider time) : IExecExecutor
{
    /// <summary>Most output bytes (stdout and stderr together) read from one command.</summary>
    public const int MaxOutputBytes = 16 * 1024 * 1024;

    /// <summary>Longest piece handed to the stages at once, in characters: a longer line is cut.</summary>
    public const int MaxLine = 64 * 1024;

    /// <inheritdoc />
    public string ConnectionType => ConnectionTypes.Ssh;

    /// <inheritdoc />
    public async Task RunAsync(SessionContext session, string script, ExecTranscript transcript, CancellationToken cancellationToken)
    {
        var statement = transcript.Statement(script, time.GetTimestamp());
        SshUpstreamSession upstream;
        try
        {
            upstream = await SshUpstream.ConnectAsync(session.Connection, cancellationToken);
        }
        catch (SshUpstreamException e)
        {
            Fault(statement, e.Message);
            return;
        }
        await using (upstream)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(options.ExecStatementTimeout);
            try
            {
                await using var execution = await upstream.ExecAsync(script, deadline.Token);
                var outcome = await RelayAsync(execution, statement, deadline.Token);
                if (outcome is not null)
                {
                    execution.Signal(kill: true);
                    if (outcome.Length > 0)
                    {
                        Fault(statement, outcome);
                    }
                    return;
                }
                var status = await execution.WaitAsync();
                statement.Ended(status.ToString(), status.Succeeded ? null : status.ToString());
            }
            catch (SshUpstreamException e)
            {
                Fault(statement, e.Message);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                Fault(statement, $"connection '{session.Connection.Name}' broke while the command ran: {e.Message}");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Fault(statement, $"the command ran longer than {options.ExecStatementTimeout.TotalSeconds:0.#}s and was stopped");
            }
        }
    }

    /// <summary>
    /// Feeds the command's output to <paramref name="statement"/> until both streams end. Null when they did; otherwise
    /// why the command must be stopped: a message (too much output) or empty (a stage stopped the result, already printed).
    /// </summary>
    private static async Task<string?> RelayAsync(SshExecution execution, ExecStatement statement, CancellationToken cancellationToken)
    {
        var lines = Channel.CreateBounded<string>(new BoundedChannelOptions(64) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var total = 0L;
        var pumps = Task.WhenAll(PumpAsync(execution.Stdout), PumpAsync(execution.Stderr));
        _ = pumps.ContinueWith(t => lines.Writer.TryComplete(t.Exception?.InnerException), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            await foreach (var line in lines.Reader.ReadAllAsync(cancellationToken))
            {
                if (!statement.Text(line))
                {
                    return "";
                }
            }
            return Interlocked.Read(ref total) > MaxOutputBytes ? $"the command's output passed {MaxOutputBytes / (1024 * 1024)} MiB and it was stopped" : null;
        }
        finally
        {
            await stop.CancelAsync();
        }

        async Task PumpAsync(Stream stream)
        {
            var decoder = Encoding.UTF8.GetDecoder();
            var buffer = new byte[16 * 1024];
            var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
            var line = new StringBuilder();
            int read;
            while ((read = await stream.ReadAsync(buffer, stop.Token)) > 0)
            {
                if (Interlocked.Add(ref total, read) > MaxOutputBytes)
                {
                    // The other stream must not keep the relay waiting for a command that is about to be killed.
                    await stop.CancelAsync();
                    return;
                }
                var count = decoder.GetChars(buffer, 0, read, chars, 0, flush: false);
                for (var i = 0; i < count; i++)
                {
                    line.Append(chars[i]);
                    if (chars[i] == '\n' || line.Length >= MaxLine)
                    {
                        await lines.Writer.WriteAsync(line.ToString(), stop.Token);
                        line.Clear();
                    }
                }
            }
            var rest = decoder.GetChars([], 0, 0, chars, 0, flush: true);
            line.Append(chars, 0, rest);
            if (line.Length > 0)
            {
                await lines.Writer.WriteAsync(line.ToString(), stop.Token);
            }
        }
    }

    /// <summary>The target failed (unreachable, host key mismatch, the session broke): say so as the gateway, and fail the command.</summary>
    private static void Fault(ExecStatement statement, string message)
    {
        statement.Text($"vigil: {message}\n");
        statement.Ended("failed", message);
    }
}
