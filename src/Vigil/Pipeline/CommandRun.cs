using Vigil.Analysis;
using Vigil.Sessions;

namespace Vigil.Pipeline;

/// <summary>
/// The after-execution half of the pipeline for one allowed command (DESIGN.md: guardrails(out) → mask → record).
/// The adapter feeds what the target answers, piece by piece, in order: <see cref="Columns"/> for each result set,
/// <see cref="Row"/> (or <see cref="CountRow"/> when <see cref="InspectsRows"/> is false), <see cref="Text"/>,
/// <see cref="Notice"/>; then <see cref="Complete"/> once, which records the statement with its analysis and result.
/// Pieces are handled as they come: nothing holds a whole result. Not thread-safe: one adapter loop feeds a run.
/// </summary>
public sealed class CommandRun
{
    /// <summary>Notices and errors kept for the recording of one command; more are counted out, not kept.</summary>
    public const int MaxRecordedNotices = 20;

    private readonly CommandPipeline _pipeline;
    private readonly IResultFilter[] _filters;
    private readonly ResultCollector _recorded;
    private readonly bool _record;
    private List<RecordedNotice>? _notices;
    private int _resultSets;
    private bool _completed;

    internal CommandRun(CommandPipeline pipeline, Command command, AiAnalysis? analysis, long startTimestamp, IResultFilter[] filters, bool record = true)
    {
        _pipeline = pipeline;
        _record = record;
        Command = command;
        Analysis = analysis;
        StartTimestamp = startTimestamp;
        _filters = filters;
        _recorded = ResultCollector.For(command.Session.Connection);
    }

    /// <summary>The command that ran.</summary>
    public Command Command { get; }

    /// <summary>The verdict it ran under, recorded with it.</summary>
    public AiAnalysis? Analysis { get; }

    /// <summary>When the gateway received the command (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long StartTimestamp { get; }

    /// <summary>
    /// False when no stage wants to see row values (no guardrail or masking applies and the recording is full or off):
    /// the adapter may forward rows untouched and only <see cref="CountRow"/> them.
    /// </summary>
    public bool InspectsRows => _filters.Length > 0 || !_recorded.IsFull;

    /// <summary>True when a guardrail or masking stage looks at this command's result (values must be read and may change).</summary>
    public bool Filtered => _filters.Length > 0;

    /// <summary>True when a stage needs each column's table (<see cref="IResultFilter.NeedsTables"/>).</summary>
    public bool NeedsTables => _filters.Any(f => f.NeedsTables);

    /// <summary>
    /// Stops the result for a reason the adapter found (it cannot read values a stage must see): recorded like a stage's
    /// stop, fail closed.
    /// </summary>
    public void StopWith(string reason) => StoppedBy ??= reason;

    /// <summary>Set once a stage stopped the result (an output guardrail): the reason, shown after "vigil: ".</summary>
    public string? StoppedBy { get; private set; }

    /// <summary>Rows the client was sent (inspected or counted).</summary>
    public long RowsSent { get; private set; }

    /// <summary>A result set starts.</summary>
    public void Columns(IReadOnlyList<ResultColumn> columns)
    {
        // The recording keeps the first result set's rows; later sets (a multi-statement Query) are counted.
        if (_resultSets++ == 0)
        {
            _recorded.SetColumns(columns.Select(c => new RecordedColumn(c.Name, c.Type)).ToArray());
        }
        foreach (var filter in _filters)
        {
            filter.OnColumns(columns);
        }
    }

    /// <summary>Runs the stages on <paramref name="row"/>; the adapter sends it (rewritten where <see cref="ResultRow.Changed"/>) unless the answer stops the result.</summary>
    public ResultAction Row(ResultRow row)
    {
        if (StoppedBy is { } stopped)
        {
            return ResultAction.Stop(stopped);
        }
        foreach (var filter in _filters)
        {
            if (Stop(filter.OnRow(row)) is { Stopped: true } stop)
            {
                return stop;
            }
        }
        RowsSent++;
        if (_resultSets > 1 || _recorded.IsFull)
        {
            _recorded.Count();
        }
        else
        {
            _recorded.Add(row.ColumnTexts());
        }
        return ResultAction.Continue;
    }

    /// <summary>A row forwarded without inspection.</summary>
    public void CountRow()
    {
        RowsSent++;
        _recorded.Count();
    }

    /// <summary>Runs the stages on a chunk of text output.</summary>
    public ResultAction Text(ResultText text)
    {
        if (StoppedBy is { } stopped)
        {
            return ResultAction.Stop(stopped);
        }
        foreach (var filter in _filters)
        {
            if (Stop(filter.OnText(text)) is { Stopped: true } stop)
            {
                return stop;
            }
        }
        return ResultAction.Continue;
    }

    /// <summary>Runs the stages on a notice or error before the client gets it.</summary>
    public void Notice(ResultNotice notice)
    {
        foreach (var filter in _filters)
        {
            filter.OnNotice(notice);
        }
        if ((_notices ??= []).Count < MaxRecordedNotices)
        {
            _notices.Add(new RecordedNotice(notice.Severity, notice.SqlState, notice.Message, notice.Detail));
        }
    }

    /// <summary>
    /// Records the command with <paramref name="outcome"/>, its recorded result and notices; a result a stage stopped is
    /// recorded failed with 42501 and the stop's reason. Later calls are ignored (a run is recorded once). A run of
    /// output that belongs to no command (<see cref="CommandPipeline.StartOutput"/>) completes its stages only.
    /// </summary>
    public void Complete(CommandOutcome outcome)
    {
        if (_completed)
        {
            return;
        }
        _completed = true;
        foreach (var filter in _filters)
        {
            filter.OnComplete();
        }
        if (StoppedBy is { } stopped)
        {
            outcome = outcome with { SqlState = "42501", ErrorMessage = "vigil: " + stopped };
        }
        if (!_record)
        {
            return;
        }
        _pipeline.Completed(this, outcome, _recorded.Build(), _notices);
    }

    private ResultAction Stop(ResultAction action)
    {
        if (action.Stopped)
        {
            StoppedBy = action.StopReason;
        }
        return action;
    }
}
