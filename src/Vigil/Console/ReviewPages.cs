using Vigil.Reviews;
using Vigil.WebConsole.Pages;

namespace Vigil.WebConsole;

/// <summary>
/// The review queue (<c>/reviews</c>: "waiting for me" first, then every review the caller may see) and one review
/// (<c>/reviews/{id}</c>, where the links Vigil hands out lead a browser, see <see cref="ReviewLinkNegotiation"/>),
/// with approve and reject forms for those <see cref="ReviewService"/> lets decide. Decisions go through
/// <see cref="ReviewService.DecideAsync"/> exactly as <c>POST /api/reviews/{id}/approve|reject</c> do; a refusal
/// re-renders the review with the reason and the API's status (403, 404, 409).
/// </summary>
public static class ReviewPages
{
    /// <summary>Reviews per page of the "all reviews" list.</summary>
    public const int PageSize = 25;

    /// <summary>What the queue shows; <see cref="Status"/> filters the second list (null: all).</summary>
    public sealed record ReviewsModel(
        ConsoleContext Context, IReadOnlyList<Review> WaitingForMe, IReadOnlyList<Review> Reviews, long Total, int Page, string? Status, DateTimeOffset Now);

    /// <summary>What one review's page shows; <see cref="Error"/> is why a decision was just refused.</summary>
    public sealed record ReviewModel(ConsoleContext Context, Review Review, bool CanDecide, string? Error, DateTimeOffset Now);

    /// <summary>The statuses the queue's filter offers.</summary>
    public static readonly string[] Statuses =
        [ReviewStatus.Pending, ReviewStatus.Approved, ReviewStatus.Rejected, ReviewStatus.Expired, ReviewStatus.Executed, ReviewStatus.Cancelled];

    /// <summary>Maps the queue, one review and the decision posts.</summary>
    public static void MapReviewPages(this RouteGroupBuilder signedIn)
    {
        signedIn.MapGet("/reviews", ListAsync);
        signedIn.MapGet("/reviews/{id}", ShowAsync);
        signedIn.MapPost("/reviews/{id}/approve", (string id, HttpContext http, ReviewService reviews, TimeProvider time, CancellationToken ct) => DecideAsync(id, true, http, reviews, time, ct));
        signedIn.MapPost("/reviews/{id}/reject", (string id, HttpContext http, ReviewService reviews, TimeProvider time, CancellationToken ct) => DecideAsync(id, false, http, reviews, time, ct));
    }

    private static async Task<IResult> ListAsync(HttpContext http, ReviewService reviews, TimeProvider time, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        var status = http.Request.Query["status"].ToString() is { Length: > 0 } s && Statuses.Contains(s) ? s : null;
        var page = int.TryParse(http.Request.Query["page"], out var p) && p >= 1 ? p : 1;
        var (waiting, _) = await reviews.ListAsync(new ReviewQuery(null, null, null, null, context.Caller, context.Caller, 1, 100), ct);
        var (items, total) = await reviews.ListAsync(new ReviewQuery(status, null, null, null, null, context.Caller, page, PageSize), ct);
        return ConsolePage.Render<ReviewsPage>(new ReviewsModel(context, waiting, items, total, page, status, time.GetUtcNow()));
    }

    private static async Task<IResult> ShowAsync(string id, HttpContext http, ReviewService reviews, TimeProvider time, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        var review = await reviews.FindVisibleAsync(context.Caller, id, ct);
        return review is null
            ? NotFoundPage.Render(context, $"Review '{id}' was not found.")
            : ConsolePage.Render<ReviewPage>(new ReviewModel(context, review, ReviewService.CanDecide(context.Caller, review), null, time.GetUtcNow()));
    }

    private static async Task<IResult> DecideAsync(string id, bool approve, HttpContext http, ReviewService reviews, TimeProvider time, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        var form = await http.Request.ReadFormAsync(ct);
        var reason = form["reason"].ToString().Trim() is { Length: > 0 } r ? r : null;
        if (reason is { Length: > 1000 })
        {
            return await RefusedAsync(context, id, reviews, time, "The reason is longer than 1000 characters.", StatusCodes.Status400BadRequest, ct);
        }
        var result = await reviews.DecideAsync(context.Caller, id, approve, reason, ct);
        if (result.Outcome == ReviewOutcome.Ok)
        {
            return TypedResults.Redirect(ConsoleAuthentication.LocalPath(form["return_to"]) is var back && back != "/" ? back : $"/reviews/{Uri.EscapeDataString(id)}");
        }
        var status = ReviewEndpoints.Problem(result).StatusCode;
        return await RefusedAsync(context, id, reviews, time, result.Error!, status, ct);
    }

    private static async Task<IResult> RefusedAsync(ConsoleContext context, string id, ReviewService reviews, TimeProvider time, string error, int status, CancellationToken ct)
    {
        var review = await reviews.FindVisibleAsync(context.Caller, id, ct);
        return review is null
            ? NotFoundPage.Render(context, $"Review '{id}' was not found.")
            : ConsolePage.Render<ReviewPage>(new ReviewModel(context, review, ReviewService.CanDecide(context.Caller, review), error, time.GetUtcNow()), status);
    }
}
