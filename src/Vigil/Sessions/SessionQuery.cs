namespace Vigil.Sessions;

/// <summary>
/// Filters of <c>GET /api/sessions</c>; null means no filter. Times compare against <c>started_at</c>. <c>User</c> is
/// the auditor's filter by user name; <c>UserId</c> limits a non-auditor to their own sessions (the same key show and
/// export check, so a re-created user with the same e-mail never sees the old one's sessions).
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
    int PageSize);
