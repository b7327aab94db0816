using System.Globalization;
using System.Text;
using Vigil.Hosting;

namespace Vigil.Sessions;

/// <summary>
/// CSV export of a session's events (RFC 4180, see <see cref="Csv"/>). Columns: session_id, seq, at, kind, text, parameter_count, duration_us, command_tag, rows,
/// sqlstate, message, risk_level, title, action, source (the last four from the event's analysis, empty when none).
/// </summary>
public static class SessionCsv
{
    /// <summary>The CSV text for <paramref name="session"/>'s events, with a header row.</summary>
    public static string Write(SessionView session)
    {
        var csv = Csv.AppendRow(new StringBuilder(), "session_id", "seq", "at", "kind", "text", "parameter_count", "duration_us", "command_tag", "rows", "sqlstate", "message",
            "risk_level", "title", "action", "source");
        foreach (var e in session.Events ?? [])
        {
            Csv.AppendRow(
                csv, session.Id, Invariant(e.Seq), e.At, e.Kind, e.Text, Invariant(e.ParameterCount), Invariant(e.DurationUs),
                e.CommandTag, Invariant(e.Rows), e.Sqlstate, e.Message,
                e.AiAnalysis?.RiskLevel, e.AiAnalysis?.Title, e.AiAnalysis?.Action, e.AiAnalysis?.Source);
        }
        return csv.ToString();
    }

    private static string? Invariant(long? value) => value?.ToString(CultureInfo.InvariantCulture);
}
