using System.Globalization;
using Vigil.Audit;
using Vigil.Identity.Authentication;
using Vigil.Identity.Users;

namespace Vigil.Identity.Passwords;

/// <summary>
/// One local (password) login attempt, shared by <c>POST /api/localauth/login</c> and the console's login form: the
/// rate limits (429 with <c>Retry-After</c>, RFC 9110 §10.2.3), the same 401 and the same PBKDF2 work for every kind
/// of bad credential, the audit entry, and on success a new browser session whose cookies are set on the response.
/// </summary>
public sealed class LocalLogin(UserRepository users, BrowserSessions sessions, LoginRateLimiter limiter, AuditLog audit, TimeProvider time)
{
    /// <summary>
    /// The outcome: on success <see cref="Account"/> and <see cref="Session"/>; otherwise <see cref="Status"/> (400, 401
    /// or 429) and a readable <see cref="Problem"/> that never says which part of the credentials was wrong.
    /// </summary>
    public sealed record Attempt(int Status, string? Problem, UserAccount? Account, BrowserSessions.Created? Session);

    /// <summary>Checks <paramref name="email"/> and <paramref name="password"/> and, when they match an active user, signs them in.</summary>
    public async Task<Attempt> SignInAsync(HttpContext http, string? email, string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return new Attempt(400, "both 'email' and 'password' are required", null, null);
        }
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (limiter.TryAcquire(email, address) is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await RecordAsync(null, email, "failure", 429, address, cancellationToken);
            return new Attempt(429, "too many login attempts; try again later", null, null);
        }
        var (account, hash) = password.Length > PasswordHasher.MaxLength ? (null, null) : await users.FindForLoginAsync(email, cancellationToken);
        var valid = account is { Status: UserStatus.Active } && hash is not null
            ? PasswordHasher.Verify(password, hash)
            : PasswordHasher.VerifyNothing(password);
        if (!valid)
        {
            await RecordAsync(account?.Id, email.Trim().ToLowerInvariant(), "failure", 401, address, cancellationToken);
            return new Attempt(401, "invalid e-mail or password", null, null);
        }
        var session = await sessions.CreateAsync(account!.Id, cancellationToken);
        BrowserSessions.SetCookies(http, session);
        await RecordAsync(account.Id, account.DisplayName, "success", 200, address, cancellationToken);
        return new Attempt(200, null, account, session);
    }

    private Task RecordAsync(string? actorId, string actor, string outcome, int status, string address, CancellationToken cancellationToken) =>
        audit.AppendAsync(new AuditEntry(time.GetUtcNow(), actorId, actor, "login", "localauth", actor, outcome, status, address, null), cancellationToken);
}
