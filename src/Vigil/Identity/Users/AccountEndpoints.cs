using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;
using Vigil.Identity.Authentication;

namespace Vigil.Identity.Users;

/// <summary>
/// <c>/api/users</c> and <c>/api/serviceaccounts</c> (admin only): create, list (filters <c>group</c>, <c>status</c>),
/// show, change (PUT and PATCH both merge) and delete. Users are addressed by id or e-mail, service accounts by id or
/// name. Deactivating or deleting an account ends its open sessions at once; its tokens stop authenticating.
/// </summary>
public static class AccountEndpoints
{
    /// <summary>Maps both route groups on the authenticated <c>/api</c> group.</summary>
    public static void MapAccountEndpoints(this RouteGroupBuilder api)
    {
        Map(api.MapGroup("/users"), IdentityKind.User, "/api/users", a => UserView.From(a));
        Map(api.MapGroup("/serviceaccounts"), IdentityKind.ServiceAccount, "/api/serviceaccounts", a => ServiceAccountView.From(a));
    }

    private static void Map(RouteGroupBuilder group, IdentityKind kind, string path, Func<UserAccount, object> view)
    {
        var noun = Noun(kind);
        group.MapPost("/", async Task<Results<Created<object>, ProblemHttpResult>> (HttpContext http, UserRepository users, AccountChanges changes, CancellationToken ct) =>
        {
            if (!ApiAuthentication.Caller(http).IsAdmin)
            {
                return Api.Problem(403, $"only admins may create {noun}s");
            }
            var (request, error) = await Api.ReadBodyAsync<UserRequest>(http.Request, ct);
            if (error is not null)
            {
                return error;
            }
            if (PasswordProblem(http, request!) is { } forbidden)
            {
                return forbidden;
            }
            var (created, problem) = await CreateAccountAsync(ApiAuthentication.Caller(http), kind, request!, users, changes, ct);
            return problem ?? (Results<Created<object>, ProblemHttpResult>)TypedResults.Created($"{path}/{created!.Id}", view(created));
        });
        group.MapGet("/", async Task<Results<Ok<Paged<object>>, ProblemHttpResult>> (HttpContext http, UserRepository users, CancellationToken ct) =>
        {
            if (!ApiAuthentication.Caller(http).IsAdmin)
            {
                return Api.Problem(403, $"only admins may list {noun}s");
            }
            var (page, size) = Api.Paging(http.Request);
            var (items, total) = await users.ListAsync(
                new UserRepository.Query(kind, Api.Query(http.Request, "group"), Api.Query(http.Request, "status"), page, size), ct);
            return TypedResults.Ok(new Paged<object>(items.Select(view).ToList(), new PageInfo(total, page, size)));
        });
        group.MapGet("/{key}", async Task<Results<Ok<object>, ProblemHttpResult>> (string key, HttpContext http, UserRepository users, CancellationToken ct) =>
        {
            if (!ApiAuthentication.Caller(http).IsAdmin)
            {
                return Api.Problem(403, $"only admins may read {noun}s");
            }
            var account = await users.FindAsync(kind, key, ct);
            return account is null ? Api.Problem(404, $"{noun} '{key}' not found") : TypedResults.Ok(view(account));
        });
        Delegate change = async Task<Results<Ok<object>, ProblemHttpResult>> (string key, HttpContext http, UserRepository users, AccountChanges changes, CancellationToken ct) =>
        {
            if (!ApiAuthentication.Caller(http).IsAdmin)
            {
                return Api.Problem(403, $"only admins may change {noun}s");
            }
            var (request, error) = await Api.ReadBodyAsync<UserRequest>(http.Request, ct);
            if (error is not null)
            {
                return error;
            }
            if (PasswordProblem(http, request!) is { } forbidden)
            {
                return forbidden;
            }
            var (changed, problem) = await ChangeAccountAsync(ApiAuthentication.Caller(http), kind, key, request!, users, changes, ct);
            return problem ?? (Results<Ok<object>, ProblemHttpResult>)TypedResults.Ok(view(changed!));
        };
        group.MapPut("/{key}", change);
        group.MapPatch("/{key}", change);
        group.MapDelete("/{key}", async Task<Results<NoContent, ProblemHttpResult>> (string key, HttpContext http, UserRepository users, AccountChanges changes, CancellationToken ct) =>
        {
            if (!ApiAuthentication.Caller(http).IsAdmin)
            {
                return Api.Problem(403, $"only admins may delete {noun}s");
            }
            var existing = await users.FindAsync(kind, key, ct);
            if (existing is null)
            {
                return Api.Problem(404, $"{noun} '{key}' not found");
            }
            if (await changes.LastAdminProblemAsync(existing, null, ct) is { } problem)
            {
                return problem;
            }
            await users.DeleteAsync(existing.Id, ct);
            changes.EndLostSessions(existing.Id, null);
            return TypedResults.NoContent();
        });
    }

