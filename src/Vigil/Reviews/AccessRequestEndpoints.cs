using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Connections;
using Vigil.Hosting;
using Vigil.Identity.Authentication;

namespace Vigil.Reviews;

/// <summary>
/// <c>POST /api/access-requests {connection, duration, reason}</c>: asks for just-in-time <c>connect</c> access to a
/// connection for <c>duration</c> ("1h"; at most the connection's <c>max_access_duration</c>). It is a review of type
/// <c>jit</c>, decided through <c>/api/reviews</c>; once approved the requester's native clients may connect until
/// <c>access_expires_at</c>, when their open sessions are closed. <c>GET /api/access-requests</c> lists them.
/// </summary>
public static class AccessRequestEndpoints
{
    /// <summary>The request body.</summary>
    public sealed record AccessRequest(string? Connection, string? Duration, string? Reason);

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapAccessRequestEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/access-requests");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
    }

    private static async Task<Results<Created<Review>, ProblemHttpResult>> CreateAsync(
        HttpContext http, ConnectionRepository connections, ReviewService reviews, CancellationToken cancellationToken)
    {
        var (request, error) = await Api.ReadBodyAsync<AccessRequest>(http.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        if (string.IsNullOrWhiteSpace(request!.Connection))
        {
            return Api.Problem(400, "missing field 'connection'");
        }
        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            return Api.Problem(400, "missing field 'reason': say why you need access");
        }
        if (request.Reason.Length > 1000)
        {
            return Api.Problem(400, "field 'reason' is longer than 1000 characters");
        }
        if (!DurationText.TryParse(request.Duration, out var duration))
        {
            return Api.Problem(400, "field 'duration' must be a duration such as \"1h\" or \"30m\"");
        }
        var caller = ApiAuthentication.Caller(http);
        var connection = await connections.FindAsync(request.Connection, cancellationToken);
        if (connection is null || !ConnectionAccess.CanSee(caller, connection))
        {
            return Api.Problem(404, $"connection '{request.Connection}' not found");
        }
        if (!ConnectionAccess.AllowsMode(connection, Pipeline.SessionType.Connect))
        {
            return Api.Problem(400, $"connection '{connection.Name}' does not allow native clients (access mode 'connect')");
        }
        if (duration > connection.Reviews.MaxAccessDuration)
        {
            return Api.Problem(400, $"field 'duration': at most {DurationText.Format(connection.Reviews.MaxAccessDuration)} (the connection's max_access_duration)");
        }
        var review = await reviews.RequestAccessAsync(caller, connection, duration, request.Reason.Trim(), cancellationToken);
        return TypedResults.Created($"/api/reviews/{review.Id}", review);
    }

    private static async Task<Ok<Paged<Review>>> ListAsync(HttpContext http, ReviewService reviews, CancellationToken cancellationToken)
    {
        var caller = ApiAuthentication.Caller(http);
        var (page, size) = Api.Paging(http.Request);
        var query = new ReviewQuery(Api.Query(http.Request, "status"), Api.Query(http.Request, "connection"), caller.Name, ReviewType.Jit, null, caller, page, size);
        var (items, total) = await reviews.ListAsync(query, cancellationToken);
        return TypedResults.Ok(new Paged<Review>(items, new PageInfo(total, page, size)));
    }
}
