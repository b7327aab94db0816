using System.Text;
using Vigil.Analysis;
using Vigil.Pipeline;

namespace Vigil.Adapters.Exec;

/// <summary>
/// What an exec script printed and how it ended, built statement by statement as an <see cref="IExecExecutor"/> runs
/// it. Each statement is its own <see cref="CommandRun"/> (pipeline <see cref="CommandPipeline.Start"/> with the
/// script's analysis), so its rows, notices and error pass the result stages (output guardrails, masking) before they
/// are printed, and the printed output, which the session records, is what the stages let through. The first stopped
/// result or error ends the script. Not thread-safe: one executor loop feeds it.
/// </summary>
/// <remarks>
/// Output is psql-like: per statement its notices (<c>NOTICE:  message</c>), then its table (psql's aligned format,
/// <see cref="ResultTable"/>) or its command tag, or <c>ERROR:  message</c>. A table's widths need all its rows, so the
/// rows of the statement being read are kept (after the stages) until it completes; nothing else of a result is held,
/// and the output itself is not capped.
/// </remarks>
public sealed class ExecTranscript(CommandPipeline pipeline, Command script, AiAnalysis? analysis, TimeProvider time)
{
    private readonly StringBuilder _output = new();
    private ExecStatement? _current;

    /// <summary>The printed output so far.</summary>
    public string Output => _output.ToString();

    /// <summary>The reason a result was stopped (an output guardrail), shown after "vigil: "; null otherwise.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Why the script failed: <c>ERROR:  message</c> of the statement that failed, or the target's fault; null otherwise.</summary>
    public string? Error { get; private set; }

    /// <summary>True once the script must not go on (a statement failed or a result was stopped).</summary>
    public bool Ended => StopReason is not null || Error is not null;

    /// <summary>Starts <paramref name="statement"/>, sent at <paramref name="startTimestamp"/> (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public ExecStatement Statement(string statement, long startTimestamp)
    {
        _current = new ExecStatement(this, pipeline.Start(new Command(script.Session, statement), analysis, startTimestamp), time);
        return _current;
    }

    /// <summary>
    /// The target failed outside the answer to a statement (it cannot be reached, the connection broke):
    /// <paramref name="message"/> ends the statement being run, or, when none ran, is recorded for the whole script.
    /// Ignored once the script ended.
    /// </summary>
    public void Fail(string message, string sqlState)
    {
        if (Ended)
        {
            return; // the script already ended (a stop or an error); what broke while leaving it changes nothing
        }
        var statement = _current is { Done: false } current ? current : Statement(script.Input, time.GetTimestamp());
        statement.Fail(new ResultNotice("ERROR", sqlState, message, null, null), fault: true);
    }

    internal StringBuilder Print => _output;

    internal void Failed(string error) => Error = error;

    internal void Stopped(string reason) => StopReason = reason;
}
