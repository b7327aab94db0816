using System.Security.Cryptography;
using System.Text;
using Vigil.Hosting;
using Vigil.Pipeline;

namespace Vigil.Identity.Authentication;

/// <summary>
/// Endpoint filter of every authenticated <c>/api</c> route. The caller is the owner of
/// <c>Authorization: Bearer TOKEN</c> (RFC 6750 §2.1) or, without one, of the <see cref="BrowserSessions"/> cookie;
/// otherwise 401 with a <c>WWW-Authenticate</c> challenge and one message for every kind of bad credential (no hint
/// whether a token exists). Cookie-authenticated state-changing requests (POST, PUT, PATCH, DELETE) also need the
/// session's CSRF token and, when the browser sends <c>Origin</c>, a same-origin one; else 403.
/// </summary>
public sealed class ApiAuthentication(CommandPipeline pipeline, BrowserSessions browserSessions) : IEndpointFilter
{
    private const string ItemKey = "vigil.identity";

    /// <summary>The authenticated caller of the current request.</summary>
    /// <exception cref="InvalidOperationException">Called on a route outside the authenticated group.</exception>
    public static CallerIdentity Caller(HttpContext context) =>
        TryCaller(context) ?? throw new InvalidOperationException("the route is not authenticated");

    /// <summary>The authenticated caller, or null when the request was not (or not yet) authenticated.</summary>
    public static CallerIdentity? TryCaller(HttpContext context) => context.Items[ItemKey] as CallerIdentity;

    /// <summary>Records <paramref name="caller"/> as the request's identity (for routes authenticated outside this filter).</summary>
    internal static void SetCaller(HttpContext context, CallerIdentity caller) => context.Items[ItemKey] = caller;

    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        CallerIdentity? caller;
        if (http.Request.Headers.Authorization.ToString().Length > 0)
        {
            caller = await pipeline.IdentifyAsync(BearerToken.Read(http.Request), http.RequestAborted);
        }
        else if (http.Request.Cookies[BrowserSessions.CookieName] is { } cookie)
        {
            var session = await browserSessions.AuthenticateAsync(cookie, http.RequestAborted);
            caller = session?.Caller;
            if (session is { } s && IsStateChanging(http.Request.Method) && await CsrfProblemAsync(http, s.CsrfToken) is { } csrf)
            {
                http.Items[ItemKey] = caller; // so the audit log names whose session the forged request rode on
                return Api.Problem(403, csrf);
            }
        }
        else
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Api.Problem(401, "missing credentials: send Authorization: Bearer TOKEN");
        }
        if (caller is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Api.Problem(401, "invalid, expired or revoked credentials");
        }
        http.Items[ItemKey] = caller;
        return await next(context);
    }

    /// <summary>True for methods that change state (RFC 9110 §9.2.1: everything but the safe methods).</summary>
    public static bool IsStateChanging(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    /// <summary>
    /// Why a cookie-authenticated state-changing request is refused: a cross-origin <c>Origin</c>, or a missing or wrong
    /// CSRF token (<see cref="BrowserSessions.CsrfHeader"/> or the <c>csrf_token</c> form field); null when it may go on.
    /// </summary>
    public static async Task<string?> CsrfProblemAsync(HttpContext http, string expected)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && (!Uri.TryCreate(origin, UriKind.Absolute, out var o) || !string.Equals(o.Authority, http.Request.Host.Value, StringComparison.OrdinalIgnoreCase)))
        {
            return "cross-origin request refused";
        }
        string? sent = http.Request.Headers[BrowserSessions.CsrfHeader];
        if (string.IsNullOrEmpty(sent) && http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            sent = form["csrf_token"];
        }
        return sent is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(expected))
            ? null
            : $"missing or invalid CSRF token: send the {BrowserSessions.CsrfHeader} header (or a csrf_token form field) with the value of the {BrowserSessions.CsrfCookieName} cookie";
    }
}
