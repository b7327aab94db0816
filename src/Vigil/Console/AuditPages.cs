using Vigil.Audit;
using Vigil.WebConsole.Pages;

namespace Vigil.WebConsole;

/// <summary>
/// <c>/audit</c>: the audit log for admins and auditors (403 for others, as <c>GET /api/audit/logs</c>), newest first,
/// with the API's filters (<see cref="AuditEndpoints.ParseQuery"/>: the same parameter names, so the page's export
/// links reuse its query string).
/// </summary>
public static class AuditPages
{
    /// <summary>What the page shows; <see cref="Query"/> is null when the filters were refused (<see cref="Error"/>).</summary>
    public sealed record AuditModel(ConsoleContext Context, AuditQuery? Query, IReadOnlyList<AuditLogView> Items, long Total, string QueryString, string? Error);

    /// <summary>Maps <c>/audit</c>.</summary>
    public static void MapAuditPages(this RouteGroupBuilder signedIn) =>
        signedIn.MapGet("/audit", async (HttpContext http, AuditLog log, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            if (!context.Caller.CanAudit)
            {
                return NotFoundPage.Forbidden(context, "Only admins and auditors may read the audit log.");
            }
            var (query, problem) = AuditEndpoints.ParseQuery(http.Request);
            if (problem is not null)
            {
                return ConsolePage.Render<AuditPage>(new AuditModel(context, null, [], 0, "", problem.ProblemDetails.Detail), StatusCodes.Status400BadRequest);
            }
            var (items, total) = await log.ListAsync(query!, ct);
            return ConsolePage.Render<AuditPage>(new AuditModel(context, query, items, total, http.Request.QueryString.Value ?? "", null));
        });
}
