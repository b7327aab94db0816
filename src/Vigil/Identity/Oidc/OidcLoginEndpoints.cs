using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Vigil.Audit;
using Vigil.Hosting;
using Vigil.Identity.Authentication;
using Vigil.Identity.Groups;
using Vigil.Identity.Tokens;
using Vigil.Identity.Users;

namespace Vigil.Identity.Oidc;

/// <summary>
/// OIDC login (authorization code flow with PKCE) on the anonymous <c>/api</c> group, with hoop's route names:
/// <list type="bullet">
/// <item><c>GET /api/login[?redirect=http://127.0.0.1:PORT/…]</c> → <c>{login_url}</c>: the provider's authorization URL.
/// <c>redirect</c>, used by <c>vigil login</c>, must be a loopback HTTP URL (RFC 8252 §7.3), so a token is never sent elsewhere.</item>
/// <item><c>GET /api/callback?code&amp;state</c>: the provider's redirect. Validates (via <see cref="OidcClient"/>), finds the
/// user by linked subject, then by e-mail, or creates it; maps the groups claim. Then either redirects to the CLI's
/// loopback URL with <c>?token=vgl_…</c> (a new API token) or starts a browser session and redirects to the console page
/// the login started from (a path on this site, re-checked by <see cref="Vigil.WebConsole.ConsoleAuthentication.LocalPath"/>), else <c>/</c>.
/// Failures redirect the CLI with <c>?error=…</c>, or answer the browser 401/400 with the reason.</item>
/// </list>
/// Both answer 404 when OIDC is not configured.
/// </summary>
public static class OidcLoginEndpoints
{
    /// <summary>The answer of <c>GET /api/login</c>.</summary>
    public sealed record LoginUrlResponse(string LoginUrl);

    /// <summary>Maps the routes on the anonymous group.</summary>
    public static void MapOidcLoginEndpoints(this RouteGroupBuilder anonymous)
    {
        anonymous.MapGet("/login", StartAsync);
        anonymous.MapGet("/callback", CallbackAsync);
    }

    private static async Task<Results<Ok<LoginUrlResponse>, ProblemHttpResult>> StartAsync(
        HttpContext http, IServiceProvider services, PendingLogins pending, GatewayOptions options, CancellationToken ct)
    {
        if (services.GetService<OidcClient>() is not { } oidc)
        {
            return NotConfigured();
        }
        var redirect = http.Request.Query["redirect"].ToString();
        if (redirect.Length > 0 && !IsLoopback(redirect))
        {
            return Api.Problem(400, "query parameter 'redirect' must be a loopback URL such as http://127.0.0.1:PORT/callback");
        }
        var (url, problem) = await AuthorizationUrlAsync(http, oidc, pending, options, redirect.Length > 0 ? redirect : null, ct);
        if (problem is not null)
        {
            return problem;
        }
        return TypedResults.Ok(new LoginUrlResponse(url!));
    }

    /// <summary>
    /// Starts a login at the provider: the authorization URL to send the browser to (its state saved in
    /// <see cref="PendingLogins"/>), or a 502 problem when the provider is unreachable. <paramref name="redirect"/> is the
    /// CLI's loopback URL (absolute), or for a browser login that ends in a console session the page to return to (a
    /// path starting with <c>/</c>) or null for <c>/</c>.
    /// </summary>
    public static async Task<(string? Url, ProblemHttpResult? Problem)> AuthorizationUrlAsync(
        HttpContext http, OidcClient oidc, PendingLogins pending, GatewayOptions options, string? redirect, CancellationToken ct)
    {
        try
        {
            var request = await oidc.CreateAuthorizationRequestAsync(CallbackUrl(http, options), ct);
            await pending.SaveAsync(request, redirect, ct);
            return (request.Url, null);
        }
        catch (OidcException e)
        {
            return (null, Api.Problem(502, $"the identity provider is unavailable: {e.Message}"));
        }
    }

