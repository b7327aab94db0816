using Vigil.Sessions;
using Vigil.WebConsole.Pages;

namespace Vigil.WebConsole;

/// <summary>
/// <c>/</c>: the overview, activity per connection and UTC day over the last <see cref="Days"/> days (today included)
/// as a chart and as tables: sessions, blocked, high risk and reviews. Admins and auditors see everyone's; others their own sessions and reviews.
/// </summary>
public static class OverviewPages
{
    /// <summary>The period shown, in days.</summary>
    public const int Days = 7;

    /// <summary>What the overview shows.</summary>
    public sealed record OverviewModel(ConsoleContext Context, IReadOnlyList<ConnectionActivity> Activity, DateTimeOffset Since, bool Everyone)
    {
        /// <summary>The days shown, oldest first (UTC).</summary>
        public IReadOnlyList<DateOnly> Dates { get; } = [.. Enumerable.Range(0, Days).Select(d => DateOnly.FromDateTime(Since.UtcDateTime).AddDays(d))];
    }

    /// <summary>Maps <c>/</c>.</summary>
    public static void MapOverviewPages(this RouteGroupBuilder signedIn) =>
        signedIn.MapGet("/", async (HttpContext http, SessionRepository sessions, TimeProvider time, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var since = new DateTimeOffset(today.AddDays(1 - Days).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var (_, userId) = SessionQuery.Scope(context.Caller, null);
            var activity = await sessions.ActivityAsync(since, userId, ct);
            return ConsolePage.Render<OverviewPage>(new OverviewModel(context, activity, since, userId is null));
        });
}
