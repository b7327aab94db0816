using Vigil.Analysis;
using Vigil.Connections;
using Vigil.Hosting;
using Vigil.Identity;
using Vigil.Pipeline;
using Vigil.Sessions;
using Vigil.Webhooks;

namespace Vigil.Reviews;

/// <summary>How a review request went; <see cref="ReviewResult.Error"/> is the readable reason for a refusal.</summary>
public enum ReviewOutcome
{
    /// <summary>Done; the review is in the result.</summary>
    Ok,
    /// <summary>No such review, or the caller may not see it.</summary>
    NotFound,
    /// <summary>The caller may see the review but not do this to it.</summary>
    Forbidden,
    /// <summary>The review's state does not allow it (already decided, expired, executed…).</summary>
    Conflict,
}

/// <summary>The outcome of a review request, with the review as it stands afterwards.</summary>
public sealed record ReviewResult(ReviewOutcome Outcome, Review? Review, string? Error = null)
{
    /// <summary>No review <paramref name="id"/> the caller may see.</summary>
    public static ReviewResult NotFound(string id) => new(ReviewOutcome.NotFound, null, $"review '{id}' not found");
}

/// <summary>
/// The review rules: who may see and decide a review (reviewer groups or admins, never the requester), what each
/// decision does, expiry, and the effects of a change: the events (<c>review.*</c>, <c>access.granted</c>), waking
/// waiters, and the final status of an exec session whose command was rejected or expired.
/// </summary>
public sealed class ReviewService(
    ReviewRepository repository, ReviewSignals signals, SessionRecorder recorder, SessionCloser closer, IEventPublisher events, GatewayLinks links, TimeProvider time)
{
    /// <summary>Opens the review of a command that needs approval, with the connection's reviewers and timeout.</summary>
    public Task<Review> OpenCommandReviewAsync(SessionContext session, string input, AiAnalysis? analysis, CancellationToken cancellationToken)
    {
        var policy = session.Connection.Reviews;
        return CreateAsync(new NewReview(
            ReviewType.OneTime, session.Id, session.Type.Name(), session.Connection.Name, session.Identity.UserId,
            session.Identity.Name, input, analysis, policy.ReviewGroups, policy.MinApprovals, policy.ReviewTimeout, null, null), cancellationToken);
    }

    /// <summary>Opens an access request: <paramref name="duration"/> of <c>connect</c> access once approved.</summary>
    public Task<Review> RequestAccessAsync(CallerIdentity caller, Connection connection, TimeSpan duration, string reason, CancellationToken cancellationToken)
    {
        var policy = connection.Reviews;
        return CreateAsync(new NewReview(
            ReviewType.Jit, null, null, connection.Name, caller.UserId, caller.Name, $"connect {connection.Name} for {DurationText.Format(duration)}",
            null, policy.ReviewGroups, policy.MinApprovals, policy.ReviewTimeout, reason, duration), cancellationToken);
    }

    /// <summary>The review when <paramref name="caller"/> may see it: auditors, the requester, and those who may decide it.</summary>
    public async Task<Review?> FindVisibleAsync(CallerIdentity caller, string id, CancellationToken cancellationToken)
    {
        var review = await ReadAsync(id, cancellationToken);
        return review is not null && (caller.CanAudit || review.RequestedById == caller.UserId || IsReviewer(caller, review)) ? WithUrl(review) : null;
    }

    /// <summary>
    /// A page of reviews (<see cref="ReviewQuery"/>), with links. Reviews past their deadline are expired first, so a
    /// <c>status</c> filter and the statuses shown agree with the clock, not with the last sweep.
    /// </summary>
    public async Task<(IReadOnlyList<Review> Items, long Total)> ListAsync(ReviewQuery query, CancellationToken cancellationToken)
    {
        await ExpireDueAsync(cancellationToken);
        var (items, total) = await repository.ListAsync(query, cancellationToken);
        return (items.Select(WithUrl).ToList(), total);
    }

    /// <summary>
    /// Records <paramref name="caller"/>'s approval or rejection. Refused for the requester (no self-approval), for
    /// callers outside the reviewer groups (admins excepted), for a second decision by the same reviewer and for a
    /// review that is no longer pending (including one that expired a moment ago).
    /// </summary>
    public async Task<ReviewResult> DecideAsync(CallerIdentity caller, string id, bool approve, string? reason, CancellationToken cancellationToken)
    {
        var review = await FindVisibleAsync(caller, id, cancellationToken);
        if (review is null)
        {
            return ReviewResult.NotFound(id);
        }
        if (review.RequestedById == caller.UserId)
        {
            return new(ReviewOutcome.Forbidden, review, approve
                ? "you cannot approve your own review"
                : "you cannot reject your own review; cancel it with POST /api/reviews/{id}/cancel");
        }
        if (!IsReviewer(caller, review))
        {
            return new(ReviewOutcome.Forbidden, review, review.ReviewerGroups.Count == 0
                ? "only admins may decide reviews of this connection"
                : $"only members of {string.Join(", ", review.ReviewerGroups.Select(g => $"'{g}'"))} (or admins) may decide this review");
        }
        var decision = approve ? ReviewDecision.Approved : ReviewDecision.Rejected;
        var (change, after) = await repository.DecideAsync(id, caller.UserId, caller.Name, decision, reason, time.GetUtcNow(), cancellationToken);
        return Conclude(review, change, after, "decide");
    }

    /// <summary>Withdraws a pending review; only its requester may.</summary>
    public async Task<ReviewResult> CancelAsync(CallerIdentity caller, string id, CancellationToken cancellationToken)
    {
        var review = await FindVisibleAsync(caller, id, cancellationToken);
        if (review is null)
        {
            return ReviewResult.NotFound(id);
        }
        if (review.RequestedById != caller.UserId)
        {
            return new(ReviewOutcome.Forbidden, review, "only the requester may cancel a review");
        }
        var (change, after) = await repository.CancelAsync(id, time.GetUtcNow(), cancellationToken);
        return Conclude(review, change, after, "cancel");
    }

    /// <summary>
    /// Takes the single use of an approved one-time <paramref name="review"/> (as <see cref="FindVisibleAsync"/> gave it
    /// to <paramref name="caller"/>) for its requester: the exec <c>execute</c> route. Conflict when it is not approved,
    /// was already executed or its approval lapsed.
    /// </summary>
    public async Task<ReviewResult> ClaimAsync(CallerIdentity caller, Review review, CancellationToken cancellationToken)
    {
        if (review.RequestedById != caller.UserId)
        {
            return new(ReviewOutcome.Forbidden, review, "only the requester may execute a reviewed command");
        }
        if (review.Type != ReviewType.OneTime || !SessionTypes.IsOneOff(review.SessionType))
        {
            return new(ReviewOutcome.Conflict, review, "only reviews of exec commands are executed; an approved statement of a native client runs when the client sends it again");
        }
        var (change, after) = await repository.ClaimAsync(review.Id, time.GetUtcNow(), cancellationToken);
        return Conclude(review, change, after, "execute");
    }

    /// <summary>
    /// Claims an approved review of exactly <paramref name="input"/> by the session's identity on its connection
    /// (binding by SHA-256); null when none is usable.
    /// </summary>
    public async Task<Review?> ClaimBindingAsync(SessionContext session, string input, CancellationToken cancellationToken)
    {
        var review = await repository.ClaimBindingAsync(session.Connection.Name, session.Identity.UserId, input, time.GetUtcNow(), cancellationToken);
        if (review is not null)
        {
            signals.Changed(review.Id);
        }
        return review is null ? null : WithUrl(review);
    }

    /// <summary>Expires every review whose time ran out; called by <see cref="ReviewExpiry"/>.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken cancellationToken)
    {
        var expired = await repository.ExpireDueAsync(time.GetUtcNow(), cancellationToken);
        foreach (var review in expired)
        {
            Publish(WithUrl(review));
        }
        return expired.Count;
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for <paramref name="id"/> to leave <c>pending</c>; returns the review as it
    /// then stands, or null when the caller may not see it.
    /// </summary>
    public async Task<Review?> WaitAsync(CallerIdentity caller, string id, TimeSpan timeout, CancellationToken cancellationToken) =>
        await FindVisibleAsync(caller, id, cancellationToken) is null ? null : await WaitForDecisionAsync(id, timeout, cancellationToken);

    /// <summary>As <see cref="WaitAsync"/>, for the gateway itself (a held statement): no visibility check.</summary>
    public async Task<Review?> WaitForDecisionAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var changed = signals.Next(id);
        var review = await ReadAsync(id, cancellationToken);
        if (review is null || !review.IsPending || timeout <= TimeSpan.Zero)
        {
            return review is null ? null : WithUrl(review);
        }
        // The review's own deadline bounds the wait as well: the read after it expires the review (timers may fire a
        // little early, hence the margin).
        var untilExpiry = Storage.Rfc3339.Parse(review.ExpiresAt) - time.GetUtcNow() + TimeSpan.FromMilliseconds(50);
        var wait = untilExpiry < timeout ? untilExpiry : timeout;
        try
        {
            await changed.WaitAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        return await ReadAsync(id, cancellationToken);
    }

    /// <summary>
    /// The review as it stands now, with its link: one whose deadline has passed reads as <c>expired</c> even before
    /// the sweep got to it (e.g. right after a restart), and this read persists that and publishes the expiry, once.
    /// </summary>
    private async Task<Review?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        var review = await repository.FindAsync(id, cancellationToken);
        var now = time.GetUtcNow();
        if (review is null || !review.IsLapsed(now))
        {
            return review is null ? null : WithUrl(review);
        }
        var (change, after) = await repository.ExpireAsync(id, now, cancellationToken);
        if (after is null)
        {
            return null;
        }
        var expired = WithUrl(after);
        // Only the caller whose transaction moved it publishes; a sweep or read that raced us saw it expired already.
        if (change == ReviewChange.Done)
        {
            Publish(expired);
            if (SessionTypes.IsOneOff(expired.SessionType) && expired.SessionId is not null)
            {
                // The exec session's end is recorded asynchronously: whoever reads the review expired reads its session
                // ended too, not waiting_review.
                await recorder.FlushAsync(cancellationToken);
            }
        }
        return expired;
    }

    /// <summary>
    /// True when <paramref name="caller"/> is an admin or in one of the review's groups, with a credential not narrowed
    /// away from the review's connection (deciding acts on the connection: it runs the command or grants access).
    /// </summary>
    public static bool IsReviewer(CallerIdentity caller, Review review) =>
        caller.TokenAllows(review.Connection) && (caller.IsAdmin || review.ReviewerGroups.Any(g => caller.Groups.Contains(g, StringComparer.Ordinal)));

    /// <summary>
    /// True when <see cref="DecideAsync"/> would let <paramref name="caller"/> decide <paramref name="review"/> now (as far as
    /// the review as read tells): it is pending, not the caller's own, the caller is a reviewer and has not decided yet.
    /// </summary>
    public static bool CanDecide(CallerIdentity caller, Review review) =>
        review.IsPending && review.RequestedById != caller.UserId && IsReviewer(caller, review)
        && !review.Decisions.Any(d => string.Equals(d.By, caller.Name, StringComparison.Ordinal));

    private async Task<Review> CreateAsync(NewReview request, CancellationToken cancellationToken)
    {
        var review = WithUrl(await repository.CreateAsync(request, time.GetUtcNow(), cancellationToken));
        events.Publish(GatewayEventTypes.ReviewCreated, Redacted(review));
        return review;
    }

    private ReviewResult Conclude(Review before, ReviewChange change, Review? after, string action)
    {
        if (change == ReviewChange.NotFound)
        {
            return ReviewResult.NotFound(before.Id);
        }
        var review = WithUrl(after!);
        if (review.Status != before.Status)
        {
            Publish(review);
        }
        if (change == ReviewChange.AlreadyDecided)
        {
            return new(ReviewOutcome.Conflict, review, "you already decided this review");
        }
        // A review found past its deadline is expired by the very request that touched it: a conflict, not a success.
        return change == ReviewChange.Conflict || review.Status == ReviewStatus.Expired
            ? new(ReviewOutcome.Conflict, review, $"cannot {action}: review '{review.Id}' is {review.Status}")
            : new(ReviewOutcome.Ok, review);
    }

    /// <summary>The review as webhook payloads carry it: passwords in its command removed (<see cref="StatementRedaction"/>).</summary>
    private static Review Redacted(Review review) =>
        review with { Input = StatementRedaction.Redact(review.Input), AiAnalysis = StatementRedaction.Redact(review.AiAnalysis) };

    /// <summary>The effects of a status change: the event, waking waiters, the exec session's final status.</summary>
    private void Publish(Review review)
    {
        signals.Changed(review.Id);
        var type = review.Status switch
        {
            ReviewStatus.Approved => GatewayEventTypes.ReviewApproved,
            ReviewStatus.Rejected => GatewayEventTypes.ReviewRejected,
            ReviewStatus.Expired => GatewayEventTypes.ReviewExpired,
            _ => null,
        };
        if (type is not null)
        {
            events.Publish(type, Redacted(review));
        }
        if (review.Status == ReviewStatus.Approved && review.Type == ReviewType.Jit)
        {
            events.Publish(GatewayEventTypes.AccessGranted, Redacted(review));
        }
        if (SessionTypes.IsOneOff(review.SessionType) && review.SessionId is { } sessionId
            && review.Status is ReviewStatus.Rejected or ReviewStatus.Expired or ReviewStatus.Cancelled)
        {
            var (status, reason) = review.Status switch
            {
                ReviewStatus.Rejected => (SessionStatus.Rejected, review.RejectedBy + (review.Rejection?.Reason is { } why ? $": {why}" : "")),
                ReviewStatus.Cancelled => (SessionStatus.Rejected, $"review {review.Id} cancelled by the requester"),
                _ => (SessionStatus.Expired, $"review {review.Id} expired without being executed"),
            };
            closer.CloseEnded(sessionId, review.SessionType!, review.Connection, review.RequestedBy, review.AiAnalysis, status, 3, reason);
        }
    }

    private Review WithUrl(Review review) => review with { Url = links.Review(review.Id) };
}
