using System.Text;
using Dapper;
using Vigil.Storage;

namespace Vigil.Sessions;

/// <summary>Reads recorded sessions and their events (the recorder is the only writer).</summary>
public sealed class SessionRepository(SqliteStore store)
{
    private const string Columns =
        "id, type, connection, connection_type, user_name, user_id, client_user, client_address, status, exit_code, reason, " +
        "(SELECT count(*) FROM session_events e WHERE e.session_id = sessions.id) AS event_count, events_lost, started_at, ended_at";

    /// <summary>A page of sessions matching <paramref name="query"/>, newest first, and the total that match.</summary>
    public async Task<(IReadOnlyList<SessionView> Items, long Total)> ListAsync(SessionQuery query, CancellationToken cancellationToken)
    {
        var where = new StringBuilder(" WHERE 1=1");
        var args = new DynamicParameters();
        void Filter(string column, string op, object? value)
        {
            if (value is null)
            {
                return;
            }
            where.Append(" AND ").Append(column).Append(' ').Append(op).Append(" @").Append(column);
            args.Add(column, value);
        }
        Filter("connection", "=", query.Connection);
        Filter("user_name", "=", query.User);
        Filter("type", "=", query.Type);
        Filter("status", "=", query.Status);
        if (query.StartDate is { } from)
        {
            where.Append(" AND started_at >= @from");
            args.Add("from", Rfc3339.Format(from));
        }
        if (query.EndDate is { } to)
        {
            where.Append(" AND started_at <= @to");
            args.Add("to", Rfc3339.Format(to));
        }
        args.Add("limit", query.PageSize);
        args.Add("offset", (query.Page - 1) * query.PageSize);
        await using var db = await store.OpenAsync(cancellationToken);
        var total = await db.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM sessions{where}", args, cancellationToken: cancellationToken));
        var rows = await db.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM sessions{where} ORDER BY started_at DESC, id LIMIT @limit OFFSET @offset", args, cancellationToken: cancellationToken));
        return (rows.Select(r => r.ToView(null, null)).ToList(), total);
    }

    /// <summary>One session with its ordered events and (for exec) its output; null when unknown.</summary>
    public async Task<SessionView?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM sessions WHERE id=@id", new { id }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }
        var events = (await db.QueryAsync<EventRow>(new CommandDefinition(
            """
            SELECT seq, at, kind, text, parameter_count, duration_us, command_tag, rows, sqlstate, message
            FROM session_events WHERE session_id=@id ORDER BY seq
            """,
            new { id }, cancellationToken: cancellationToken)))
            .Select(e => new SessionEventView((int)e.seq, e.at, e.kind, e.text, (int?)e.parameter_count, e.duration_us, e.command_tag, e.rows, e.sqlstate, e.message))
            .ToList();
        var output = events.LastOrDefault(e => e.Kind == SessionEventKind.Output)?.Text;
        return row.ToView(events, output);
    }

#pragma warning disable IDE1006 // column names
    private sealed record Row(
        string id, string type, string connection, string connection_type, string user_name, string user_id, string? client_user,
        string? client_address, string status, long? exit_code, string? reason, long event_count, long events_lost, string started_at, string? ended_at)
    {
        public SessionView ToView(IReadOnlyList<SessionEventView>? events, string? output) => new(
            id, type, connection, connection_type, user_name, user_id, client_user, client_address, status, (int?)exit_code, reason,
            (int)event_count, (int)events_lost, started_at, ended_at, output, null, null, events);
    }

    private sealed record EventRow(
        long seq, string at, string kind, string? text, long? parameter_count, long? duration_us, string? command_tag, long? rows,
        string? sqlstate, string? message);
#pragma warning restore IDE1006
}