    private static async Task<IResult> CallbackAsync(
        HttpContext http, IServiceProvider services, PendingLogins pending, UserRepository users, TokenService tokens,
        BrowserSessions sessions, GroupRepository groups, AuditLog audit, GatewayOptions options, TimeProvider time, CancellationToken ct)
    {
        if (services.GetService<OidcClient>() is not { } oidc)
        {
            return NotConfigured();
        }
        var query = http.Request.Query;
        var login = query["state"].ToString() is { Length: > 0 and <= 128 } state ? await pending.TakeAsync(state, ct) : null;
        if (login is not { } found)
        {
            return Api.Problem(400, "unknown or expired login; start again");
        }
        var (request, redirect) = found;
        string? problem = null;
        UserAccount? account = null;
        if (query["error"].ToString() is { Length: > 0 } error)
        {
            problem = $"the identity provider refused the login: {error}";
        }
        else
        {
            try
            {
                var identity = await oidc.CompleteAsync(query["code"].ToString(), request, CallbackUrl(http, options), ct);
                (account, problem) = await ProvisionAsync(identity, options, users, groups, time, ct);
            }
            catch (OidcException e)
            {
                problem = e.Message;
            }
        }
        var address = http.Connection.RemoteIpAddress?.ToString();
        await audit.AppendAsync(new AuditEntry(
            time.GetUtcNow(), account?.Id, account?.DisplayName ?? "anonymous", "login", "oidc", account?.DisplayName,
            problem is null ? "success" : "failure", problem is null ? 302 : 401, address, problem is null ? null : $"{{\"error\":{System.Text.Json.JsonSerializer.Serialize(problem)}}}"), ct);
        // The console stores the page to return to (a site path) where the CLI stores its loopback URL (absolute).
        var cli = redirect is { } url && !url.StartsWith('/') ? url : null;
        if (problem is not null)
        {
            return cli is not null
                ? TypedResults.Redirect(QueryHelpers.AddQueryString(cli, "error", problem))
                : Api.Problem(401, $"login failed: {problem}");
        }
        if (cli is not null)
        {
            var (_, secret) = await tokens.IssueAsync(account!.Id, "vigil login", time.GetUtcNow() + TimeSpan.FromTicks(Math.Min(options.CliTokenLifetime.Ticks, options.MaxTokenLifetime.Ticks)), null, ct);
            return TypedResults.Redirect(QueryHelpers.AddQueryString(cli, "token", secret));
        }
        BrowserSessions.SetCookies(http, await sessions.CreateAsync(account!.Id, ct));
        return TypedResults.Redirect(Vigil.WebConsole.ConsoleAuthentication.LocalPath(redirect));
    }

    /// <summary>Finds or creates the user of <paramref name="identity"/> and applies its mapped groups when the claim is present.</summary>
    private static async Task<(UserAccount? Account, string? Problem)> ProvisionAsync(
        OidcIdentity identity, GatewayOptions options, UserRepository users, GroupRepository groups, TimeProvider time, CancellationToken ct)
    {
        var subject = $"{options.Oidc!.Issuer.AbsoluteUri.TrimEnd('/')}|{identity.Subject}";
        var account = await users.FindByOidcSubjectAsync(subject, ct);
        if (account is null && identity.Email is { Length: > 0 } email)
        {
            account = await users.FindAsync(IdentityKind.User, email, ct);
            if (account is { OidcSubject: not null })
            {
                return (null, $"the e-mail address {email} belongs to another single sign-on identity");
            }
            // Linking by an e-mail the provider did not verify would let anyone who can type an address into their
            // profile there take over the local account that has it (the bootstrap admin's included).
            if (account is not null && !identity.EmailVerified)
            {
                return (null, $"the identity provider did not verify the e-mail address {email}, which belongs to an existing account; verify it at the provider (email_verified) or ask an admin");
            }
        }
        if (account is null && string.IsNullOrEmpty(identity.Email))
        {
            return (null, "the identity provider returned no e-mail address (request the 'email' scope)");
        }
        var mapped = await MapGroupsAsync(identity.Groups, options, groups, ct);
        var now = time.GetUtcNow();
        if (account is null)
        {
            account = new UserAccount(Guid.NewGuid().ToString(), IdentityKind.User, identity.Email!.ToLowerInvariant(),
                string.IsNullOrWhiteSpace(identity.Name) ? identity.Email! : identity.Name!, UserStatus.Active, mapped ?? [], false, subject, now, now);
            if (!await users.CreateAsync(account, null, ct))
            {
                return (null, "the account could not be created; try again");
            }
        }
        else if (account.Status != UserStatus.Active)
        {
            return (null, "the account is inactive");
        }
        else
        {
            account = account with { OidcSubject = subject, Groups = mapped ?? account.Groups, UpdatedAt = now };
            await users.UpdateAsync(account, ct);
        }
        return (await users.FindByIdAsync(account.Id, ct), null);
    }

    /// <summary>
    /// The Vigil groups for the claim's values: through <see cref="GatewayOptions.OidcGroupMap"/>, else the same name
    /// when such a group exists; unknown values are dropped. Null when the token carried no groups (keep the user's).
    /// </summary>
    private static async Task<IReadOnlyList<string>?> MapGroupsAsync(IReadOnlyList<string> claimed, GatewayOptions options, GroupRepository groups, CancellationToken ct)
    {
        if (claimed.Count == 0)
        {
            return null;
        }
        var wanted = claimed.Select(g => options.OidcGroupMap.TryGetValue(g, out var mapped) ? mapped : g).Distinct(StringComparer.Ordinal).ToList();
        var missing = await groups.MissingAsync(wanted, ct);
        return wanted.Except(missing, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static string CallbackUrl(HttpContext http, GatewayOptions options) =>
        (options.PublicUrl?.TrimEnd('/') ?? $"{http.Request.Scheme}://{http.Request.Host}") + "/api/callback";

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.UserInfo.Length == 0
        && (uri.Host == "localhost" || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));

    private static ProblemHttpResult NotConfigured() => Api.Problem(404, "OIDC login is not configured on this gateway (set VIGIL_OIDC_ISSUER and VIGIL_OIDC_CLIENT_ID)");
}
