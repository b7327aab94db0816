using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Analysis;
using Vigil.Hosting;
using Vigil.Reviews;
using Vigil.Storage;

namespace Vigil.Sessions;

/// <summary>Reads recorded sessions and their events (the recorder is the only writer).</summary>
public sealed class SessionRepository(SqliteStore store)
{
    private const string Columns =
        "id, type, connection, connection_type, user_name, user_id, client_user, client_address, client_name, client_version, tool, status, exit_code, reason, " +
        "(SELECT count(*) FROM session_events e WHERE e.session_id = sessions.id) AS event_count, events_lost, started_at, ended_at, ai_analysis, masking_info, " +
        "(SELECT r.id || ' ' || r.status FROM reviews r WHERE r.session_id = sessions.id ORDER BY r.created_at DESC LIMIT 1) AS review, " +
        "EXISTS (SELECT 1 FROM session_terminals t WHERE t.session_id = sessions.id) AS has_terminal";

    /// <summary>A page of sessions matching <paramref name="query"/>, newest first, and the total that match.</summary>
    public async Task<(IReadOnlyList<SessionView> Items, long Total)> ListAsync(SessionQuery query, CancellationToken cancellationToken)
    {
        var where = new SqlFilter()
            .Equal("connection", query.Connection)
            .Equal("user_name", query.User)
            .Equal("user_id", query.UserId)
            .Equal("type", query.Type)
            .Equal("status", query.Status)
            .Equal("risk_level", query.RiskLevel)
            .Between("started_at", query.StartDate, query.EndDate);
        if (query.Text is { } text)
        {
            // instr, not LIKE: the text is matched literally, with no wildcard characters to escape.
            where.And("EXISTS (SELECT 1 FROM session_events e WHERE e.session_id = sessions.id AND instr(lower(e.text), lower(@f_text)) > 0)");
            where.Args.Add("f_text", text);
        }
        var args = where.Args;
        args.Add("limit", query.PageSize);
        args.Add("offset", (query.Page - 1) * query.PageSize);
        await using var db = await store.OpenAsync(cancellationToken);
        var total = await db.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM sessions{where}", args, cancellationToken: cancellationToken));
        var rows = await db.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM sessions{where} ORDER BY started_at DESC, id LIMIT @limit OFFSET @offset", args, cancellationToken: cancellationToken));
        var list = rows.ToList();
        var guardrails = await GuardrailsAsync(db, list.Select(r => r.id).ToList(), cancellationToken);
        return (list.Select(r => r.ToView(guardrails[r.id].ToList(), null, null)).ToList(), total);
    }

