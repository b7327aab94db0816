using System.Globalization;
using System.Text;
using System.Text.Json;
using Vigil.Hosting;

namespace Vigil.Sessions;

/// <summary>
/// CSV export of a session's events (RFC 4180, see <see cref="Csv"/>), one row per event. Columns: session_id, seq, at, kind, text, parameter_count,
/// duration_us, command_tag, rows, sqlstate, message, risk_level, title, action, source (from the event's analysis, empty
/// when none), result_row_count, result_truncated (<c>true</c>/<c>false</c>), result (the recorded result as compact JSON
/// <c>{columns, rows, row_count, truncated}</c>) and notices (compact JSON <c>[{severity, sqlstate, message, detail}]</c>);
/// the last four are empty when the event has none. The session-level <c>masking_info</c> and <c>guardrails_info</c> are
/// not per-event values: they are in the JSON export.
/// </summary>
public static class SessionCsv
{
    /// <summary>The CSV text for <paramref name="session"/>'s events, with a header row.</summary>
    public static string Write(SessionView session)
    {
        var csv = Csv.AppendRow(new StringBuilder(), "session_id", "seq", "at", "kind", "text", "parameter_count", "duration_us", "command_tag", "rows", "sqlstate", "message",
            "risk_level", "title", "action", "source", "result_row_count", "result_truncated", "result", "notices");
        foreach (var e in session.Events ?? [])
        {
            Csv.AppendRow(
                csv, session.Id, Invariant(e.Seq), e.At, e.Kind, e.Text, Invariant(e.ParameterCount), Invariant(e.DurationUs),
                e.CommandTag, Invariant(e.Rows), e.Sqlstate, e.Message,
                e.AiAnalysis?.RiskLevel, e.AiAnalysis?.Title, e.AiAnalysis?.Action, e.AiAnalysis?.Source,
                Invariant(e.Result?.RowCount), e.Result is null ? null : e.Result.Truncated ? "true" : "false",
                e.Result is null ? null : JsonSerializer.Serialize(e.Result, Api.Json),
                e.Notices is null ? null : JsonSerializer.Serialize(e.Notices, Api.Json));
        }
        return csv.ToString();
    }

    private static string? Invariant(long? value) => value?.ToString(CultureInfo.InvariantCulture);
}
