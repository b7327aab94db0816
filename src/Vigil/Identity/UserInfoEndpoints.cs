using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;
using Vigil.Identity.Authentication;
using Vigil.Identity.Users;

namespace Vigil.Identity;

/// <summary>
/// <c>GET /api/userinfo</c> (any caller): <c>{id, email, name, kind, groups, role, token_id, token_connections}</c>;
/// <c>GET /api/auth/methods</c> (anonymous): <c>{local, oidc}</c>, which logins this gateway offers.
/// </summary>
public static class UserInfoEndpoints
{
    /// <summary>The caller as the API shows it.</summary>
    public sealed record UserInfo(string Id, string? Email, string Name, string Kind, IReadOnlyList<string> Groups, string Role, string? TokenId, IReadOnlyList<string>? TokenConnections);

    /// <summary>The logins offered.</summary>
    public sealed record AuthMethods(bool Local, bool Oidc);

    /// <summary>Maps <c>/userinfo</c> on the authenticated group.</summary>
    public static void MapUserInfoEndpoints(this RouteGroupBuilder api) =>
        api.MapGet("/userinfo", async Task<Results<Ok<UserInfo>, ProblemHttpResult>> (HttpContext http, UserRepository users, CancellationToken ct) =>
        {
            var caller = ApiAuthentication.Caller(http);
            var account = await users.FindByIdAsync(caller.UserId, ct);
            return account is null
                ? Api.Problem(401, "the account no longer exists")
                : TypedResults.Ok(new UserInfo(account.Id, account.Email, account.Name, UserRepository.KindText(account.Kind), account.Groups, caller.Role, caller.TokenId, caller.TokenConnections));
        });

    /// <summary>Maps <c>/auth/methods</c> on the anonymous group.</summary>
    public static void MapAuthMethodEndpoints(this RouteGroupBuilder anonymous) =>
        anonymous.MapGet("/auth/methods", (GatewayOptions options) => TypedResults.Ok(new AuthMethods(true, options.Oidc is not null)));
}
