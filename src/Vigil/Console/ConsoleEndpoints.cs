using Vigil.Audit;

namespace Vigil.WebConsole;

/// <summary>
/// The web console's routes on the gateway's HTTP listener, at the site root (the API stays under <c>/api</c>):
/// <c>/login</c>, <c>/logout</c>, <c>/</c> (overview), <c>/sessions</c>, <c>/sessions/{id}</c>, <c>/reviews</c>,
/// <c>/reviews/{id}</c> (+ <c>/approve</c>, <c>/reject</c>), <c>/connections</c>, <c>/policies</c> (+ <c>/try</c> and the forms of <see cref="PolicyEditPages"/>), <c>/audit</c>, <c>/users</c>, <c>/service-accounts</c>, <c>/groups</c>, <c>/tokens</c> (<see cref="IdentityPages"/>), <c>/events</c> (server-sent events) and <c>/assets/{name}</c>.
/// Every page gets <see cref="SecurityHeaders"/>; signed-in pages go through <see cref="ConsoleAuthentication"/> and
/// their form posts through the <see cref="AuditRecorder"/> like API writes. A new page is a handler plus a component
/// under <c>Console/Pages</c>, mapped on <c>signedIn</c> here.
/// </summary>
public static class ConsoleEndpoints
{
    /// <summary>Maps the console (its routes do not overlap the API's; the review-link redirect runs before any endpoint).</summary>
    public static WebApplication MapConsole(this WebApplication app)
    {
        app.UseMiddleware<ReviewLinkNegotiation>();
        var events = app.Services.GetRequiredService<ConsoleEvents>();
        app.Services.GetRequiredService<Sessions.SessionRecorder>().EventAppended += () => events.Signal(ConsoleEvents.Timeline);
        app.MapConsoleAssets();
        var pages = app.MapGroup("").AddEndpointFilter<SecurityHeaders>().ExcludeFromDescription();
        pages.MapLoginPages();
        // Logging out changes nothing the audit log tracks (the API's logout is not audited either).
        pages.MapGroup("").AddEndpointFilter<ConsoleAuthentication>().MapPost("/logout", LoginPages.LogoutAsync);
        var signedIn = pages.MapGroup("").AddEndpointFilter<AuditRecorder>().AddEndpointFilter<ConsoleAuthentication>();
        signedIn.MapOverviewPages();
        signedIn.MapSessionPages();
        signedIn.MapReviewPages();
        signedIn.MapConnectionPages();
        signedIn.MapPolicyPages();
        signedIn.MapPolicyEditPages();
        signedIn.MapAuditPages();
        signedIn.MapIdentityPages();
        signedIn.MapGet("/events", LiveEvents.StreamAsync);
        return app;
    }
}
