using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Hosting;
using Vigil.Pipeline;
using Vigil.Storage;
using Vigil.Webhooks;

namespace Vigil.Sessions;

/// <summary>
/// Marks the sessions a dead gateway left <c>open</c> as <see cref="SessionStatus.Interrupted"/> ("gateway stopped").
/// Every session records its owner (<see cref="GatewayInstance"/>); every instance writes a heartbeat to
/// <c>gateway_instances</c> each <see cref="HeartbeatInterval"/>. At start, the embedded SQLite store has one gateway
/// only, so every open session owned by another instance (or by none: rows of releases before the owner column) is
/// orphaned. After that, each heartbeat also interrupts the open sessions whose owner's heartbeat is older than
/// <see cref="Lease"/>: with a store shared by several gateways, whoever notices the owner gone does it. An interrupted
/// session ends at its last known sign of life (its last event or its owner's last heartbeat) and gets a
/// <c>session.close</c> event like any other.
/// </summary>
public sealed partial class SessionRecovery(
    SqliteStore store, GatewayInstance instance, IEventPublisher events, TimeProvider time, ILogger<SessionRecovery> logger)
    : IHostedService, IDisposable
{
    /// <summary>How often this instance proves it is alive.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    /// <summary>How long an instance may stay silent before another one takes its open sessions for dead.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>The <c>reason</c> of an interrupted session.</summary>
    public const string Reason = "gateway stopped";

    private readonly CancellationTokenSource _stopping = new();
    private Task? _heartbeat;

    /// <summary>Registers this instance and interrupts every session a previous process left open.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var now = Rfc3339.Format(time.GetUtcNow());
        await using (var db = await store.OpenAsync(cancellationToken))
        {
            await db.ExecuteAsync(new CommandDefinition(
                "INSERT INTO gateway_instances (id, started_at, heartbeat_at) VALUES (@id, @now, @now)",
                new { id = instance.Id, now }, cancellationToken: cancellationToken));
        }
        // The embedded store serves one gateway: no other instance is alive, however recent its last heartbeat.
        await InterruptOrphansAsync(aliveSince: null, cancellationToken);
        _heartbeat = Task.Run(HeartbeatLoopAsync, CancellationToken.None);
    }

    /// <summary>Stops the heartbeat and removes this instance (its sessions are closed by now).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_heartbeat is not null)
        {
            await _heartbeat.WaitAsync(cancellationToken);
        }
        try
        {
            await using var db = await store.OpenAsync(cancellationToken);
            await db.ExecuteAsync(new CommandDefinition(
                "DELETE FROM gateway_instances WHERE id=@id", new { id = instance.Id }, cancellationToken: cancellationToken));
        }
        catch (SqliteException e)
        {
            LogHeartbeatFailed(logger, e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stopping.Dispose();

    /// <summary>
    /// Interrupts the open sessions of every instance that is not alive: not this one and, when
    /// <paramref name="aliveSince"/> is given, without a heartbeat since then (null: every other instance is dead).
    /// </summary>
    private async Task InterruptOrphansAsync(DateTimeOffset? aliveSince, CancellationToken cancellationToken)
    {
        // "~" sorts after every RFC 3339 timestamp: no heartbeat is recent enough.
        var since = aliveSince is { } at ? Rfc3339.Format(at) : "~";
        IReadOnlyList<Orphan> orphans;
        await using (var db = await store.OpenAsync(cancellationToken))
        {
            await using var transaction = (SqliteTransaction)await db.BeginTransactionAsync(cancellationToken);
            orphans = (await db.QueryAsync<Orphan>(new CommandDefinition(
                """
                UPDATE sessions SET status = @interrupted, reason = @reason, ended_at = max(
                    started_at,
                    coalesce((SELECT max(e.at) FROM session_events e WHERE e.session_id = sessions.id), ''),
                    coalesce((SELECT g.heartbeat_at FROM gateway_instances g WHERE g.id = sessions.gateway_id), ''))
                WHERE status = 'open' AND (gateway_id IS NULL OR (gateway_id <> @self
                    AND gateway_id NOT IN (SELECT id FROM gateway_instances WHERE heartbeat_at >= @since)))
                RETURNING id, type, connection, user_name, client_address, ai_analysis, ended_at
                """,
                new { interrupted = SessionStatus.Interrupted, reason = Reason, self = instance.Id, since }, transaction,
                cancellationToken: cancellationToken))).ToList();
            await db.ExecuteAsync(new CommandDefinition(
                "DELETE FROM gateway_instances WHERE id <> @self AND heartbeat_at < @since",
                new { self = instance.Id, since }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
        foreach (var o in orphans)
        {
            events.Publish(GatewayEventTypes.SessionClose, new SessionEventData(
                o.id, o.type, o.connection, o.user_name, o.client_address, SessionStatus.Interrupted, null, Reason,
                o.ai_analysis is null ? null : System.Text.Json.JsonSerializer.Deserialize<Analysis.AiAnalysis>(o.ai_analysis, Api.Json), o.ended_at));
        }
        if (orphans.Count > 0)
        {
            LogInterrupted(logger, orphans.Count);
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        using var timer = new PeriodicTimer(HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    var now = time.GetUtcNow();
                    await using (var db = await store.OpenAsync(_stopping.Token))
                    {
                        // Upsert: a peer that took this instance for dead deleted its row; coming back, it claims a new lease.
                        await db.ExecuteAsync(new CommandDefinition(
                            """
                            INSERT INTO gateway_instances (id, started_at, heartbeat_at) VALUES (@id, @now, @now)
                            ON CONFLICT (id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at
                            """,
                            new { id = instance.Id, now = Rfc3339.Format(now) }, cancellationToken: _stopping.Token));
                    }
                    await InterruptOrphansAsync(now - Lease, _stopping.Token);
                }
                catch (SqliteException e)
                {
                    LogHeartbeatFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

#pragma warning disable IDE1006 // column names
    private sealed class Orphan
    {
        public string id { get; set; } = "";
        public string type { get; set; } = "";
        public string connection { get; set; } = "";
        public string user_name { get; set; } = "";
        public string? client_address { get; set; }
        public string? ai_analysis { get; set; }
        public string ended_at { get; set; } = "";
    }
#pragma warning restore IDE1006

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Marked {Count} sessions interrupted: the gateway that ran them stopped without closing them")]
    private static partial void LogInterrupted(ILogger logger, int count);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Error, Message = "Gateway heartbeat or session recovery failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);
}
