using System.Net.Mail;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Connections;
using Vigil.Hosting;
using Vigil.Identity.Groups;
using Vigil.Identity.Passwords;
using Vigil.Pipeline;

namespace Vigil.Identity.Users;

/// <summary>
/// The rules shared by the user and service-account endpoints: validating a <see cref="UserRequest"/> into an
/// account, keeping one active admin, and ending open sessions that a change takes access from.
/// </summary>
public sealed class AccountChanges(UserRepository users, GroupRepository groups, CommandPipeline pipeline, TimeProvider time)
{
    /// <summary>
    /// Builds the account that <paramref name="request"/> describes, over <paramref name="existing"/> (null: a new
    /// account of <paramref name="kind"/>). Returns a 400 problem naming the bad field instead when invalid.
    /// </summary>
    public async Task<(UserAccount? Account, ProblemHttpResult? Problem)> BuildAsync(
        IdentityKind kind, UserRequest request, UserAccount? existing, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        string? email = null;
        if (kind == IdentityKind.User)
        {
            email = (request.Email ?? existing?.Email)?.Trim().ToLowerInvariant();
            if (string.IsNullOrEmpty(email))
            {
                return (null, Api.Problem(400, "missing field 'email'"));
            }
            if (email.Length > 254 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
            {
                return (null, Api.Problem(400, "field 'email' must be an e-mail address"));
            }
        }
        else if (request.Email is not null)
        {
            return (null, Api.Problem(400, "field 'email': service accounts have no e-mail address"));
        }
        var name = (request.Name ?? existing?.Name ?? email?.Split('@')[0])?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return (null, Api.Problem(400, "missing field 'name'"));
        }
        if (name.Length > 200 || (kind == IdentityKind.ServiceAccount && !GroupNames.IsValid(name)))
        {
            return (null, Api.Problem(400, kind == IdentityKind.ServiceAccount
                ? "field 'name' must be 1-63 lower-case letters, digits, '_', '-' or '.'"
                : "field 'name' must be at most 200 characters"));
        }
        var status = request.Status ?? existing?.Status ?? UserStatus.Active;
        if (status is not (UserStatus.Active or UserStatus.Inactive))
        {
            return (null, Api.Problem(400, "field 'status' must be active or inactive"));
        }
        var groupList = request.Groups ?? existing?.Groups.ToArray() ?? [];
        if (groupList.FirstOrDefault(g => !GroupNames.IsValid(g)) is { } bad)
        {
            return (null, Api.Problem(400, $"field 'groups': '{bad}' is not a group name"));
        }
        if (await groups.MissingAsync(groupList, cancellationToken) is { Count: > 0 } missing)
        {
            return (null, Api.Problem(400, $"field 'groups': unknown group(s) {string.Join(", ", missing.Select(g => $"'{g}'"))}; create them with POST /api/groups"));
        }
        if (request.Password is not null && kind == IdentityKind.ServiceAccount)
        {
            return (null, Api.Problem(400, "field 'password': service accounts authenticate with API tokens only"));
        }
        if (request.Password is not null && PasswordHasher.Problem(request.Password) is { } weak)
        {
            return (null, Api.Problem(400, $"field 'password': {weak}"));
        }
        return (new UserAccount(
            existing?.Id ?? Guid.NewGuid().ToString(), kind, email, name, status, groupList.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(),
            existing?.HasPassword ?? false, existing?.OidcSubject, existing?.CreatedAt ?? now, now), null);
    }

    /// <summary>409 when <paramref name="changed"/> would leave no active admin, else null.</summary>
    public async Task<ProblemHttpResult?> LastAdminProblemAsync(UserAccount before, UserAccount? changed, CancellationToken cancellationToken)
    {
        var wasAdmin = before.Status == UserStatus.Active && before.Groups.Contains(BuiltInGroups.Admin);
        var staysAdmin = changed is { Status: UserStatus.Active } && changed.Groups.Contains(BuiltInGroups.Admin);
        return wasAdmin && !staysAdmin && await users.CountActiveAdminsAsync(cancellationToken) <= 1
            ? Api.Problem(409, "this is the last active admin; make another user an admin first")
            : null;
    }

    /// <summary>Stores the password of <paramref name="request"/>, when it has one, for <paramref name="account"/>.</summary>
    public async Task SetPasswordAsync(UserAccount account, UserRequest request, CancellationToken cancellationToken)
    {
        if (request.Password is { } password)
        {
            await users.SetPasswordHashAsync(account.Id, PasswordHasher.Hash(password), time.GetUtcNow(), cancellationToken);
        }
    }

    /// <summary>
    /// Ends the open sessions of <paramref name="account"/> it may no longer hold: all of them when it is inactive or
    /// deleted (null), else those on connections its new groups do not reach.
    /// </summary>
    public void EndLostSessions(string accountId, UserAccount? account)
    {
        if (account is null || account.Status != UserStatus.Active)
        {
            pipeline.TerminateSessions(s => s.Identity.UserId == accountId, account is null ? "the account was deleted" : "the account was deactivated");
            return;
        }
        pipeline.TerminateSessions(
            s => s.Identity.UserId == accountId && !ConnectionAccess.CanSee(account.ToCaller(s.Identity.TokenId, s.Identity.TokenConnections), s.Connection),
            "the account lost access to the connection");
    }
}
