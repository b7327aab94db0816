using Vigil.Sessions;
using Vigil.WebConsole.Pages;

namespace Vigil.WebConsole;

/// <summary>
/// <c>/</c>: the overview, activity per connection over the last <see cref="Days"/> days as a chart and a table:
/// sessions, blocked, high risk and reviews. Admins and auditors see everyone's; others their own sessions and reviews.
/// </summary>
public static class OverviewPages
{
    /// <summary>The period shown, in days.</summary>
    public const int Days = 7;

    /// <summary>What the overview shows.</summary>
    public sealed record OverviewModel(ConsoleContext Context, IReadOnlyList<ConnectionActivity> Activity, DateTimeOffset Since, bool Everyone);

    /// <summary>Maps <c>/</c>.</summary>
    public static void MapOverviewPages(this RouteGroupBuilder signedIn) =>
        signedIn.MapGet("/", async (HttpContext http, SessionRepository sessions, TimeProvider time, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            var since = time.GetUtcNow().AddDays(-Days);
            var (_, userId) = SessionQuery.Scope(context.Caller, null);
            var activity = await sessions.ActivityAsync(since, userId, ct);
            return ConsolePage.Render<OverviewPage>(new OverviewModel(context, activity, since, userId is null));
        });
}
