using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;
using Vigil.Identity.Authentication;
using Vigil.Identity.Users;

namespace Vigil.Identity.SshKeys;

/// <summary>
/// <c>/api/users/{id}/ssh-keys</c> and <c>/api/serviceaccounts/{id}/ssh-keys</c>: register (<c>POST {public_key, name?}</c>
/// → 201 <c>{id, name, type, fingerprint, created_at}</c>), list and delete (<c>DELETE …/ssh-keys/{key_id}</c>) the public
/// keys an identity logs in to the SSH listener with. <c>{id}</c> is any account's id (under either prefix), a user's
/// e-mail, a service account's name, or <c>me</c>. Everyone manages their own keys, admins anyone's (403 otherwise); a key registered on
/// any identity already is a 409 (without saying whose). A token narrowed to connections or with an expiry cannot
/// register keys: a key would log in wider and longer than the token. Writes are audited by the API's audit filter.
/// </summary>
public static class SshKeyEndpoints
{
    /// <summary>Body of the POST: <c>{public_key: "TYPE BASE64 [COMMENT]", name?}</c>.</summary>
    public sealed record SshKeyRequest(string? PublicKey, string? Name);

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapSshKeyEndpoints(this RouteGroupBuilder api)
    {
        foreach (var (prefix, kind) in new[] { ("/users", IdentityKind.User), ("/serviceaccounts", IdentityKind.ServiceAccount) })
        {
            var group = api.MapGroup(prefix + "/{id}/ssh-keys");
            group.MapPost("/", (string id, HttpContext http, UserRepository users, SshKeyRepository keys, TimeProvider time, CancellationToken ct) =>
                AddAsync(kind, id, http, users, keys, time, ct));
            group.MapGet("/", (string id, HttpContext http, UserRepository users, SshKeyRepository keys, CancellationToken ct) =>
                ListAsync(kind, id, http, users, keys, ct));
            group.MapDelete("/{keyId}", (string id, string keyId, HttpContext http, UserRepository users, SshKeyRepository keys, CancellationToken ct) =>
                DeleteAsync(kind, id, keyId, http, users, keys, ct));
        }
    }

    private static async Task<Results<Created<SshKeyView>, ProblemHttpResult>> AddAsync(
        IdentityKind kind, string id, HttpContext http, UserRepository users, SshKeyRepository keys, TimeProvider time, CancellationToken ct)
    {
        var caller = ApiAuthentication.Caller(http);
        var (account, problem) = await OwnerAsync(caller, kind, id, users, ct);
        if (problem is not null)
        {
            return problem;
        }
        if (caller.IsRestrictedToken)
        {
            return Api.Problem(403, "a token narrowed to connections or with an expiry cannot register ssh keys: a key would log in wider or longer than the token");
        }
        var (request, error) = await Api.ReadBodyAsync<SshKeyRequest>(http.Request, ct);
        if (error is not null)
        {
            return error;
        }
        if (!AuthorizedKeyLine.TryParse(request!.PublicKey, out var line, out var invalid))
        {
            return Api.Problem(400, invalid!);
        }
        var name = string.IsNullOrWhiteSpace(request.Name) ? line!.Comment ?? line.Type : request.Name.Trim();
        if (name.Length > 100)
        {
            return Api.Problem(400, "field 'name' must be at most 100 characters");
        }
        if ((await keys.ListAsync(account!.Id, ct)).Count >= SshKeyRepository.MaxKeysPerIdentity)
        {
            return Api.Problem(409, $"'{account.DisplayName}' has {SshKeyRepository.MaxKeysPerIdentity} ssh keys already; remove one first");
        }
        var key = new SshKey(Guid.NewGuid().ToString(), account.Id, name, line!.Type, $"{line.Type} {line.Base64}", line.Fingerprint, time.GetUtcNow());
        if (!await keys.AddAsync(key, ct))
        {
            return Api.Problem(409, $"ssh key {key.Fingerprint} is registered already");
        }
        return TypedResults.Created($"{http.Request.Path.Value?.TrimEnd('/')}/{key.Id}", SshKeyView.From(key));
    }

    private static async Task<Results<Ok<Paged<SshKeyView>>, ProblemHttpResult>> ListAsync(
        IdentityKind kind, string id, HttpContext http, UserRepository users, SshKeyRepository keys, CancellationToken ct)
    {
        var caller = ApiAuthentication.Caller(http);
        var (account, problem) = await OwnerAsync(caller, kind, id, users, ct, read: true);
        if (problem is not null)
        {
            return problem;
        }
        var (page, size) = Api.Paging(http.Request);
        var all = await keys.ListAsync(account!.Id, ct);
        return TypedResults.Ok(new Paged<SshKeyView>(all.Skip((page - 1) * size).Take(size).Select(SshKeyView.From).ToList(), new PageInfo(all.Count, page, size)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        IdentityKind kind, string id, string keyId, HttpContext http, UserRepository users, SshKeyRepository keys, CancellationToken ct)
    {
        var (account, problem) = await OwnerAsync(ApiAuthentication.Caller(http), kind, id, users, ct);
        if (problem is not null)
        {
            return problem;
        }
        return await keys.DeleteAsync(account!.Id, keyId, ct) ? TypedResults.NoContent() : Api.Problem(404, $"ssh key '{keyId}' not found");
    }

    /// <summary>
    /// The account <paramref name="id"/> names, when <paramref name="caller"/> may manage (or, with
    /// <paramref name="read"/>, read: auditors too) its keys; else 403, or 404 for an admin naming an unknown account.
    /// </summary>
    private static async Task<(UserAccount? Account, ProblemHttpResult? Problem)> OwnerAsync(
        CallerIdentity caller, IdentityKind kind, string id, UserRepository users, CancellationToken ct, bool read = false)
    {
        // An id names any account (a service account's keys are reachable under /api/users too); an e-mail or name, one of the route's kind.
        var account = await users.FindByIdAsync(id == "me" ? caller.UserId : id, ct) ?? await users.FindAsync(kind, id, ct);
        if (account?.Id == caller.UserId)
        {
            return (account, null);
        }
        if (!(caller.IsAdmin || read && caller.CanAudit))
        {
            return (null, Api.Problem(403, "you may manage only your own ssh keys"));
        }
        var noun = kind == IdentityKind.User ? "user" : "service account";
        return account is null ? (null, Api.Problem(404, $"{noun} '{id}' not found")) : (account, null);
    }
}
