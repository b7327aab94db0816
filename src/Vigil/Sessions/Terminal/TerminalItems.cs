using Microsoft.Data.Sqlite;

namespace Vigil.Sessions.Terminal;

/// <summary>A terminal stream started: its asciicast header fields (a <c>session_terminals</c> row).</summary>
internal sealed record TerminalStarted(string SessionId, string TerminalId, string StartedAt, int Width, int Height, string? Term, string? Command) : IRecordItem
{
    public void Write(SqliteConnection db, SqliteTransaction? transaction)
    {
        using var command = db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            """
            INSERT INTO session_terminals (id, session_id, started_at, width, height, term, command)
            VALUES ($id, $session_id, $started_at, $width, $height, $term, $command)
            """;
        command.Parameters.AddWithValue("$id", TerminalId);
        command.Parameters.AddWithValue("$session_id", SessionId);
        command.Parameters.AddWithValue("$started_at", StartedAt);
        command.Parameters.AddWithValue("$width", Width);
        command.Parameters.AddWithValue("$height", Height);
        command.Parameters.AddWithValue("$term", (object?)Term ?? DBNull.Value);
        command.Parameters.AddWithValue("$command", (object?)Command ?? DBNull.Value);
        command.ExecuteNonQuery();
    }
}

/// <summary>
/// A block of asciicast event lines (each <c>[seconds, code, data]</c> and a newline; may be empty) and the stream's
/// running totals after it: bytes seen, bytes of event lines kept, truncated, seconds of the last event.
/// </summary>
internal sealed record TerminalBlock(
    string SessionId, string TerminalId, int Seq, string Events, long Bytes, long RecordedBytes, bool Truncated, double Duration) : IRecordItem
{
    public void Write(SqliteConnection db, SqliteTransaction? transaction)
    {
        using var command = db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Events.Length == 0
            ? "UPDATE session_terminals SET bytes=$bytes, recorded_bytes=$recorded, truncated=$truncated, duration=max(duration, $duration) WHERE id=$id"
            : """
              INSERT INTO session_terminal_chunks (terminal_id, seq, events) VALUES ($id, $seq, $events);
              UPDATE session_terminals SET bytes=$bytes, recorded_bytes=$recorded, truncated=$truncated, duration=max(duration, $duration) WHERE id=$id
              """;
        command.Parameters.AddWithValue("$id", TerminalId);
        command.Parameters.AddWithValue("$bytes", Bytes);
        command.Parameters.AddWithValue("$recorded", RecordedBytes);
        command.Parameters.AddWithValue("$truncated", Truncated ? 1 : 0);
        command.Parameters.AddWithValue("$duration", Duration);
        if (Events.Length > 0)
        {
            command.Parameters.AddWithValue("$seq", Seq);
            command.Parameters.AddWithValue("$events", Events);
        }
        command.ExecuteNonQuery();
    }
}
