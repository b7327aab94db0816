using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Audit;
using Vigil.Hosting;
using Vigil.Identity.Authentication;
using Vigil.Identity.Users;

namespace Vigil.Identity.Passwords;

/// <summary>
/// Local (password) login for the web console and <c>vigil login</c>: <c>POST /api/localauth/login {email, password}</c>
/// (JSON or a form post) starts a browser session (<see cref="BrowserSessions"/>) and answers
/// <c>{user, csrf_token, expires_at}</c>; every failure is the same 401 whatever the reason (unknown e-mail, wrong
/// password, no password set, inactive account), after the same PBKDF2 work; too many attempts per e-mail or source
/// address get 429 with <c>Retry-After</c> (RFC 9110 §10.2.3). <c>POST /api/localauth/logout</c> ends the session;
/// <c>POST /api/localauth/password {current_password, new_password}</c> changes the caller's own password: the current
/// one is always required; a first password (none set yet) only from a browser session whose login is at most
/// <see cref="RecentLogin"/> old, never with an API token (an admin sets it otherwise).
/// </summary>
public static class LocalAuthEndpoints
{
    /// <summary>How recent a browser login must be to set a first password (a re-authentication window, as for sudo).</summary>
    public static readonly TimeSpan RecentLogin = TimeSpan.FromMinutes(15);

    /// <summary>Body of the login request.</summary>
    public sealed record LoginRequest(string? Email, string? Password);

    /// <summary>Body of the password change.</summary>
    public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

    /// <summary>The login response; the session id itself travels only in the HttpOnly cookie.</summary>
    public sealed record LoginResponse(UserView User, string CsrfToken, string ExpiresAt);

    /// <summary>Maps login and logout on the anonymous <c>/api</c> group.</summary>
    public static void MapLocalLoginEndpoints(this RouteGroupBuilder anonymous)
    {
        anonymous.MapPost("/localauth/login", LoginAsync).DisableAntiforgery();
        anonymous.MapPost("/localauth/logout", LogoutAsync).DisableAntiforgery();
    }

    /// <summary>Maps the password change on the authenticated <c>/api</c> group.</summary>
    public static void MapLocalPasswordEndpoints(this RouteGroupBuilder api) =>
        api.MapPost("/localauth/password", ChangePasswordAsync);

    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> LoginAsync(HttpContext http, LocalLogin login, CancellationToken ct)
    {
        LoginRequest? request;
        if (http.Request.HasFormContentType)
        {
            var form = await http.Request.ReadFormAsync(ct);
            request = new LoginRequest(form["email"], form["password"]);
        }
        else
        {
            var (body, error) = await Api.ReadBodyAsync<LoginRequest>(http.Request, ct);
            if (error is not null)
            {
                return error;
            }
            request = body;
        }
        var attempt = await login.SignInAsync(http, request!.Email, request.Password, ct);
        return attempt.Session is { } session
            ? TypedResults.Ok(new LoginResponse(UserView.From(attempt.Account!), session.CsrfToken, Storage.Rfc3339.Format(session.ExpiresAt)))
            : Api.Problem(attempt.Status, attempt.Problem!);
    }

    private static async Task<NoContent> LogoutAsync(HttpContext http, BrowserSessions sessions, CancellationToken ct)
    {
        if (http.Request.Cookies[BrowserSessions.CookieName] is { } id)
        {
            await sessions.DeleteAsync(id, ct);
        }
        BrowserSessions.ClearCookies(http);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(
        HttpContext http, UserRepository users, TimeProvider time, CancellationToken ct)
    {
        var caller = ApiAuthentication.Caller(http);
        if (caller.Kind != IdentityKind.User)
        {
            return Api.Problem(403, "service accounts authenticate with API tokens only");
        }
        var (request, error) = await Api.ReadBodyAsync<PasswordChange>(http.Request, ct);
        if (error is not null)
        {
            return error;
        }
        if (PasswordHasher.Problem(request!.NewPassword) is { } problem)
        {
            return Api.Problem(400, $"field 'new_password': {problem}");
        }
        var hash = await users.PasswordHashAsync(caller.UserId, ct);
        if (hash is null && (caller.TokenId is not null || caller.SignedInAt is not { } signedIn || time.GetUtcNow() - signedIn > RecentLogin))
        {
            // A first password is a new credential that lives forever: an API token (perhaps narrowed, expiring, or
            // stolen) must not be able to mint one, nor an old browser session; a login moments ago proved the person.
            return Api.Problem(403, $"setting a first password needs a console login within the last {RecentLogin.TotalMinutes:0} minutes (an API token cannot set one); or ask an admin (PATCH /api/users/ID {{\"password\"}})");
        }
        if (hash is not null && (request.CurrentPassword is null || !PasswordHasher.Verify(request.CurrentPassword, hash)))
        {
            return Api.Problem(403, "field 'current_password' does not match");
        }
        await users.SetPasswordHashAsync(caller.UserId, PasswordHasher.Hash(request.NewPassword!), time.GetUtcNow(), ct);
        return TypedResults.NoContent();
    }
}
