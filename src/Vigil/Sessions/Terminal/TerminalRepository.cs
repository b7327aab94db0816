using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Vigil.Storage;

namespace Vigil.Sessions.Terminal;

/// <summary>
/// One recorded terminal stream of a session (<c>GET /api/sessions/{id}/terminals</c>): <c>{index, started_at, width,
/// height, term, command, duration, bytes, recorded_bytes, truncated}</c>. <c>index</c> counts from 1 in the order the
/// streams started; <c>duration</c> is seconds to the last recorded event; <c>bytes</c> counts everything that went
/// through (input and output), <c>recorded_bytes</c> the asciicast event lines kept; <c>truncated</c> is true once
/// the recording reached its cap (<c>VIGIL_TERMINAL_MAX_BYTES</c>).
/// </summary>
public sealed record TerminalInfo(
    int Index, [property: JsonIgnore] string Id, string StartedAt, int Width, int Height, string? Term, string? Command, double Duration, long Bytes,
    long RecordedBytes, bool Truncated);

/// <summary>Reads terminal recordings (the session recorder is the only writer).</summary>
public sealed class TerminalRepository(SqliteStore store)
{
    /// <summary>The media type of an asciicast file.</summary>
    public const string MediaType = "application/x-asciicast";

    /// <summary>The terminal streams of session <paramref name="sessionId"/> in the order they started (empty when none).</summary>
    public async Task<IReadOnlyList<TerminalInfo>> ListAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<(string Id, string StartedAt, long Width, long Height, string? Term, string? Command, double Duration, long Bytes, long Recorded, long Truncated)>(
            new CommandDefinition(
                "SELECT id, started_at, width, height, term, command, duration, bytes, recorded_bytes, truncated FROM session_terminals WHERE session_id=@sessionId ORDER BY rowid",
                new { sessionId }, cancellationToken: cancellationToken));
        return rows.Select((r, i) => new TerminalInfo(
            i + 1, r.Id, r.StartedAt, (int)r.Width, (int)r.Height, r.Term, r.Command, r.Duration, r.Bytes, r.Recorded, r.Truncated != 0)).ToList();
    }

    /// <summary>
    /// Writes the asciicast v2 file of <paramref name="terminal"/> to <paramref name="output"/>: the header line
    /// (<c>{"version": 2, "width", "height", "timestamp" (Unix seconds), "duration", "command", "env": {"TERM"},
    /// "vigil": {"session_id", "bytes", "truncated"}}</c>), then the recorded event lines in order, read block by block
    /// (a long recording is never held whole).
    /// </summary>
    public async Task WriteCastAsync(string sessionId, TerminalInfo terminal, Stream output, CancellationToken cancellationToken)
    {
        var header = new Dictionary<string, object?>
        {
            ["version"] = 2,
            ["width"] = terminal.Width,
            ["height"] = terminal.Height,
            ["timestamp"] = Rfc3339.TryParse(terminal.StartedAt, out var started) ? started.ToUnixTimeSeconds() : 0,
            ["duration"] = Math.Round(terminal.Duration, 6),
        };
        if (terminal.Command is not null)
        {
            header["command"] = terminal.Command;
        }
        header["env"] = terminal.Term is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["TERM"] = terminal.Term };
        header["vigil"] = new Dictionary<string, object> { ["session_id"] = sessionId, ["bytes"] = terminal.Bytes, ["truncated"] = terminal.Truncated };
        await output.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(header), cancellationToken);
        await output.WriteAsync("\n"u8.ToArray(), cancellationToken);
        await using var db = await store.OpenAsync(cancellationToken);
        var last = 0L;
        while (true)
        {
            // A page of blocks at a time, by key: the connection is not held open by a slow reader of one big query.
            var blocks = (await db.QueryAsync<(long Seq, string Events)>(new CommandDefinition(
                "SELECT seq, events FROM session_terminal_chunks WHERE terminal_id=@id AND seq > @last ORDER BY seq LIMIT 64",
                new { id = terminal.Id, last }, cancellationToken: cancellationToken))).ToList();
            if (blocks.Count == 0)
            {
                return;
            }
            foreach (var block in blocks)
            {
                await output.WriteAsync(Encoding.UTF8.GetBytes(block.Events), cancellationToken);
            }
            last = blocks[^1].Seq;
        }
    }

    /// <summary>The file name a download suggests: <c>session-{id}.cast</c>, or <c>session-{id}-{index}.cast</c> after the first.</summary>
    public static string FileName(string sessionId, int index) =>
        index == 1 ? $"session-{sessionId}.cast" : string.Create(CultureInfo.InvariantCulture, $"session-{sessionId}-{index}.cast");
}
