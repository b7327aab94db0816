namespace Vigil.Audit;

/// <summary>
/// Filters of <c>GET /api/audit/logs</c> and its export; null means no filter. Text filters match exactly;
/// <paramref name="StartDate"/> and <paramref name="EndDate"/> are inclusive bounds on <c>at</c>.
/// <paramref name="Page"/> counts from 1; <paramref name="PageSize"/> is ignored by the export, which returns every match.
/// </summary>
public sealed record AuditQuery(
    string? Actor = null,
    string? Action = null,
    string? ResourceType = null,
    string? Resource = null,
    string? Outcome = null,
    DateTimeOffset? StartDate = null,
    DateTimeOffset? EndDate = null,
    int Page = 1,
    int PageSize = 50);
