namespace Vigil.Connections;

/// <summary>
/// How a connection's reviews work: who decides (<see cref="ReviewGroups"/>; admins always may), how many distinct
/// reviewers must approve, how long a review waits before it expires (and how long an approval stays usable), the
/// longest just-in-time access a request may ask for, and whether native clients need such access at all or every
/// exec needs a review.
/// </summary>
/// <param name="ReviewGroups">Groups whose members may approve or reject (API <c>review_groups</c>); empty = admins only.</param>
/// <param name="MinApprovals">Distinct approvals a review needs (API <c>min_approvals</c>, 1–10; default 1).</param>
/// <param name="ReviewTimeout">Pending time before a review expires, and the window an approval stays usable (API <c>review_timeout</c>, e.g. "30m").</param>
/// <param name="MaxAccessDuration">Longest access an access request may ask for (API <c>max_access_duration</c>, default "8h").</param>
/// <param name="RequireJitForConnect">Native clients need an approved, unexpired access request (API <c>require_jit_for_connect</c>).</param>
/// <param name="RequireReviewForExec">Every exec command needs a review, whatever the analyzer says (API <c>require_review_for_exec</c>).</param>
public sealed record ReviewPolicy(
    IReadOnlyList<string> ReviewGroups,
    int MinApprovals,
    TimeSpan ReviewTimeout,
    TimeSpan MaxAccessDuration,
    bool RequireJitForConnect,
    bool RequireReviewForExec)
{
    /// <summary>Admins decide, one approval, 30 minutes, 8 hours, nothing required.</summary>
    public static readonly ReviewPolicy Default = new([], 1, TimeSpan.FromMinutes(30), TimeSpan.FromHours(8), false, false);

    /// <summary>Most approvals a connection may require.</summary>
    public const int MaxApprovals = 10;
}
