using System.Text.Json.Serialization;
using Vigil.Analysis;

namespace Vigil.Reviews;

/// <summary>Review statuses: <c>pending</c> until decided or timed out; <c>approved</c> until executed or its window ends.</summary>
public static class ReviewStatus
{
    /// <summary>Waiting for decisions.</summary>
    public const string Pending = "pending";
    /// <summary>Enough distinct reviewers approved; a one-time review may now run once, a just-in-time one grants access.</summary>
    public const string Approved = "approved";
    /// <summary>A reviewer rejected it; the command never runs.</summary>
    public const string Rejected = "rejected";
    /// <summary>Nobody decided in time (or an approval went unused for its window); denied.</summary>
    public const string Expired = "expired";
    /// <summary>The approved command ran (once).</summary>
    public const string Executed = "executed";
    /// <summary>The requester withdrew it.</summary>
    public const string Cancelled = "cancelled";
}

/// <summary>Review types (hoop's names): a one-time command, or just-in-time access to a connection.</summary>
public static class ReviewType
{
    /// <summary>One command, bound to its exact input.</summary>
    public const string OneTime = "onetime";
    /// <summary>Time-boxed <c>connect</c> access (an access request).</summary>
    public const string Jit = "jit";
}

/// <summary>One reviewer's decision: <c>{by, decision: approved|rejected, reason, at}</c>.</summary>
public sealed record ReviewDecision(string By, string Decision, string? Reason, string At)
{
    /// <summary>The reviewer approved.</summary>
    public const string Approved = "approved";
    /// <summary>The reviewer rejected.</summary>
    public const string Rejected = "rejected";
}

/// <summary>
/// A review as the API shows it (<c>GET /api/reviews/{id}</c>): <c>{id, type, session_id, connection, requested_by,
/// input, input_sha256, ai_analysis, reviewer_groups[], min_approvals, status, decisions[], reason, access_duration,
/// access_expires_at, created_at, updated_at, expires_at, executed_at, url}</c>. Times are RFC 3339 UTC;
/// <c>expires_at</c> is when a pending review expires, or when an approved one-time review stops being usable;
/// <c>access_duration</c> ("1h") and <c>access_expires_at</c> belong to just-in-time access requests.
/// </summary>
public sealed record Review(
    string Id,
    string Type,
    string? SessionId,
    string Connection,
    string RequestedBy,
    string Input,
    string InputSha256,
    AiAnalysis? AiAnalysis,
    IReadOnlyList<string> ReviewerGroups,
    int MinApprovals,
    string Status,
    IReadOnlyList<ReviewDecision> Decisions,
    string? Reason,
    string? AccessDuration,
    string? AccessExpiresAt,
    string CreatedAt,
    string UpdatedAt,
    string ExpiresAt,
    string? ExecutedAt,
    string? Url)
{
    /// <summary>Id of the requesting user or service account (authorization; not part of the API shape).</summary>
    [JsonIgnore]
    public string RequestedById { get; init; } = "";

    /// <summary>exec or connect: which kind of session opened a one-time review; null for access requests.</summary>
    [JsonIgnore]
    public string? SessionType { get; init; }

    /// <summary>The decision that rejected it, or null.</summary>
    [JsonIgnore]
    public ReviewDecision? Rejection => Decisions.LastOrDefault(d => d.Decision == ReviewDecision.Rejected);

    /// <summary>"review ID rejected by REVIEWER": how a refusal names the rejection (its reason goes alongside).</summary>
    [JsonIgnore]
    public string RejectedBy => $"review {Id} rejected by {Rejection?.By}";

    /// <summary>True while decisions can still change it.</summary>
    [JsonIgnore]
    public bool IsPending => Status == ReviewStatus.Pending;

    /// <summary>True when this review, as read, is already expired at <paramref name="now"/> even if the store still says otherwise.</summary>
    public bool IsLapsed(DateTimeOffset now) => Lapses(Status, Type, Storage.Rfc3339.Parse(ExpiresAt), now);

    /// <summary>
    /// The expiry rule: a pending review, or an approved one-time review nobody used, is expired once
    /// <paramref name="expiresAt"/> is not after <paramref name="now"/>.
    /// </summary>
    public static bool Lapses(string status, string type, DateTimeOffset expiresAt, DateTimeOffset now) =>
        expiresAt <= now && (status == ReviewStatus.Pending || (status == ReviewStatus.Approved && type == ReviewType.OneTime));
}

/// <summary>A review as a session or an exec response shows it: <c>{id, status, url, expires_at}</c>.</summary>
public sealed record ReviewRef(string Id, string Status, string? Url = null, string? ExpiresAt = null)
{
    /// <summary>The reference to <paramref name="review"/>.</summary>
    public static ReviewRef From(Review review) => new(review.Id, review.Status, review.Url, review.ExpiresAt);
}
