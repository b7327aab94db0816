namespace Vigil.Pipeline;

/// <summary>
/// A stage of the result chain every adapter feeds after execution (DESIGN.md: guardrails(out) → mask → record).
/// Stages run in ascending <see cref="Order"/>; recording always comes last and is the pipeline's own.
/// </summary>
public interface IResultStage
{
    /// <summary>Position in the chain: <see cref="ResultStageOrder"/>.</summary>
    int Order { get; }

    /// <summary>A filter for one command's result, or null when this stage has nothing to do for it (the cheap path).</summary>
    IResultFilter? Open(Command command);
}

/// <summary>Positions of the result stages in the chain.</summary>
public static class ResultStageOrder
{
    /// <summary>Output guardrails see the values as the target sent them.</summary>
    public const int OutputGuardrails = 100;
    /// <summary>Masking runs on what the guardrails let through; the client and the recording get its output.</summary>
    public const int Masking = 200;
}

/// <summary>
/// One command's result passing through a stage, piece by piece as the adapter reads it (never a whole result). A filter
/// may rewrite text in place (<see cref="ResultRow.Replace"/>, <see cref="ResultText.Text"/>, <see cref="ResultNotice"/>
/// fields) and may stop the result; nothing after a stop reaches the client.
/// </summary>
public interface IResultFilter
{
    /// <summary>
    /// True when the filter needs <see cref="ResultColumn.Table"/> (a column masking rule); adapters that must look the
    /// table up (the PostgreSQL proxy knows only its OID) do so only then.
    /// </summary>
    bool NeedsTables => false;

    /// <summary>A result set starts (PostgreSQL RowDescription); a command may produce several.</summary>
    void OnColumns(IReadOnlyList<ResultColumn> columns);

    /// <summary>A row of the current result set.</summary>
    ResultAction OnRow(ResultRow row);

    /// <summary>A chunk of unstructured output (a COPY line, rendered exec output, later an HTTP body or terminal output).</summary>
    ResultAction OnText(ResultText text);

    /// <summary>A notice or error the target sent about the command.</summary>
    void OnNotice(ResultNotice notice);

    /// <summary>The result ended (the command completed or failed); the stage records what it saw.</summary>
    void OnComplete()
    {
    }
}

/// <summary>A filter's answer: go on, or stop the result with a reason (shown after "vigil: ").</summary>
public readonly record struct ResultAction(string? StopReason)
{
    /// <summary>Let the piece through.</summary>
    public static readonly ResultAction Continue = default;

    /// <summary>Stop the result here.</summary>
    public static ResultAction Stop(string reason) => new(reason);

    /// <summary>True when the result must stop.</summary>
    public bool Stopped => StopReason is not null;
}

/// <summary>A result column: its name, its type's name (<c>text</c>, <c>int4</c>; the OID when unknown) and the table it reads, <c>schema.table</c>, when known.</summary>
public sealed record ResultColumn(string Name, string Type, string? Table = null);

/// <summary>
/// A row on its way to the client, as entries in their text form (null is SQL NULL). Usually one entry per column; an
/// adapter that splits a column into several entries (the elements of a binary array) says which column each belongs to
/// (<see cref="ColumnOf"/>). An opaque entry (binary data that is not text) holds a display form for the recording
/// (<c>\x…</c> hex): filters skip it, and it is never rewritten.
/// </summary>
public sealed class ResultRow
{
    private readonly string?[] _values;
    private readonly bool[]? _opaque;
    private readonly int[]? _columnOf;
    private readonly bool[]? _arrayColumn;
    private bool[]? _changed;

    /// <summary>A row of one entry per column; <paramref name="opaque"/> flags entries filters must not inspect.</summary>
    public ResultRow(string?[] values, bool[]? opaque = null)
        : this(values, opaque, null, null)
    {
    }

    /// <summary>
    /// A row whose entries map to columns through <paramref name="columnOf"/> (ascending); columns flagged in
    /// <paramref name="arrayColumn"/> are arrays whose entries are their elements.
    /// </summary>
    public ResultRow(string?[] values, bool[]? opaque, int[]? columnOf, bool[]? arrayColumn)
    {
        _values = values;
        _opaque = opaque;
        _columnOf = columnOf;
        _arrayColumn = arrayColumn;
    }

    /// <summary>Number of entries.</summary>
    public int Count => _values.Length;

    /// <summary>The entry at <paramref name="index"/> (after any replacement).</summary>
    public string? this[int index] => _values[index];

    /// <summary>The column (index into the result's columns) entry <paramref name="index"/> belongs to.</summary>
    public int ColumnOf(int index) => _columnOf is null ? index : _columnOf[index];

    /// <summary>True when the entry at <paramref name="index"/> is binary that is not text (not inspected).</summary>
    public bool IsOpaque(int index) => _opaque is not null && _opaque[index];

    /// <summary>Replaces the entry at <paramref name="index"/> (null: SQL NULL); ignored for an opaque entry.</summary>
    public void Replace(int index, string? value)
    {
        if (IsOpaque(index))
        {
            return;
        }
        _values[index] = value;
        (_changed ??= new bool[_values.Length])[index] = true;
    }

    /// <summary>True when a filter replaced the entry at <paramref name="index"/>.</summary>
    public bool Changed(int index) => _changed is not null && _changed[index];

    /// <summary>True when any entry was replaced.</summary>
    public bool AnyChanged => _changed is not null;

    /// <summary>The entries, after replacements.</summary>
    public IReadOnlyList<string?> Values => _values;

    /// <summary>One text per column, after replacements: an array column's elements in PostgreSQL's <c>{a,"b c",NULL}</c> form.</summary>
    public string?[] ColumnTexts()
    {
        if (_columnOf is null)
        {
            return _values;
        }
        var columns = _arrayColumn!.Length;
        var texts = new string?[columns];
        var entry = 0;
        for (var column = 0; column < columns; column++)
        {
            if (!_arrayColumn[column])
            {
                texts[column] = entry < _values.Length && _columnOf[entry] == column ? _values[entry++] : null;
                continue;
            }
            var elements = new List<string>();
            for (; entry < _values.Length && _columnOf[entry] == column; entry++)
            {
                elements.Add(_values[entry] is { } element ? "\"" + element.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : "NULL");
            }
            texts[column] = "{" + string.Join(",", elements) + "}";
        }
        return texts;
    }
}

/// <summary>A chunk of text output; filters may replace <see cref="Text"/>.</summary>
public sealed class ResultText(string text)
{
    private string _text = text;

    /// <summary>The chunk (after any replacement).</summary>
    public string Text
    {
        get => _text;
        set
        {
            Changed |= !ReferenceEquals(value, _text);
            _text = value;
        }
    }

    /// <summary>True when a filter replaced the text.</summary>
    public bool Changed { get; private set; }
}

/// <summary>A notice or error (PostgreSQL NoticeResponse / ErrorResponse fields, §55.8); filters may rewrite the human-readable fields.</summary>
public sealed class ResultNotice(string severity, string? sqlState, string message, string? detail, string? hint)
{
    /// <summary>ERROR, WARNING, NOTICE, …</summary>
    public string Severity { get; } = severity;

    /// <summary>The SQLSTATE code.</summary>
    public string? SqlState { get; } = sqlState;

    /// <summary>Primary message.</summary>
    public string Message { get; set; } = message;

    /// <summary>Detail (a unique violation's <c>Key (email)=(…)</c>), may leak values.</summary>
    public string? Detail { get; set; } = detail;

    /// <summary>Hint.</summary>
    public string? Hint { get; set; } = hint;
}
