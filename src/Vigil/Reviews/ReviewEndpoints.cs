using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Adapters.Exec;
using Vigil.Hosting;
using Vigil.Identity.Authentication;
using Vigil.Pipeline;

namespace Vigil.Reviews;

/// <summary>
/// <c>/api/reviews</c>: list (filters <c>status</c>, <c>connection</c>, <c>requester</c>, <c>type</c>,
/// <c>waiting_for_me=true</c>), show (optionally long-polling with <c>?wait=30s</c> while pending), approve, reject,
/// cancel, and execute an approved exec command. Refusals are RFC 7807 problems: 404 unknown or invisible, 403 not
/// allowed (self-approval, outside the reviewer groups, not the requester), 409 wrong state.
/// </summary>
public static class ReviewEndpoints
{
    /// <summary>Longest <c>wait</c> a show request may hold.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);

    private static readonly string[] s_statuses =
        [ReviewStatus.Pending, ReviewStatus.Approved, ReviewStatus.Rejected, ReviewStatus.Expired, ReviewStatus.Executed, ReviewStatus.Cancelled];

    /// <summary>Body of approve and reject: <c>{reason?}</c> (the body may be empty).</summary>
    public sealed record DecisionRequest(string? Reason);

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapReviewEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/reviews");
        group.MapGet("/", ListAsync);
        group.MapGet("/{id}", ShowAsync);
        group.MapPost("/{id}/approve", (string id, HttpContext http, ReviewService reviews, CancellationToken ct) => DecideAsync(id, true, http, reviews, ct));
        group.MapPost("/{id}/reject", (string id, HttpContext http, ReviewService reviews, CancellationToken ct) => DecideAsync(id, false, http, reviews, ct));
        group.MapPost("/{id}/cancel", CancelAsync);
        group.MapPost("/{id}/execute", ExecuteAsync);
    }

    /// <summary>The problem a refused review request answers with.</summary>
    public static ProblemHttpResult Problem(ReviewResult result) => result.Outcome switch
    {
        ReviewOutcome.NotFound => Api.Problem(404, result.Error!),
        ReviewOutcome.Forbidden => Api.Problem(403, result.Error!),
        _ => Api.Problem(409, result.Error!),
    };

    private static async Task<Results<Ok<Paged<Review>>, ProblemHttpResult>> ListAsync(HttpContext http, ReviewService reviews, CancellationToken cancellationToken)
    {
        var status = Api.Query(http.Request, "status");
        if (status is not null && !s_statuses.Contains(status))
        {
            return Api.Problem(400, $"query parameter 'status' must be one of {string.Join(", ", s_statuses)}");
        }
        var type = Api.Query(http.Request, "type");
        if (type is not null and not (ReviewType.OneTime or ReviewType.Jit))
        {
            return Api.Problem(400, "query parameter 'type' must be onetime or jit");
        }
        var mine = Api.Query(http.Request, "waiting_for_me");
        if (mine is not null and not ("true" or "false"))
        {
            return Api.Problem(400, "query parameter 'waiting_for_me' must be true or false");
        }
        var caller = ApiAuthentication.Caller(http);
        var (page, size) = Api.Paging(http.Request);
        var query = new ReviewQuery(
            status, Api.Query(http.Request, "connection"), Api.Query(http.Request, "requester"), type, mine == "true" ? caller : null, caller, page, size);
        var (items, total) = await reviews.ListAsync(query, cancellationToken);
        return TypedResults.Ok(new Paged<Review>(items, new PageInfo(total, page, size)));
    }

    private static async Task<Results<Ok<Review>, ProblemHttpResult>> ShowAsync(string id, HttpContext http, ReviewService reviews, CancellationToken cancellationToken)
    {
        var wait = TimeSpan.Zero;
        if (Api.Query(http.Request, "wait") is { } text && (!DurationText.TryParse(text, out wait) || wait > MaxWait))
        {
            return Api.Problem(400, $"query parameter 'wait' must be a duration up to {DurationText.Format(MaxWait)}, such as \"30s\"");
        }
        var review = await reviews.WaitAsync(ApiAuthentication.Caller(http), id, wait, cancellationToken);
        return review is null ? Problem(ReviewResult.NotFound(id)) : TypedResults.Ok(review);
    }

    private static async Task<Results<Ok<Review>, ProblemHttpResult>> DecideAsync(
        string id, bool approve, HttpContext http, ReviewService reviews, CancellationToken cancellationToken)
    {
        string? reason = null;
        if (HasBody(http.Request))
        {
            var (body, error) = await Api.ReadBodyAsync<DecisionRequest>(http.Request, cancellationToken);
            if (error is not null)
            {
                return error;
            }
            reason = string.IsNullOrWhiteSpace(body!.Reason) ? null : body.Reason.Trim();
            if (reason is { Length: > 1000 })
            {
                return Api.Problem(400, "field 'reason' is longer than 1000 characters");
            }
        }
        var result = await reviews.DecideAsync(ApiAuthentication.Caller(http), id, approve, reason, cancellationToken);
        return result.Outcome == ReviewOutcome.Ok ? TypedResults.Ok(result.Review!) : Problem(result);
    }

    private static async Task<Results<Ok<Review>, ProblemHttpResult>> CancelAsync(string id, HttpContext http, ReviewService reviews, CancellationToken cancellationToken)
    {
        var result = await reviews.CancelAsync(ApiAuthentication.Caller(http), id, cancellationToken);
        return result.Outcome == ReviewOutcome.Ok ? TypedResults.Ok(result.Review!) : Problem(result);
    }

    private static async Task<Results<Ok<ExecResponse>, Accepted<ExecResponse>, ProblemHttpResult>> ExecuteAsync(
        string id, HttpContext http, ExecService exec, CancellationToken cancellationToken)
    {
        var (wait, badWait) = ExecWait.FromQuery(http.Request);
        if (badWait is not null)
        {
            return badWait;
        }
        var (response, refusal, access) = await exec.ExecuteReviewAsync(
            ApiAuthentication.Caller(http), id, InternalRequests.ClientEndpoint(http), wait, cancellationToken);
        if (refusal is not null)
        {
            return Problem(refusal);
        }
        return access switch
        {
            SessionRefusal.None when response!.Status == ExecResponse.Running => TypedResults.Accepted($"/api/sessions/{response.Id}", response),
            SessionRefusal.None => TypedResults.Ok(response),
            SessionRefusal.ModeNotAllowed => Api.Problem(403, "the connection no longer allows one-off commands (access mode 'exec')"),
            SessionRefusal.UnknownConnection => Api.Problem(404, "the review's connection no longer exists"),
            _ => Api.Problem(403, "you may no longer use the review's connection"),
        };
    }

    private static bool HasBody(HttpRequest request) => request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
}
