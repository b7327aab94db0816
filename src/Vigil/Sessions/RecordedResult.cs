using System.Text.Json.Serialization;

namespace Vigil.Sessions;

/// <summary>A result column as recorded: its name and its type's name (<c>text</c>, <c>int4</c>, …; the OID's number when unknown).</summary>
public sealed record RecordedColumn(string Name, string Type);

/// <summary>
/// The recorded part of one statement's result, after masking: <c>{columns, rows, row_count, truncated}</c>.
/// <see cref="Rows"/> holds the first rows up to the connection's <c>record_result_rows</c> and
/// <c>record_result_bytes</c>; <see cref="RowCount"/> counts every row the client received; <see cref="Truncated"/> is
/// true when rows were left out. A value is its text form, null for SQL NULL, or <c>"\\x…"</c> hex for binary values
/// that are not text.
/// </summary>
public sealed record RecordedResult(IReadOnlyList<RecordedColumn> Columns, IReadOnlyList<IReadOnlyList<string?>> Rows, long RowCount, bool Truncated);

/// <summary>
/// A notice or error as the client saw it (after masking): <c>{severity, sqlstate, message, detail}</c>, the fields
/// <c>S</c>, <c>C</c>, <c>M</c> and <c>D</c> of a NoticeResponse or ErrorResponse (PostgreSQL protocol, "Error and
/// Notice Message Fields"). <c>sqlstate</c> is spelled as on the event (<c>sqlstate</c>), not <c>sql_state</c>.
/// </summary>
public sealed record RecordedNotice(string Severity, [property: JsonPropertyName("sqlstate")] string? SqlState, string Message, string? Detail);

/// <summary>
/// A guardrail violation as recorded on the session (<c>guardrails_info</c>): the rule, <c>input</c> or <c>output</c>,
/// and the matched text (masked when sensitive; the recording keeps its first <see cref="MaxMatchedLength"/> characters).
/// </summary>
public sealed record GuardrailInfo(string Rule, string Direction, string Matched)
{
    /// <summary>Characters of <see cref="Matched"/> a recording keeps: 1 Ki (a pattern may match a whole result).</summary>
    public const int MaxMatchedLength = 1024;
}
