using System.Globalization;
using System.Text;

namespace Vigil.Sessions;

/// <summary>
/// CSV export of a session's events (RFC 4180: CRLF line ends, fields quoted when they hold a comma, quote or line
/// break, quotes doubled). Columns: session_id, seq, at, kind, text, parameter_count, duration_us, command_tag, rows,
/// sqlstate, message.
/// </summary>
public static class SessionCsv
{
    /// <summary>The CSV text for <paramref name="session"/>'s events, with a header row.</summary>
    public static string Write(SessionView session)
    {
        var csv = new StringBuilder("session_id,seq,at,kind,text,parameter_count,duration_us,command_tag,rows,sqlstate,message\r\n");
        foreach (var e in session.Events ?? [])
        {
            string?[] fields =
            [
                session.Id, Invariant(e.Seq), e.At, e.Kind, e.Text, Invariant(e.ParameterCount), Invariant(e.DurationUs),
                e.CommandTag, Invariant(e.Rows), e.Sqlstate, e.Message,
            ];
            csv.AppendJoin(',', fields.Select(Quote)).Append("\r\n");
        }
        return csv.ToString();
    }

    private static string? Invariant(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string? field) =>
        field is null ? "" : field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
