using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;
using Vigil.Identity.Authentication;

namespace Vigil.Analytics;

/// <summary><c>GET /api/analytics/events</c> (admins and auditors): filters <c>type</c>, <c>session_id</c>, <c>start_date</c>, <c>end_date</c>; paged.</summary>
public static class AnalyticsEndpoints
{
    /// <summary>Maps the route on the authenticated <c>/api</c> group.</summary>
    public static void MapAnalyticsEndpoints(this RouteGroupBuilder api) => api.MapGet("/analytics/events", ListAsync);

    private static async Task<Results<Ok<Paged<AnalyticsEvent>>, ProblemHttpResult>> ListAsync(HttpContext http, AnalyticsLog log, CancellationToken cancellationToken)
    {
        if (!ApiAuthentication.Caller(http).CanAudit)
        {
            return Api.Problem(403, "only admins and auditors may read analytics events");
        }
        var (start, end, badDate) = Api.DateRange(http.Request);
        if (badDate is not null)
        {
            return badDate;
        }
        var (page, size) = Api.Paging(http.Request);
        var (items, total) = await log.ListAsync(Api.Query(http.Request, "type"), Api.Query(http.Request, "session_id"), start, end, page, size, cancellationToken);
        return TypedResults.Ok(new Paged<AnalyticsEvent>(items, new PageInfo(total, page, size)));
    }
}
