namespace Vigil.Sessions;

/// <summary>Filters of <c>GET /api/sessions</c>; null means no filter. Times compare against <c>started_at</c>.</summary>
public sealed record SessionQuery(
    string? Connection,
    string? User,
    string? Type,
    string? Status,
    string? RiskLevel,
    DateTimeOffset? StartDate,
    DateTimeOffset? EndDate,
    int Page,
    int PageSize);
