using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Connections;
using Vigil.Hosting;
using Vigil.Identity.Authentication;
using Vigil.Identity.Users;
using Vigil.Pipeline;
using Vigil.Storage;

namespace Vigil.Identity.Tokens;

/// <summary>
/// <c>/api/tokens</c>: create (for yourself; admins also for any user or service account), list (yours; admins all,
/// filter <c>owner</c>), revoke. The secret is in the create response only. A token made with a narrowed or expiring
/// token can be no wider and live no longer than the token that made it, whoever it is for; one made from a browser
/// session lives at most <see cref="GatewayOptions.MaxTokenLifetime"/> (also its lifetime without <c>expires_in</c>).
/// </summary>
public static class TokenEndpoints
{
    /// <summary>Body of <c>POST /api/tokens</c>: <c>{name?, user? | serviceaccount?, expires_in? ("1h", "30d"), connections?[]}</c>.</summary>
    public sealed record TokenRequest(string? Name, string? User, string? Serviceaccount, string? ExpiresIn, string[]? Connections);

    /// <summary>A token as listed: <c>{id, name, owner, owner_type, connections, created_at, expires_at, last_used_at}</c>.</summary>
    public sealed record TokenView(string Id, string Name, string Owner, string OwnerType, IReadOnlyList<string>? Connections, string CreatedAt, string? ExpiresAt, string? LastUsedAt)
    {
        /// <summary>Projects <paramref name="t"/>.</summary>
        public static TokenView From(ApiToken t) => new(
            t.Id, t.Name, t.Owner, UserRepository.KindText(t.OwnerKind), t.Connections, Rfc3339.Format(t.CreatedAt),
            t.ExpiresAt is { } e ? Rfc3339.Format(e) : null, t.LastUsedAt is { } u ? Rfc3339.Format(u) : null);
    }

