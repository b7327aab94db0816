using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Identity;
using Vigil.Identity.Authentication;

namespace Vigil.WebConsole;

/// <summary>
/// Endpoint filter of the console's signed-in pages. The caller is the owner of the browser-session cookie
/// (<see cref="BrowserSessions"/>, the same session the API accepts); without a valid one a page answers
/// <c>302 Found</c> to <c>/login?return_to=PATH</c>. A state-changing request (a form post) must carry the
/// session's CSRF token in its <c>csrf_token</c> field and, when the browser sends <c>Origin</c>, be same-origin
/// (<see cref="ApiAuthentication.CsrfProblemAsync"/>, the API's own check); else 403. The caller is recorded where the
/// API's filters look for it, so the audit log names who acted.
/// </summary>
public sealed class ConsoleAuthentication(BrowserSessions sessions) : IEndpointFilter
{
    private const string CsrfKey = "vigil.console.csrf";

    /// <summary>The signed-in caller and the CSRF token the page's forms must echo.</summary>
    /// <exception cref="InvalidOperationException">Called on a route outside the signed-in group.</exception>
    public static (CallerIdentity Caller, string CsrfToken) Current(HttpContext http) =>
        (ApiAuthentication.Caller(http), http.Items[CsrfKey] as string ?? throw new InvalidOperationException("the route is not signed in"));

    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var session = await sessions.AuthenticateAsync(http.Request.Cookies[BrowserSessions.CookieName], http.RequestAborted);
        if (session is not { } signedIn)
        {
            return ToLogin(http);
        }
        ApiAuthentication.SetCaller(http, signedIn.Caller);
        http.Items[CsrfKey] = signedIn.CsrfToken;
        if (ApiAuthentication.IsStateChanging(http.Request.Method) && await ApiAuthentication.CsrfProblemAsync(http, signedIn.CsrfToken) is { } problem)
        {
            return TypedResults.Text(problem, "text/plain; charset=utf-8", statusCode: StatusCodes.Status403Forbidden);
        }
        return await next(context);
    }

    /// <summary>The redirect to the login page that returns to the requested page afterwards.</summary>
    public static RedirectHttpResult ToLogin(HttpContext http)
    {
        var back = http.Request.Path + http.Request.QueryString;
        return TypedResults.Redirect("/login" + (back == "/" || !HttpMethods.IsGet(http.Request.Method) ? "" : "?return_to=" + Uri.EscapeDataString(back)));
    }

    /// <summary>
    /// <paramref name="returnTo"/> when it is a path on this site (<c>/…</c> but not <c>//…</c> or <c>/\…</c>, which
    /// browsers read as another host, and without control characters, which browsers drop from a URL so that
    /// <c>/&#x9;/host</c> becomes <c>//host</c>), else <c>/</c>: a login link must not redirect elsewhere (open redirect).
    /// </summary>
    public static string LocalPath(string? returnTo) =>
        returnTo is { Length: > 0 } path && path[0] == '/' && (path.Length == 1 || (path[1] != '/' && path[1] != '\\'))
        && !path.Contains("://", StringComparison.Ordinal) && !path.Any(char.IsControl)
            ? path
            : "/";
}