    /// <summary>One session with its ordered events and (for exec) its output; null when unknown.</summary>
    public async Task<SessionView?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await FindRowAsync(db, id, cancellationToken);
        if (row is null)
        {
            return null;
        }
        var events = await EventsAsync(db, id, 0, -1, cancellationToken);
        var output = events.LastOrDefault(e => e.Kind == SessionEventKind.Output)?.Text;
        var guardrails = await GuardrailsAsync(db, [id], cancellationToken);
        return row.ToView(guardrails[id].ToList(), events, output);
    }

    /// <summary>
    /// One session without its events (<c>events</c> and <c>output</c> null; <c>event_count</c> says how many there
    /// are), for a caller that pages through them with <see cref="EventPageAsync"/>; null when unknown.
    /// </summary>
    public async Task<SessionView?> FindSummaryAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await FindRowAsync(db, id, cancellationToken);
        return row is null ? null : row.ToView((await GuardrailsAsync(db, [id], cancellationToken))[id].ToList(), null, null);
    }

    /// <summary>
    /// At most <paramref name="limit"/> events of session <paramref name="id"/> in order, after skipping
    /// <paramref name="offset"/>; reads only that page (the primary key orders them), however long the session.
    /// </summary>
    public async Task<IReadOnlyList<SessionEventView>> EventPageAsync(string id, int offset, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var db = await store.OpenAsync(cancellationToken);
        return await EventsAsync(db, id, offset, limit, cancellationToken);
    }

    private static Task<Row?> FindRowAsync(SqliteConnection db, string id, CancellationToken cancellationToken) =>
        db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM sessions WHERE id=@id", new { id }, cancellationToken: cancellationToken));

    /// <summary>Events in order; <paramref name="limit"/> -1 means all (SQLite's LIMIT -1).</summary>
    private static async Task<List<SessionEventView>> EventsAsync(SqliteConnection db, string id, int offset, int limit, CancellationToken cancellationToken) =>
        (await db.QueryAsync<EventRow>(new CommandDefinition(
            """
            SELECT seq, at, kind, text, parameter_count, duration_us, command_tag, rows, sqlstate, message, ai_analysis, text_length, text_sha256, result, notices
            FROM session_events WHERE session_id=@id ORDER BY seq LIMIT @limit OFFSET @offset
            """,
            new { id, limit, offset }, cancellationToken: cancellationToken)))
            .Select(e => new SessionEventView(
                (int)e.seq, e.at, e.kind, e.text, (int?)e.parameter_count, e.duration_us, e.command_tag, e.rows, e.sqlstate, e.message, Analysis(e.ai_analysis),
                e.text_length, e.text_sha256, FromJson<RecordedResult>(e.result), FromJson<List<RecordedNotice>>(e.notices)))
            .ToList();

    /// <summary>
    /// Activity per connection and UTC day since <paramref name="since"/>: sessions started, of those blocked and of high
    /// risk, and reviews opened; limited to <paramref name="userId"/>'s own sessions and reviews when set. Busiest
    /// connection first, each with its days in order (only days with activity).
    /// </summary>
    public async Task<IReadOnlyList<ConnectionActivity>> ActivityAsync(DateTimeOffset since, string? userId, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        // Times are stored as RFC 3339 UTC text, so the first 10 characters are the UTC day.
        var rows = await db.QueryAsync<(string Connection, string Day, long Sessions, long Blocked, long HighRisk, long Reviews)>(new CommandDefinition(
            """
            WITH s AS (
                SELECT connection, substr(started_at, 1, 10) AS day, count(*) AS sessions, sum(status = 'blocked') AS blocked, sum(risk_level = 'high') AS high
                FROM sessions WHERE started_at >= @since AND (@userId IS NULL OR user_id = @userId) GROUP BY 1, 2),
            r AS (
                SELECT connection, substr(created_at, 1, 10) AS day, count(*) AS reviews
                FROM reviews WHERE created_at >= @since AND (@userId IS NULL OR requested_by_id = @userId) GROUP BY 1, 2)
            SELECT c.connection, c.day, coalesce(s.sessions, 0), coalesce(s.blocked, 0), coalesce(s.high, 0), coalesce(r.reviews, 0)
            FROM (SELECT connection, day FROM s UNION SELECT connection, day FROM r) c
            LEFT JOIN s ON s.connection = c.connection AND s.day = c.day LEFT JOIN r ON r.connection = c.connection AND r.day = c.day
            """,
            new { since = Rfc3339.Format(since), userId }, cancellationToken: cancellationToken));
        return rows.GroupBy(r => r.Connection, StringComparer.Ordinal)
            .Select(g => new ConnectionActivity(
                g.Key, g.Sum(r => r.Sessions), g.Sum(r => r.Blocked), g.Sum(r => r.HighRisk), g.Sum(r => r.Reviews),
                g.OrderBy(r => r.Day, StringComparer.Ordinal)
                    .Select(r => new DayActivity(DateOnly.ParseExact(r.Day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), r.Sessions, r.Blocked, r.HighRisk, r.Reviews))
                    .ToList()))
            .OrderByDescending(a => a.Sessions).ThenByDescending(a => a.Reviews).ThenBy(a => a.Connection, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The highest event sequence number recorded for session <paramref name="id"/> (0 when none); flush the recorder first.</summary>
    public async Task<int> LastSequenceAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return await db.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT coalesce(max(seq), 0) FROM session_events WHERE session_id=@id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>The guardrail violations of <paramref name="ids"/>, each session's in the order they were recorded.</summary>
    private static async Task<ILookup<string, GuardrailInfo>> GuardrailsAsync(SqliteConnection db, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        // Dapper expands the list (an empty one matches nothing).
        var rows = await db.QueryAsync<(string SessionId, string Rule, string Direction, string Matched)>(new CommandDefinition(
            "SELECT session_id, rule, direction, matched FROM session_guardrails WHERE session_id IN @ids ORDER BY id",
            new { ids }, cancellationToken: cancellationToken));
        return rows.ToLookup(g => g.SessionId, g => new GuardrailInfo(g.Rule, g.Direction, g.Matched));
    }

    private static AiAnalysis? Analysis(string? json) => FromJson<AiAnalysis>(json);

    private static T? FromJson<T>(string? json) where T : class => json is null ? null : JsonSerializer.Deserialize<T>(json, Api.Json);

#pragma warning disable IDE1006 // column names
    private sealed class Row
    {
        public string id { get; set; } = "";
        public string type { get; set; } = "";
        public string connection { get; set; } = "";
        public string connection_type { get; set; } = "";
        public string user_name { get; set; } = "";
        public string user_id { get; set; } = "";
        public string? client_user { get; set; }
        public string? client_address { get; set; }
        public string? client_name { get; set; }
        public string? client_version { get; set; }
        public string? tool { get; set; }
        public string status { get; set; } = "";
        public long? exit_code { get; set; }
        public string? reason { get; set; }
        public long event_count { get; set; }
        public long events_lost { get; set; }
        public string started_at { get; set; } = "";
        public string? ended_at { get; set; }
        public string? ai_analysis { get; set; }
        public string? masking_info { get; set; }
        public string? review { get; set; }
        public bool has_terminal { get; set; }

        public SessionView ToView(IReadOnlyList<GuardrailInfo> guardrails, IReadOnlyList<SessionEventView>? events, string? output) => new(
            id, type, connection, connection_type, user_name, user_id, client_user, client_address, client_name, client_version, tool, status, (int?)exit_code, reason,
            (int)event_count, status == SessionStatus.Interrupted ? null : (int)events_lost, started_at, ended_at, output, Analysis(ai_analysis),
            review?.Split(' ') is [var reviewId, var reviewStatus] ? new ReviewRef(reviewId, reviewStatus) : null,
            FromJson<Dictionary<string, long>>(masking_info) ?? [], guardrails, events, has_terminal);
    }

    private sealed class EventRow
    {
        public long seq { get; set; }
        public string at { get; set; } = "";
        public string kind { get; set; } = "";
        public string? text { get; set; }
        public long? parameter_count { get; set; }
        public long? duration_us { get; set; }
        public string? command_tag { get; set; }
        public long? rows { get; set; }
        public string? sqlstate { get; set; }
        public string? message { get; set; }
        public string? ai_analysis { get; set; }
        public long? text_length { get; set; }
        public string? text_sha256 { get; set; }
        public string? result { get; set; }
        public string? notices { get; set; }
    }
#pragma warning restore IDE1006
}
