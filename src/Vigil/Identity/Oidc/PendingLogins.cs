using Dapper;
using Vigil.Storage;

namespace Vigil.Identity.Oidc;

/// <summary>
/// OIDC logins between the redirect to the provider and its callback, in the store's <c>oidc_logins</c> table keyed by
/// <c>state</c>, so a restart or a second gateway instance can finish them. Each is taken once and lives 10 minutes.
/// </summary>
public sealed class PendingLogins(SqliteStore store, TimeProvider time)
{
    /// <summary>How long a started login may take.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    /// <summary>Remembers <paramref name="request"/> and where to send the result (<paramref name="redirect"/>: a CLI loopback URL, or for the browser the console path to return to, or null).</summary>
    public async Task SaveAsync(OidcAuthorizationRequest request, string? redirect, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await store.OpenAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM oidc_logins WHERE expires_at <= @now;
            INSERT INTO oidc_logins (state, nonce, code_verifier, redirect, created_at, expires_at) VALUES (@State, @Nonce, @CodeVerifier, @redirect, @now, @expires);
            """,
            new { request.State, request.Nonce, request.CodeVerifier, redirect, now = Rfc3339.Format(now), expires = Rfc3339.Format(now + Lifetime) },
            cancellationToken: cancellationToken));
    }

    /// <summary>Removes and returns the unexpired login with <paramref name="state"/>; null when unknown, used or expired.</summary>
    public async Task<(OidcAuthorizationRequest Request, string? Redirect)?> TakeAsync(string state, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<(string State, string Nonce, string Verifier, string? Redirect, string ExpiresAt)>(new CommandDefinition(
            "DELETE FROM oidc_logins WHERE state=@state RETURNING state, nonce, code_verifier, redirect, expires_at", new { state }, cancellationToken: cancellationToken));
        if (row.State is null || Rfc3339.Parse(row.ExpiresAt) <= time.GetUtcNow())
        {
            return null;
        }
        return (new OidcAuthorizationRequest("", row.State, row.Nonce, row.Verifier), row.Redirect);
    }
}
