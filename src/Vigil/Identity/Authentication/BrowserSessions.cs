using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Vigil.Hosting;
using Vigil.Identity.Users;
using Vigil.Storage;

namespace Vigil.Identity.Authentication;

/// <summary>
/// Browser sessions of the web console after a local or OIDC login: a random 256-bit id in an HttpOnly cookie
/// (<see cref="CookieName"/>; Secure over TLS, SameSite=Lax), stored as its SHA-256 only, with a per-session CSRF
/// token (synchronizer token pattern, OWASP CSRF Prevention Cheat Sheet) that state-changing requests must echo in
/// <c>X-CSRF-Token</c> or a <c>csrf_token</c> form field. Lifetime: <see cref="GatewayOptions.BrowserSessionLifetime"/>.
/// </summary>
public sealed class BrowserSessions(SqliteStore store, UserRepository users, GatewayOptions options, TimeProvider time)
{
    /// <summary>The session cookie.</summary>
    public const string CookieName = "vigil_session";

    /// <summary>A readable (not HttpOnly) cookie carrying the CSRF token, so console scripts can echo it.</summary>
    public const string CsrfCookieName = "vigil_csrf";

    /// <summary>The header that carries the CSRF token.</summary>
    public const string CsrfHeader = "X-CSRF-Token";

    /// <summary>A new session: the cookie value, its CSRF token and expiry.</summary>
    public sealed record Created(string Id, string CsrfToken, DateTimeOffset ExpiresAt);

    /// <summary>Starts a session for <paramref name="userId"/>.</summary>
    public async Task<Created> CreateAsync(string userId, CancellationToken cancellationToken)
    {
        var id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var csrf = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var expires = now + options.BrowserSessionLifetime;
        await using var db = await store.OpenAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM web_sessions WHERE expires_at <= @now", new { now = Rfc3339.Format(now) }, cancellationToken: cancellationToken));
        await db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO web_sessions (id_sha256, user_id, csrf_token, created_at, expires_at) VALUES (@hash, @userId, @csrf, @now, @expires)",
            new { hash = Hash(id), userId, csrf, now = Rfc3339.Format(now), expires = Rfc3339.Format(expires) }, cancellationToken: cancellationToken));
        return new Created(id, csrf, expires);
    }

    /// <summary>The identity and CSRF token of session <paramref name="id"/>; null when unknown, expired or its user is inactive.</summary>
    public async Task<(CallerIdentity Caller, string CsrfToken)?> AuthenticateAsync(string? id, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 128)
        {
            return null;
        }
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<(string UserId, string Csrf, string ExpiresAt, string CreatedAt)>(new CommandDefinition(
            "SELECT user_id, csrf_token, expires_at, created_at FROM web_sessions WHERE id_sha256=@hash", new { hash = Hash(id) }, cancellationToken: cancellationToken));
        var expires = row.UserId is null ? default : Rfc3339.Parse(row.ExpiresAt);
        if (row.UserId is null || expires <= time.GetUtcNow())
        {
            return null;
        }
        var account = await users.FindByIdAsync(row.UserId, cancellationToken);
        return account is { Status: UserStatus.Active } ? (account.ToCaller(expiresAt: expires, signedInAt: Rfc3339.Parse(row.CreatedAt)), row.Csrf) : null;
    }

    /// <summary>Ends session <paramref name="id"/> (logout).</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition("DELETE FROM web_sessions WHERE id_sha256=@hash", new { hash = Hash(id) }, cancellationToken: cancellationToken));
    }

    /// <summary>Sets the session and CSRF cookies on <paramref name="response"/>.</summary>
    public static void SetCookies(HttpContext http, Created session)
    {
        var secure = http.Request.IsHttps;
        http.Response.Cookies.Append(CookieName, session.Id, new CookieOptions
        {
            HttpOnly = true, Secure = secure, SameSite = SameSiteMode.Lax, Path = "/", Expires = session.ExpiresAt,
        });
        http.Response.Cookies.Append(CsrfCookieName, session.CsrfToken, new CookieOptions
        {
            HttpOnly = false, Secure = secure, SameSite = SameSiteMode.Strict, Path = "/", Expires = session.ExpiresAt,
        });
    }

    /// <summary>Expires both cookies.</summary>
    public static void ClearCookies(HttpContext http)
    {
        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
        http.Response.Cookies.Delete(CsrfCookieName, new CookieOptions { Path = "/" });
    }

    private static byte[] Hash(string id) => SHA256.HashData(Encoding.UTF8.GetBytes(id));
}
