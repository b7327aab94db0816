using System.Text;
using Vigil.Pipeline;
using Vigil.Sessions.Terminal;

namespace Vigil.Adapters.Ssh.Server;

/// <summary>
/// The target's output on its way to an SSH client: through the command's result stages when one applies to it
/// (masking, output guardrails; <see cref="CommandRun.Filtered"/>); the terminal recording gets the target's bytes and
/// masks them itself. Unfiltered output
/// passes byte for byte. Filtered output is decoded as UTF-8 per stream (a sequence split across reads is carried to
/// the next read) and filtered read by read: a value the target wrote across two writes may reach the client unmasked,
/// and bytes that are not UTF-8 arrive as U+FFFD (a binary transfer through a masked connection is altered, never
/// passed unread). In an interactive shell the output after a submitted line belongs to that line's run
/// (<see cref="Switch"/>). Thread-safe: stdout and stderr pumps share it.
/// </summary>
internal sealed class SshOutputFilter(CommandRun run, TerminalRecording recording)
{
    private readonly Lock _lock = new();
    private CommandRun _run = run;
    private readonly Decoder _stdout = Encoding.UTF8.GetDecoder();
    private readonly Decoder _stderr = Encoding.UTF8.GetDecoder();

    /// <summary>Set once a stage stopped the output; the reason, shown after "vigil: ".</summary>
    public string? StoppedBy
    {
        get
        {
            lock (_lock)
            {
                return _run.StoppedBy;
            }
        }
    }

    /// <summary>Output from now on belongs to <paramref name="next"/>; returns the run it belonged to.</summary>
    public CommandRun Switch(CommandRun next)
    {
        lock (_lock)
        {
            var previous = _run;
            _run = next;
            return previous;
        }
    }

    /// <summary>Records <paramref name="data"/> the gateway itself showed the client (a refusal), unfiltered.</summary>
    public void Shown(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            recording.Output(data);
        }
    }

    /// <summary>What to send the client for <paramref name="chunk"/> read from the target; empty when the output stopped.</summary>
    public ReadOnlyMemory<byte> Filter(ReadOnlyMemory<byte> chunk, bool stderr)
    {
        lock (_lock)
        {
            if (_run.StoppedBy is not null)
            {
                return ReadOnlyMemory<byte>.Empty;
            }
            // The recording gets the target's bytes: it masks them itself, holding back a value split across writes.
            recording.Output(chunk.Span);
            if (!_run.Filtered)
            {
                return chunk;
            }
            var decoder = stderr ? _stderr : _stdout;
            var chars = new char[decoder.GetCharCount(chunk.Span, flush: false)];
            decoder.GetChars(chunk.Span, chars, flush: false);
            var text = new ResultText(new string(chars));
            if (_run.Text(text).Stopped)
            {
                return ReadOnlyMemory<byte>.Empty;
            }
            return Encoding.UTF8.GetBytes(text.Text);
        }
    }
}
