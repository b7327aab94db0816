using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Storage;

namespace Vigil.Webhooks;

/// <summary>An event's delivery row to write: the event's webhook-id, its endpoint, type and payload JSON.</summary>
public sealed record OutboxRow(string Id, string WebhookId, string EventType, string Payload, DateTimeOffset CreatedAt);

/// <summary>
/// The durable outbox (<c>webhook_deliveries</c>): one row per event and subscribed endpoint. A pending row is due
/// when <c>next_attempt_at</c> has passed; claiming it for an attempt moves <c>next_attempt_at</c> to the end of a
/// lease, so a row whose attempt was cut short by a crash becomes due again by itself (at-least-once).
/// </summary>
public sealed class DeliveryRepository(SqliteStore store, Security.SecretProtector protector)
{
    private const string Columns = "id, event_type, status, attempts, last_status_code, last_error, next_attempt_at, created_at, delivered_at";

    /// <summary>Inserts <paramref name="rows"/> in one transaction, skipping endpoints deleted meanwhile and rows already there.</summary>
    public async Task InsertAsync(IReadOnlyList<OutboxRow> rows, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await db.BeginTransactionAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO webhook_deliveries (id, webhook_id, event_type, payload, status, next_attempt_at, created_at)
            SELECT @Id, @WebhookId, @EventType, @Payload, 'pending', @at, @at WHERE EXISTS (SELECT 1 FROM webhooks WHERE id=@WebhookId)
            """,
            rows.Select(r => new { r.Id, r.WebhookId, r.EventType, r.Payload, at = Rfc3339.Format(r.CreatedAt) }), transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due rows, oldest due first, of endpoints not in <paramref name="busy"/>, and
    /// leases each until <paramref name="leaseUntil"/>.
    /// </summary>
    public async Task<IReadOnlyList<DueDelivery>> ClaimDueAsync(
        DateTimeOffset now, DateTimeOffset leaseUntil, int limit, IReadOnlyCollection<string> busy, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await db.BeginTransactionAsync(cancellationToken);
        var due = (await db.QueryAsync<DueRow>(new CommandDefinition(
            """
            SELECT d.seq, d.id, d.webhook_id, d.event_type, d.payload, d.attempts, d.attempt_base, w.url_encrypted, w.format
            FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= @now AND d.webhook_id NOT IN @busy
            ORDER BY d.next_attempt_at, d.seq LIMIT @limit
            """,
            new { now = Rfc3339.Format(now), busy, limit }, transaction, cancellationToken: cancellationToken))).Select(r => r.ToDue(protector.Unprotect(r.url_encrypted, WebhookRepository.UrlPurpose(r.webhook_id)))).ToList();
        await db.ExecuteAsync(new CommandDefinition(
            "UPDATE webhook_deliveries SET next_attempt_at=@lease WHERE seq=@Seq",
            due.Select(d => new { d.Seq, lease = Rfc3339.Format(leaseUntil) }), transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return due;
    }

    /// <summary>When the next pending row is due (possibly in the past), or null when none is pending.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var next = await db.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT min(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'", cancellationToken: cancellationToken));
        return next is null ? null : Rfc3339.Parse(next);
    }

    /// <summary>
    /// Records an attempt: <paramref name="status"/> is <see cref="DeliveryStatus.Delivered"/>, <see cref="DeliveryStatus.Failed"/>
    /// or <see cref="DeliveryStatus.Pending"/> (a retry at <paramref name="nextAttemptAt"/>).
    /// </summary>
    public async Task RecordAttemptAsync(
        long seq, string status, AttemptResult result, DateTimeOffset now, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            """
            UPDATE webhook_deliveries SET status=@status, attempts=attempts+1, last_status_code=@code, last_error=@error,
                next_attempt_at=@next, delivered_at=CASE WHEN @status = 'delivered' THEN @now ELSE delivered_at END
            WHERE seq=@seq
            """,
            new
            {
                seq, status, code = result.StatusCode, error = result.Error, now = Rfc3339.Format(now),
                next = nextAttemptAt is { } next ? Rfc3339.Format(next) : null,
            },
            cancellationToken: cancellationToken));
    }

    /// <summary>Gives a claimed row back without counting an attempt (the attempt was cancelled by shutdown): due at <paramref name="now"/>.</summary>
    public async Task ReleaseAsync(long seq, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            "UPDATE webhook_deliveries SET next_attempt_at=@now WHERE seq=@seq AND status='pending'", new { seq, now = Rfc3339.Format(now) },
            cancellationToken: cancellationToken));
    }

    /// <summary>The endpoint's deliveries, newest first, optionally of one status; and how many match.</summary>
    public async Task<(long Total, IReadOnlyList<WebhookDelivery> Items)> ListAsync(
        string webhookId, string? status, int page, int size, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var filter = "webhook_id=@webhookId" + (status is null ? "" : " AND status=@status");
        var args = new { webhookId, status, size, offset = (long)(page - 1) * size };
        var total = await db.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM webhook_deliveries WHERE {filter}", args, cancellationToken: cancellationToken));
        var items = await db.QueryAsync<DeliveryRow>(new CommandDefinition(
            $"SELECT {Columns} FROM webhook_deliveries WHERE {filter} ORDER BY seq DESC LIMIT @size OFFSET @offset", args, cancellationToken: cancellationToken));
        return (total, items.Select(r => r.ToView()).ToList());
    }

    /// <summary>One delivery of the endpoint, or null.</summary>
    public async Task<WebhookDelivery?> GetAsync(string webhookId, string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<DeliveryRow>(new CommandDefinition(
            $"SELECT {Columns} FROM webhook_deliveries WHERE webhook_id=@webhookId AND id=@id", new { webhookId, id }, cancellationToken: cancellationToken));
        return row?.ToView();
    }

    /// <summary>
    /// Queues the delivery again, due now, with the same webhook-id and a fresh retry budget (attempts keep counting);
    /// false when the endpoint has no such delivery.
    /// </summary>
    public async Task<bool> ReplayAsync(string webhookId, string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return await db.ExecuteAsync(new CommandDefinition(
            "UPDATE webhook_deliveries SET status='pending', attempt_base=attempts, next_attempt_at=@now WHERE webhook_id=@webhookId AND id=@id",
            new { webhookId, id, now = Rfc3339.Format(now) }, cancellationToken: cancellationToken)) == 1;
    }

#pragma warning disable IDE1006 // column names
    private sealed class DeliveryRow
    {
        public string id { get; set; } = "";
        public string event_type { get; set; } = "";
        public string status { get; set; } = "";
        public long attempts { get; set; }
        public long? last_status_code { get; set; }
        public string? last_error { get; set; }
        public string? next_attempt_at { get; set; }
        public string created_at { get; set; } = "";
        public string? delivered_at { get; set; }

        public WebhookDelivery ToView() => new(
            id, event_type, status, (int)attempts, (int?)last_status_code, last_error, status == DeliveryStatus.Pending ? next_attempt_at : null, created_at, delivered_at);
    }

    private sealed class DueRow
    {
        public long seq { get; set; }
        public string id { get; set; } = "";
        public string webhook_id { get; set; } = "";
        public string event_type { get; set; } = "";
        public string payload { get; set; } = "";
        public long attempts { get; set; }
        public long attempt_base { get; set; }
        public string url_encrypted { get; set; } = "";
        public string format { get; set; } = "";

        public DueDelivery ToDue(string url) => new(seq, id, webhook_id, event_type, payload, (int)attempts, (int)attempt_base, url, format);
    }
#pragma warning restore IDE1006
}