    /// <summary>The create response: the listed fields plus <c>token</c>, the secret, shown this once.</summary>
    public sealed record CreatedToken(string Id, string Token, string Name, string Owner, string OwnerType, IReadOnlyList<string>? Connections, string CreatedAt, string? ExpiresAt, string? LastUsedAt);

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapTokenEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/tokens");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapDelete("/{id}", RevokeAsync);
    }

    private static async Task<Results<Created<CreatedToken>, ProblemHttpResult>> CreateAsync(
        HttpContext http, TokenService tokens, UserRepository users, ConnectionRepository connections, GatewayOptions options, TimeProvider time, CancellationToken ct)
    {
        var caller = ApiAuthentication.Caller(http);
        var (request, error) = await Api.ReadBodyAsync<TokenRequest>(http.Request, ct);
        if (error is not null)
        {
            return error;
        }
        var (created, problem) = await IssueAsync(caller, request!, tokens, users, connections, options, time, ct);
        return problem ?? (Results<Created<CreatedToken>, ProblemHttpResult>)TypedResults.Created($"/api/tokens/{created!.Id}", created);
    }

    /// <summary>
    /// Issues the token <paramref name="request"/> describes (<c>POST /api/tokens</c> and the console) with the rules
    /// above: the created token with its secret (shown this once), or 400 naming a bad field, 403, 404 for an unknown
    /// owner, 409 for an inactive one.
    /// </summary>
    public static async Task<(CreatedToken? Token, ProblemHttpResult? Problem)> IssueAsync(
        CallerIdentity caller, TokenRequest request, TokenService tokens, UserRepository users, ConnectionRepository connections, GatewayOptions options,
        TimeProvider time, CancellationToken ct)
    {
        if (request.User is not null && request.Serviceaccount is not null)
        {
            return (null, Api.Problem(400, "give either 'user' or 'serviceaccount', not both"));
        }
        UserAccount? owner;
        if (request.User is null && request.Serviceaccount is null)
        {
            owner = await users.FindByIdAsync(caller.UserId, ct);
        }
        else
        {
            var (kind, key) = request.User is not null ? (IdentityKind.User, request.User) : (IdentityKind.ServiceAccount, request.Serviceaccount!);
            owner = await users.FindAsync(kind, key, ct);
            if (owner?.Id != caller.UserId && !caller.IsAdmin)
            {
                return (null, Api.Problem(403, "only admins may create tokens for another user or a service account"));
            }
            if (owner is null)
            {
                return (null, Api.Problem(404, $"{(kind == IdentityKind.User ? "user" : "service account")} '{key}' not found"));
            }
        }
        if (owner is not { Status: UserStatus.Active })
        {
            return (null, Api.Problem(409, $"'{owner?.DisplayName}' is inactive; activate it before issuing tokens"));
        }
        var name = string.IsNullOrWhiteSpace(request.Name) ? "token" : request.Name.Trim();
        if (name.Length > 100)
        {
            return (null, Api.Problem(400, "field 'name' must be at most 100 characters"));
        }
        DateTimeOffset? expiresAt = null;
        if (request.ExpiresIn is not null)
        {
            if (!DurationText.TryParse(request.ExpiresIn, out var lifetime))
            {
                return (null, Api.Problem(400, "field 'expires_in' must be a duration such as \"1h\", \"30d\" or \"2w\""));
            }
            expiresAt = time.GetUtcNow() + lifetime;
        }
        IReadOnlyList<string>? narrowed = request.Connections?.Distinct(StringComparer.Ordinal).ToArray();
        if (narrowed is { Count: 0 })
        {
            return (null, Api.Problem(400, "field 'connections' must name at least one connection, or be left out"));
        }
        foreach (var connection in narrowed ?? [])
        {
            if (await connections.FindAsync(connection, ct) is null)
            {
                return (null, Api.Problem(400, $"field 'connections': connection '{connection}' not found"));
            }
        }
        // A narrowed or expiring token must not mint a wider or longer-lived one, for its own account or any other.
        if (caller.TokenId is not null)
        {
            if (caller.TokenConnections is { } limit)
            {
                narrowed ??= limit;
                if (narrowed.Any(c => !limit.Contains(c, StringComparer.Ordinal)))
                {
                    return (null, Api.Problem(403, "a token narrowed to connections can only create tokens narrowed to some of them"));
                }
            }
            if (caller.TokenExpiresAt is { } callerExpiry && (expiresAt is null || expiresAt > callerExpiry))
            {
                expiresAt = callerExpiry;
            }
        }
        else if (expiresAt is null || expiresAt > time.GetUtcNow() + options.MaxTokenLifetime)
        {
            // From a browser session the gateway's policy caps the lifetime (a stolen cookie must not become a permanent token).
            expiresAt = time.GetUtcNow() + options.MaxTokenLifetime;
        }
        var (token, secret) = await tokens.IssueAsync(owner.Id, name, expiresAt, narrowed, ct);
        var v = TokenView.From(token);
        return (new CreatedToken(v.Id, secret, v.Name, v.Owner, v.OwnerType, v.Connections, v.CreatedAt, v.ExpiresAt, v.LastUsedAt), null);
    }

    private static async Task<Ok<Paged<TokenView>>> ListAsync(HttpContext http, TokenService tokens, UserRepository users, CancellationToken ct)
    {
        var caller = ApiAuthentication.Caller(http);
        var (page, size) = Api.Paging(http.Request);
        string? ownerId = caller.UserId;
        if (caller.IsAdmin)
        {
            var owner = http.Request.Query["owner"].ToString();
            ownerId = owner.Length == 0
                ? null
                : (await users.FindAsync(IdentityKind.User, owner, ct) ?? await users.FindAsync(IdentityKind.ServiceAccount, owner, ct))?.Id ?? "";
        }
        var (items, total) = await tokens.ListAsync(ownerId, page, size, ct);
        return TypedResults.Ok(new Paged<TokenView>(items.Select(TokenView.From).ToList(), new PageInfo(total, page, size)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string id, HttpContext http, TokenService tokens, CommandPipeline pipeline, CancellationToken ct) =>
        await RevokeTokenAsync(ApiAuthentication.Caller(http), id, tokens, pipeline, ct) is { } problem ? problem : TypedResults.NoContent();

    /// <summary>
    /// Revokes token <paramref name="id"/> (the API and the console) and ends the sessions it opened: null when done,
    /// else 404 (also for someone else's token, unless the caller is an admin).
    /// </summary>
    public static async Task<ProblemHttpResult?> RevokeTokenAsync(CallerIdentity caller, string id, TokenService tokens, CommandPipeline pipeline, CancellationToken ct)
    {
        var token = await tokens.FindAsync(id, ct);
        // Someone else's token answers like a missing one: ids are not disclosed to non-admins.
        if (token is null || (token.OwnerId != caller.UserId && !caller.IsAdmin) || !await tokens.RevokeAsync(id, ct))
        {
            return Api.Problem(404, $"token '{id}' not found");
        }
        pipeline.TerminateSessions(s => s.Identity.TokenId == id, "the token was revoked");
        return null;
    }
}
