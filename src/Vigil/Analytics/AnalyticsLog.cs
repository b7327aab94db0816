using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Hosting;
using Vigil.Storage;

namespace Vigil.Analytics;

/// <summary>Analytics event types.</summary>
public static class AnalyticsEventType
{
    /// <summary>An analyzer rule was created; data: the rule.</summary>
    public const string RuleCreated = "ai.rule.created";
    /// <summary>An analyzer rule was replaced; data: the rule.</summary>
    public const string RuleUpdated = "ai.rule.updated";
    /// <summary>An analyzer rule was deleted; data: <c>{name}</c>.</summary>
    public const string RuleDeleted = "ai.rule.deleted";
    /// <summary>The provider was set; data: <c>{provider, model, api_url}</c> (never the key).</summary>
    public const string ProviderUpdated = "ai.provider.updated";
    /// <summary>The provider was removed.</summary>
    public const string ProviderDeleted = "ai.provider.deleted";
    /// <summary>A session used the provider; data: <see cref="Analysis.AnalysisUsage.Snapshot"/>.</summary>
    public const string AnalysisUsage = "ai.analysis.usage";
}

/// <summary>One analytics event as the API returns it: <c>{id, at, type, actor, session_id, data}</c>.</summary>
public sealed record AnalyticsEvent(long Id, string At, string Type, string? Actor, string? SessionId, JsonElement Data);

/// <summary>
/// Analytics events: stored for <c>GET /api/analytics/events</c> and written as structured log entries (event id 4001)
/// so a log pipeline sees the same stream. Data never carries secrets or command text.
/// </summary>
public sealed partial class AnalyticsLog(SqliteStore store, TimeProvider time, ILogger<AnalyticsLog> logger)
{
    /// <summary>
    /// Records an event of <paramref name="type"/> (<see cref="AnalyticsEventType"/>). A store failure is logged
    /// (event id 4002), not thrown: the change or session it describes has already happened.
    /// </summary>
    public async Task RecordAsync(string type, string? actor, string? sessionId, object data, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(data, Api.Json);
        LogEvent(logger, type, actor, sessionId, json);
        try
        {
            await using var db = await store.OpenAsync(cancellationToken);
            await db.ExecuteAsync(new CommandDefinition(
                "INSERT INTO analytics_events (at, type, actor, session_id, data) VALUES (@at, @type, @actor, @sessionId, @json)",
                new { at = Rfc3339.Format(time.GetUtcNow()), type, actor, sessionId, json }, cancellationToken: cancellationToken));
        }
        catch (SqliteException e)
        {
            LogStoreFailed(logger, type, e);
        }
    }

    /// <summary>A page of events, newest first, filtered by type and session when given, and the total that match.</summary>
    public async Task<(IReadOnlyList<AnalyticsEvent> Items, long Total)> ListAsync(
        string? type, string? sessionId, DateTimeOffset? start, DateTimeOffset? end, int page, int size, CancellationToken cancellationToken)
    {
        var where = new SqlFilter().Equal("type", type).Equal("session_id", sessionId).Between("at", start, end);
        var args = where.Args;
        args.Add("limit", size);
        args.Add("offset", (page - 1) * size);
        await using var db = await store.OpenAsync(cancellationToken);
        var total = await db.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM analytics_events{where}", args, cancellationToken: cancellationToken));
        var rows = await db.QueryAsync<(long Id, string At, string Type, string? Actor, string? SessionId, string Data)>(new CommandDefinition(
            $"SELECT id, at, type, actor, session_id, data FROM analytics_events{where} ORDER BY id DESC LIMIT @limit OFFSET @offset",
            args, cancellationToken: cancellationToken));
        return (rows.Select(r => new AnalyticsEvent(r.Id, r.At, r.Type, r.Actor, r.SessionId, JsonSerializer.Deserialize<JsonElement>(r.Data))).ToList(), total);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Analytics event {Type} by {Actor} (session {SessionId}): {Data}")]
    private static partial void LogEvent(ILogger logger, string type, string? actor, string? sessionId, string data);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Analytics event {Type} could not be stored")]
    private static partial void LogStoreFailed(ILogger logger, string type, Exception exception);
}
