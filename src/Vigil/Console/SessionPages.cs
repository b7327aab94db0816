using System.Globalization;
using Vigil.Analysis;
using Vigil.Pipeline;
using Vigil.Reviews;
using Vigil.Sessions;
using Vigil.Storage;
using Vigil.WebConsole.Pages;

namespace Vigil.WebConsole;

/// <summary>
/// The sessions list (<c>/sessions</c>, the API's filters and visibility through <see cref="SessionQuery"/>) and one
/// session's detail (<c>/sessions/{id}</c>: its analysis, review and a paged timeline read a page at a time with
/// <see cref="SessionRepository.EventPageAsync"/>, so a session of 100,000 statements loads as fast as one of ten).
/// </summary>
public static class SessionPages
{
    /// <summary>Sessions per list page.</summary>
    public const int ListPageSize = 25;

    /// <summary>Timeline events per detail page.</summary>
    public const int TimelinePageSize = 50;

    /// <summary>
    /// The list filters as typed in the form (query parameters <c>connection, user, type, status, risk_level, from, to,
    /// text, page</c>); empty fields are null. <c>from</c>/<c>to</c> are RFC 3339 or the form's <c>YYYY-MM-DDTHH:MM</c>, in UTC.
    /// </summary>
    public sealed record SessionFilter(
        string? Connection, string? User, string? Type, string? Status, string? RiskLevel, string? From, string? To, string? Text, int Page);

    /// <summary>What the sessions list shows.</summary>
    public sealed record SessionsModel(
        ConsoleContext Context, SessionFilter Filter, IReadOnlyList<SessionView> Items, long Total, int PageSize, string? Error, IReadOnlyList<string> Types);

    /// <summary>What the session detail shows: the session without events, one page of its timeline, its review.</summary>
    public sealed record SessionModel(
        ConsoleContext Context, SessionView Session, IReadOnlyList<SessionEventView> Events, int Page, int PageSize, Review? Review, DateTimeOffset Now);

    /// <summary>Maps <c>/sessions</c> and <c>/sessions/{id}</c>.</summary>
    public static void MapSessionPages(this RouteGroupBuilder signedIn)
    {
        signedIn.MapGet("/sessions", ListAsync);
        signedIn.MapGet("/sessions/{id}", ShowAsync);
    }

    /// <summary>The session types the filter offers: every type the gateway records.</summary>
    public static IReadOnlyList<string> Types { get; } = Enum.GetValues<SessionType>().Select(t => t.Name()).Distinct().ToList();

    private static async Task<IResult> ListAsync(HttpContext http, SessionRepository sessions, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        var q = http.Request.Query;
        string? Field(string name) => q[name].ToString().Trim() is { Length: > 0 } v ? v : null;
        var filter = new SessionFilter(
            Field("connection"), Field("user"), Field("type"), Field("status"), Field("risk_level")?.ToLowerInvariant(), Field("from"), Field("to"), Field("text"),
            int.TryParse(q["page"], out var p) && p >= 1 ? p : 1);
        string? error = null;
        DateTimeOffset? from = null, to = null;
        if (filter.Type is not null && !Types.Contains(filter.Type))
        {
            error = $"Type must be one of {string.Join(", ", Types)}.";
        }
        else if (filter.Status is not null && !SessionStatus.All.Contains(filter.Status))
        {
            error = $"Status must be one of {string.Join(", ", SessionStatus.All)}.";
        }
        else if (filter.RiskLevel is not null && !RiskLevels.TryParse(filter.RiskLevel, out _))
        {
            error = "Risk level must be low, medium or high.";
        }
        else if (filter.From is not null && (from = ParseTime(filter.From)) is null)
        {
            error = "'From' must be a time such as 2026-01-31T09:00 (UTC).";
        }
        else if (filter.To is not null && (to = ParseTime(filter.To)) is null)
        {
            error = "'To' must be a time such as 2026-01-31T18:00 (UTC).";
        }
        if (error is not null)
        {
            return ConsolePage.Render<SessionsPage>(new SessionsModel(context, filter, [], 0, ListPageSize, error, Types), StatusCodes.Status400BadRequest);
        }
        var (user, userId) = SessionQuery.Scope(context.Caller, filter.User);
        var query = new SessionQuery(filter.Connection, user, userId, filter.Type, filter.Status, filter.RiskLevel, from, to, filter.Page, ListPageSize, filter.Text);
        var (items, total) = await sessions.ListAsync(query, ct);
        return ConsolePage.Render<SessionsPage>(new SessionsModel(context, filter, items, total, ListPageSize, null, Types));
    }

    private static async Task<IResult> ShowAsync(string id, HttpContext http, SessionRepository sessions, ReviewService reviews, TimeProvider time, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        var session = await sessions.FindSummaryAsync(id, ct);
        if (session is null || !SessionQuery.Visible(context.Caller, session))
        {
            return NotFoundPage.Render(context, $"Session '{id}' was not found.");
        }
        var lastPage = Math.Max(1, (session.EventCount + TimelinePageSize - 1) / TimelinePageSize);
        var page = Math.Clamp(int.TryParse(http.Request.Query["page"], out var p) ? p : 1, 1, lastPage);
        var events = await sessions.EventPageAsync(id, (page - 1) * TimelinePageSize, TimelinePageSize, ct);
        var review = session.Review is { } reference ? await reviews.FindVisibleAsync(context.Caller, reference.Id, ct) : null;
        return ConsolePage.Render<SessionPage>(new SessionModel(context, session, events, page, TimelinePageSize, review, time.GetUtcNow()));
    }

    private static DateTimeOffset? ParseTime(string text) =>
        Rfc3339.TryParse(text, out var value) ? value
        : DateTime.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"], CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var local) ? new DateTimeOffset(local, TimeSpan.Zero)
        : null;
}
