using Vigil.Identity;

namespace Vigil.Sessions;

/// <summary>
/// Filters of <c>GET /api/sessions</c>; null means no filter. Times compare against <c>started_at</c>. <c>User</c> is
/// the auditor's filter by user name; <c>UserId</c> limits a non-auditor to their own sessions (the same key show and
/// export check, so a re-created user with the same e-mail never sees the old one's sessions). <c>Text</c> keeps the
/// sessions with a recorded statement (or exec script) that contains it, ignoring ASCII case.
/// </summary>
public sealed record SessionQuery(
    string? Connection,
    string? User,
    string? UserId,
    string? Type,
    string? Status,
    string? RiskLevel,
    DateTimeOffset? StartDate,
    DateTimeOffset? EndDate,
    int Page,
    int PageSize,
    string? Text = null)
{
    /// <summary>
    /// The user filters for <paramref name="caller"/>: an auditor may filter by <paramref name="user"/> name; anyone else
    /// is limited to their own sessions by user id, whatever they asked for.
    /// </summary>
    public static (string? User, string? UserId) Scope(CallerIdentity caller, string? user) =>
        caller.CanAudit ? (user, null) : (null, caller.UserId);

    /// <summary>True when <paramref name="caller"/> may see <paramref name="session"/>: auditors and admins all, others their own.</summary>
    public static bool Visible(CallerIdentity caller, SessionView session) => caller.CanAudit || session.UserId == caller.UserId;
}