    /// <summary>
    /// Creates the account <paramref name="request"/> describes (<c>POST</c> and the console): 403 for a non-admin, 400
    /// naming a bad field or unknown group, 409 when the name or e-mail is taken. Sets the password when one is given.
    /// </summary>
    public static async Task<(UserAccount? Account, ProblemHttpResult? Problem)> CreateAccountAsync(
        CallerIdentity caller, IdentityKind kind, UserRequest request, UserRepository users, AccountChanges changes, CancellationToken ct)
    {
        var noun = Noun(kind);
        if (!caller.IsAdmin)
        {
            return (null, Api.Problem(403, $"only admins may create {noun}s"));
        }
        var (account, problem) = await changes.BuildAsync(kind, request, null, ct);
        if (problem is not null)
        {
            return (null, problem);
        }
        if (!await users.CreateAsync(account!, null, ct))
        {
            return (null, Api.Problem(409, $"{noun} '{account!.DisplayName}' already exists"));
        }
        await changes.SetPasswordAsync(account!, request, ct);
        return (await users.FindByIdAsync(account!.Id, ct), null);
    }

    /// <summary>
    /// Merges <paramref name="request"/> over account <paramref name="key"/> (id, e-mail or name; PUT, PATCH and the
    /// console): 403 for a non-admin, 404, 400 naming a bad field, 409 for the last active admin or a taken name. Open
    /// sessions that lose access end.
    /// </summary>
    public static async Task<(UserAccount? Account, ProblemHttpResult? Problem)> ChangeAccountAsync(
        CallerIdentity caller, IdentityKind kind, string key, UserRequest request, UserRepository users, AccountChanges changes, CancellationToken ct)
    {
        var noun = Noun(kind);
        if (!caller.IsAdmin)
        {
            return (null, Api.Problem(403, $"only admins may change {noun}s"));
        }
        var existing = await users.FindAsync(kind, key, ct);
        if (existing is null)
        {
            return (null, Api.Problem(404, $"{noun} '{key}' not found"));
        }
        var (account, problem) = await changes.BuildAsync(kind, request, existing, ct);
        problem ??= await changes.LastAdminProblemAsync(existing, account, ct);
        if (problem is not null)
        {
            return (null, problem);
        }
        if (!await users.UpdateAsync(account!, ct))
        {
            return (null, Api.Problem(409, $"another {noun} is already named '{account!.DisplayName}'"));
        }
        await changes.SetPasswordAsync(account!, request, ct);
        changes.EndLostSessions(account!.Id, account);
        return (await users.FindByIdAsync(account.Id, ct), null);
    }

    private static string Noun(IdentityKind kind) => kind == IdentityKind.User ? "user" : "service account";

    /// <summary>
    /// 403 when a narrowed or expiring token sets a password: a password never expires and reaches every connection,
    /// so it would outlive and outreach the token that set it.
    /// </summary>
    private static ProblemHttpResult? PasswordProblem(HttpContext http, UserRequest request) =>
        request.Password is not null && ApiAuthentication.Caller(http).IsRestrictedToken
            ? Api.Problem(403, "a narrowed or expiring API token cannot set passwords; use an unrestricted token or the console")
            : null;
}
