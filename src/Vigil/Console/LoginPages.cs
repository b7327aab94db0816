using System.Buffers.Text;
using System.Security.Cryptography;
using Vigil.Hosting;
using Vigil.Identity.Authentication;
using Vigil.Identity.Oidc;
using Vigil.Identity.Passwords;
using Vigil.WebConsole.Pages;

namespace Vigil.WebConsole;

/// <summary>
/// The login page (local password through <see cref="LocalLogin"/>, the API's own login; single sign-on through the
/// OIDC flow of <see cref="OidcLoginEndpoints"/>) and logout. The login form is protected against login CSRF by a
/// double-submit token: a random value in an HttpOnly, SameSite=Strict cookie that the form must echo.
/// </summary>
public static class LoginPages
{
    /// <summary>The pre-login anti-forgery cookie (scoped to <c>/login</c>).</summary>
    public const string LoginCsrfCookie = "vigil_login_csrf";

    /// <summary>What the login page shows.</summary>
    public sealed record LoginModel(string CsrfToken, string ReturnTo, bool Oidc, string? Error);

    /// <summary>Maps <c>GET/POST /login</c> and <c>GET /login/sso</c>.</summary>
    public static void MapLoginPages(this RouteGroupBuilder pages)
    {
        pages.MapGet("/login", ShowAsync);
        pages.MapPost("/login", LoginAsync);
        pages.MapGet("/login/sso", SingleSignOnAsync);
    }

    private static async Task<IResult> ShowAsync(HttpContext http, BrowserSessions sessions, IServiceProvider services, CancellationToken ct)
    {
        var returnTo = ConsoleAuthentication.LocalPath(http.Request.Query["return_to"]);
        if (await sessions.AuthenticateAsync(http.Request.Cookies[BrowserSessions.CookieName], ct) is not null)
        {
            return TypedResults.Redirect(returnTo);
        }
        return Form(http, services, returnTo, null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> LoginAsync(HttpContext http, LocalLogin login, IServiceProvider services, CancellationToken ct)
    {
        if (!http.Request.HasFormContentType)
        {
            return TypedResults.Text("expected a form post", "text/plain; charset=utf-8", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        var form = await http.Request.ReadFormAsync(ct);
        var returnTo = ConsoleAuthentication.LocalPath(form["return_to"]);
        var expected = http.Request.Cookies[LoginCsrfCookie];
        if (string.IsNullOrEmpty(expected) || await ApiAuthentication.CsrfProblemAsync(http, expected) is not null)
        {
            return Form(http, services, returnTo, "The login form expired; please try again.", StatusCodes.Status403Forbidden);
        }
        var attempt = await login.SignInAsync(http, form["email"], form["password"], ct);
        if (attempt.Session is null)
        {
            return Form(http, services, returnTo, attempt.Problem, attempt.Status);
        }
        http.Response.Cookies.Delete(LoginCsrfCookie, new CookieOptions { Path = "/login" });
        return TypedResults.Redirect(returnTo);
    }

    private static async Task<IResult> SingleSignOnAsync(HttpContext http, IServiceProvider services, PendingLogins pending, GatewayOptions options, CancellationToken ct)
    {
        var returnTo = ConsoleAuthentication.LocalPath(http.Request.Query["return_to"]);
        if (services.GetService<OidcClient>() is not { } oidc)
        {
            return Form(http, services, returnTo, "Single sign-on is not configured on this gateway.", StatusCodes.Status404NotFound);
        }
        // The callback sends the browser back to returnTo, which LocalPath keeps on this site.
        var (url, problem) = await OidcLoginEndpoints.AuthorizationUrlAsync(http, oidc, pending, options, returnTo, ct);
        return url is not null ? TypedResults.Redirect(url) : Form(http, services, returnTo, problem!.ProblemDetails.Detail, StatusCodes.Status502BadGateway);
    }

    /// <summary>Ends the browser session (the same as <c>POST /api/localauth/logout</c>) and returns to the login page.</summary>
    public static async Task<IResult> LogoutAsync(HttpContext http, BrowserSessions sessions, CancellationToken ct)
    {
        if (http.Request.Cookies[BrowserSessions.CookieName] is { } id)
        {
            await sessions.DeleteAsync(id, ct);
        }
        BrowserSessions.ClearCookies(http);
        return TypedResults.Redirect("/login");
    }

    private static IResult Form(HttpContext http, IServiceProvider services, string returnTo, string? error, int status)
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        http.Response.Cookies.Append(LoginCsrfCookie, token, new CookieOptions
        {
            HttpOnly = true, Secure = http.Request.IsHttps, SameSite = SameSiteMode.Strict, Path = "/login", MaxAge = TimeSpan.FromHours(1),
        });
        return ConsolePage.Render<LoginPage>(new LoginModel(token, returnTo, services.GetService<OidcClient>() is not null, error), status);
    }
}
