namespace Vigil.Webhooks;

/// <summary>
/// The event types the gateway publishes (DESIGN.md "Events"); webhook endpoints subscribe to a subset. Names are
/// the <c>type</c> field of the Standard Webhooks payload <c>{type, timestamp, data}</c>.
/// </summary>
public static class GatewayEventTypes
{
    /// <summary>A session opened (exec or a native client); data: the session.</summary>
    public const string SessionOpen = "session.open";
    /// <summary>A session ended; data: the session with its final status.</summary>
    public const string SessionClose = "session.close";
    /// <summary>A command or access request waits for reviewers; data: the review.</summary>
    public const string ReviewCreated = "review.created";
    /// <summary>A review reached its approvals; data: the review.</summary>
    public const string ReviewApproved = "review.approved";
    /// <summary>A reviewer rejected; data: the review.</summary>
    public const string ReviewRejected = "review.rejected";
    /// <summary>A review timed out and was denied; data: the review.</summary>
    public const string ReviewExpired = "review.expired";
    /// <summary>The analyzer classified a command high risk; data: session, connection, user, input, ai_analysis.</summary>
    public const string AnalysisHighRisk = "analysis.high_risk";
    /// <summary>A guardrail rule refused a command or stopped a result; data: <see cref="Vigil.Guardrails.GuardrailViolationEvent"/>
    /// <c>{session_id, connection, user, guardrail, rule, direction, matched}</c>.</summary>
    public const string GuardrailViolation = "guardrail.violation";
    /// <summary>Just-in-time access was granted; data: the access request's review.</summary>
    public const string AccessGranted = "access.granted";
    /// <summary>
    /// A result's values were masked by a data masking rule; data: session, connection, user and
    /// <c>masking_info {entity_type: count}</c> (counts only, never values).
    /// </summary>
    public const string DataMasked = "alert.data_masked";

    /// <summary>Every type, in documentation order.</summary>
    public static readonly string[] All =
    [
        SessionOpen, SessionClose, ReviewCreated, ReviewApproved, ReviewRejected, ReviewExpired, AnalysisHighRisk,
        GuardrailViolation, AccessGranted, DataMasked,
    ];
}

/// <summary>
/// Where the gateway's features publish events. <see cref="Publish"/> never blocks and never throws: the command path
/// must not wait on a webhook. Once published, an event is delivered to every subscribed endpoint at least once,
/// across restarts.
/// </summary>
public interface IEventPublisher
{
    /// <summary>Publishes <paramref name="data"/> (serialized as snake_case JSON) as an event of <paramref name="type"/>.</summary>
    void Publish(string type, object data);
}
