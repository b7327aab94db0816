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
    /// <summary>A result set starts (PostgreSQL RowDescription); a command may produce several.</summary>
    void OnColumns(IReadOnlyList<ResultColumn> columns);

    /// <summary>A row of the current result set.</summary>
    ResultAction OnRow(ResultRow row);

    /// <summary>A chunk of unstructured output (a COPY line, rendered exec output, later an HTTP body or terminal output).</summary>
    ResultAction OnText(ResultText text);

    /// <summary>A notice or error the target sent about the command.</summary>
    void OnNotice(ResultNotice notice);
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
/// A row on its way to the client, values in their text form (null is SQL NULL). An opaque value (binary data that is
/// not text) is shown to filters as null with <see cref="IsOpaque"/> true and is never rewritten.
/// </summary>
public sealed class ResultRow(string?[] values, bool[]? opaque = null)
{
    private bool[]? _changed;

    /// <summary>Number of values.</summary>
    public int Count => values.Length;

    /// <summary>The value at <paramref name="index"/> (after any replacement).</summary>
    public string? this[int index] => values[index];

    /// <summary>True when the value at <paramref name="index"/> is binary that is not text (not inspected).</summary>
    public bool IsOpaque(int index) => opaque is not null && opaque[index];

    /// <summary>Replaces the value at <paramref name="index"/> (null: SQL NULL); ignored for an opaque value.</summary>
    public void Replace(int index, string? value)
    {
        if (IsOpaque(index))
        {
            return;
        }
        values[index] = value;
        (_changed ??= new bool[values.Length])[index] = true;
    }

    /// <summary>True when a filter replaced the value at <paramref name="index"/>.</summary>
    public bool Changed(int index) => _changed is not null && _changed[index];

    /// <summary>True when any value was replaced.</summary>
    public bool AnyChanged => _changed is not null;

    /// <summary>The values, after replacements (opaque ones null).</summary>
    public IReadOnlyList<string?> Values => values;
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
