namespace Vigil.Webhooks;

/// <summary>
/// Webhook log messages (event ids 5001–5099). They name endpoints by id and events by type and webhook-id only:
/// never a secret, a signature or a body.
/// </summary>
internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Debug, Message = "Webhook {MessageId} ({EventType}) delivered to endpoint {WebhookId} on attempt {Attempt} (HTTP {StatusCode})")]
    public static partial void Delivered(ILogger logger, string messageId, string eventType, string webhookId, int attempt, int? statusCode);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Webhook {MessageId} ({EventType}) to endpoint {WebhookId}, attempt {Attempt} failed: {Error}; next attempt in {Delay}")]
    public static partial void Retrying(ILogger logger, string messageId, string eventType, string webhookId, int attempt, string error, TimeSpan delay);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Webhook {MessageId} ({EventType}) to endpoint {WebhookId} failed after {Attempt} attempts: {Error}")]
    public static partial void GaveUp(ILogger logger, string messageId, string eventType, string webhookId, int attempt, string error);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "Event {EventType} could not be serialized; it is not delivered")]
    public static partial void SerializeFailed(ILogger logger, string eventType, Exception exception);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Event {EventType} published after the outbox stopped; it is not delivered")]
    public static partial void AfterStop(ILogger logger, string eventType);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Error, Message = "The webhook outbox could not write {Count} deliveries (try {Try}); retrying")]
    public static partial void WriteFailed(ILogger logger, int count, int @try, Exception exception);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Error, Message = "The webhook outbox lost {Count} deliveries: the store refused them")]
    public static partial void WriteLost(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Error, Message = "The webhook dispatcher failed; it resumes in a second")]
    public static partial void DispatchFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Trace, Message = "Webhook {MessageId} to endpoint {WebhookId} body: {Body}")]
    public static partial void Body(ILogger logger, string messageId, string webhookId, string body);
}
