using Vigil.Pipeline;

namespace Vigil.Adapters.Exec;

/// <summary>
/// One statement of an exec script on its way through the result stages (<see cref="CommandRun"/>): the executor
/// hands over its columns, rows as text, notices and completion or error; this prints what the stages let through.
/// Calls after the statement completed, failed or was stopped are ignored.
/// </summary>
public sealed class ExecStatement
{
    private readonly ExecTranscript _transcript;
    private readonly CommandRun _run;
    private readonly TimeProvider _time;
    private IReadOnlyList<ResultColumn>? _columns;
    private IReadOnlyList<bool> _rightAligned = [];
    private readonly List<string?[]> _rows = [];

    internal ExecStatement(ExecTranscript transcript, CommandRun run, TimeProvider time)
    {
        _transcript = transcript;
        _run = run;
        _time = time;
    }

    /// <summary>True once the statement completed, failed or was stopped.</summary>
    public bool Done { get; private set; }

    /// <summary>
    /// True when a stage needs each column's <c>schema.table</c> (a column masking rule): only then may the executor
    /// spend a catalog lookup on it.
    /// </summary>
    public bool NeedsTables => _run.NeedsTables;

    /// <summary>The statement returns rows with <paramref name="columns"/>; <paramref name="rightAligned"/> marks the numeric ones (psql right-aligns them).</summary>
    public void Columns(IReadOnlyList<ResultColumn> columns, IReadOnlyList<bool> rightAligned)
    {
        _columns = columns;
        _rightAligned = rightAligned;
        _run.Columns(columns);
    }

    /// <summary>
    /// One row, values in their PostgreSQL text form (null is SQL NULL), rewritten in place by the stages. False when a
    /// stage stopped the result: the statement and the script end here, and the executor reads no more.
    /// </summary>
    public bool Row(string?[] values)
    {
        if (Done)
        {
            return false;
        }
        var action = _run.Row(new ResultRow(values));
        if (action.Stopped)
        {
            Stop(action.StopReason!);
            return false;
        }
        _rows.Add(values);
        return true;
    }

    /// <summary>A notice the target sent while running the statement; printed as the stages left it.</summary>
    public void Notice(ResultNotice notice)
    {
        if (Done)
        {
            return;
        }
        _run.Notice(notice);
        Print(notice);
    }

    /// <summary>The statement completed with <paramref name="tag"/>; <paramref name="rows"/> when the tag carries a count.</summary>
    public void Complete(string tag, long? rows)
    {
        if (Done)
        {
            return;
        }
        Done = true;
        if (_columns is null)
        {
            _transcript.Print.Append(tag).Append('\n');
        }
        else
        {
            Render();
        }
        _run.Complete(new CommandOutcome(tag, rows, null, null, Elapsed()));
    }

    /// <summary>
    /// A piece of unstructured output (a shell command's stdout or stderr, a line at a time), printed as the stages
    /// leave it. False when a stage stopped the result: the command's output ends here, and the executor reads no more.
    /// </summary>
    public bool Text(string text)
    {
        if (Done)
        {
            return false;
        }
        var piece = new ResultText(text);
        var action = _run.Text(piece);
        if (action.Stopped)
        {
            Stop(action.StopReason!);
            return false;
        }
        _transcript.Print.Append(piece.Text);
        return true;
    }

    /// <summary>
    /// A command whose output was <see cref="Text"/> ended: recorded with <paramref name="tag"/> (<c>exit status 0</c>);
    /// with <paramref name="error"/> (<c>exit status 3</c>) the script failed with it. Nothing more is printed.
    /// </summary>
    public void Ended(string tag, string? error)
    {
        if (Done)
        {
            return;
        }
        Done = true;
        if (error is not null)
        {
            _transcript.Failed(error);
        }
        _run.Complete(new CommandOutcome(tag, null, null, error, Elapsed()));
    }

    /// <summary>The statement failed with <paramref name="error"/> (ErrorResponse fields); the script ends.</summary>
    public void Fail(ResultNotice error) => Fail(error, fault: false);

    internal void Fail(ResultNotice error, bool fault)
    {
        if (Done)
        {
            return;
        }
        Done = true;
        _run.Notice(error);
        Print(error);
        // The target's own error reads as psql prints it; a fault of ours (unreachable target) is its message alone.
        _transcript.Failed(fault ? error.Message : $"ERROR:  {error.Message}");
        _run.Complete(new CommandOutcome(null, null, error.SqlState, error.Message, Elapsed()));
    }

    /// <summary>A stage stopped the result: print what it let through, then the reason as an error.</summary>
    private void Stop(string reason)
    {
        Done = true;
        if (_columns is not null)
        {
            Render();
        }
        var message = $"vigil: {reason}";
        _transcript.Print.Append("ERROR:  ").Append(message).Append('\n');
        _transcript.Stopped(reason);
        _run.Complete(new CommandOutcome(null, _run.RowsSent, "42501", message, Elapsed()));
    }

    private void Render()
    {
        var output = _transcript.Print;
        if (output.Length > 0)
        {
            output.Append('\n');
        }
        ResultTable.Render(output, _columns!.Select(c => c.Name).ToList(), _rightAligned, _rows);
        _rows.Clear();
    }

    private void Print(ResultNotice notice) => _transcript.Print.Append(notice.Severity).Append(":  ").Append(notice.Message).Append('\n');

    private long Elapsed() => (long)_time.GetElapsedTime(_run.StartTimestamp).TotalMicroseconds;
}
