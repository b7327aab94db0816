namespace Vigil.Webhooks;

/// <summary>Delivery statuses: <see cref="Pending"/> (queued or waiting for a retry), <see cref="Delivered"/>, <see cref="Failed"/>.</summary>
public static class DeliveryStatus
{
    /// <summary>Not delivered yet; attempted when <c>next_attempt_at</c> is due.</summary>
    public const string Pending = "pending";
    /// <summary>An attempt got a 2xx answer.</summary>
    public const string Delivered = "delivered";
    /// <summary>Every attempt failed; only a replay sends it again.</summary>
    public const string Failed = "failed";

    /// <summary>Every status.</summary>
    public static readonly string[] All = [Pending, Delivered, Failed];
}

/// <summary>
/// One delivery as the API shows it (<c>GET /api/webhooks/{id}/deliveries</c>): <c>{id (the webhook-id, msg_…),
/// event_type, status: pending|delivered|failed, attempts, last_status_code (HTTP status of the last attempt, null when
/// it got no answer), last_error (why the last attempt failed, with up to 4 KiB of the answer), next_attempt_at,
/// created_at, delivered_at}</c>; times RFC 3339 UTC.
/// </summary>
public sealed record WebhookDelivery(
    string Id, string EventType, string Status, int Attempts, int? LastStatusCode, string? LastError, string? NextAttemptAt, string CreatedAt, string? DeliveredAt);

/// <summary>A delivery the dispatcher claimed for one attempt, with what it needs to send it.</summary>
/// <param name="Seq">The row's key.</param>
/// <param name="Id">The webhook-id (msg_…).</param>
/// <param name="WebhookId">The endpoint.</param>
/// <param name="EventType">The event's type.</param>
/// <param name="Payload">The Standard Webhooks payload JSON <c>{type, timestamp, data}</c>.</param>
/// <param name="Attempts">Attempts made before this one.</param>
/// <param name="AttemptBase">The attempt count the retry budget counts from (raised by a replay).</param>
/// <param name="Url">The endpoint's current URL.</param>
/// <param name="Format">The endpoint's current <see cref="WebhookFormat"/>.</param>
public sealed record DueDelivery(long Seq, string Id, string WebhookId, string EventType, string Payload, int Attempts, int AttemptBase, string Url, string Format);

/// <summary>The outcome of one attempt.</summary>
/// <param name="Success">A 2xx answer.</param>
/// <param name="StatusCode">The answer's status, or null when none came (timeout, refused connection, …).</param>
/// <param name="Error">Why it failed (null on success); never contains the secret or the body sent.</param>
/// <param name="RetryAfter">How long the endpoint asked to wait (<c>Retry-After</c>), if it did.</param>
public sealed record AttemptResult(bool Success, int? StatusCode, string? Error, TimeSpan? RetryAfter = null);
