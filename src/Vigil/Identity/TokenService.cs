using System.Security.Cryptography;
using System.Text;
using Dapper;
using Vigil.Storage;

namespace Vigil.Identity;

/// <summary>
/// API tokens: <c>vgl_</c> followed by 43 base64url characters (256 random bits). Only the SHA-256 of a token is
/// stored, so a lookup by hash is also the comparison (no secret-dependent string compare).
/// </summary>
public sealed class TokenService(SqliteStore store, TimeProvider time)
{
    /// <summary>The prefix every generated token carries.</summary>
    public const string Prefix = "vgl_";

    /// <summary>Generates a new random token string (not stored).</summary>
    public static string Generate() => Prefix + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Resolves a bearer token to its identity; null when unknown, expired or empty.</summary>
    public async Task<CallerIdentity?> AuthenticateAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 512)
        {
            return null;
        }
        await using var connection = await store.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Id, string Email, long IsAdmin, string? ExpiresAt)>(
            new CommandDefinition(
                """
                SELECT u.id, u.email, u.is_admin, t.expires_at FROM api_tokens t JOIN users u ON u.id = t.user_id
                WHERE t.token_sha256 = @hash
                """,
                new { hash = Hash(token) },
                cancellationToken: cancellationToken));
        if (row.Id is null)
        {
            return null;
        }
        if (row.ExpiresAt is not null && Rfc3339.Parse(row.ExpiresAt) <= time.GetUtcNow())
        {
            return null;
        }
        return new CallerIdentity(row.Id, row.Email, row.IsAdmin != 0);
    }

    /// <summary>
    /// Ensures the bootstrap admin exists. On first start stores <paramref name="presetToken"/> (VIGIL_ADMIN_TOKEN) or a
    /// generated one and returns it; on later starts returns null (the token was shown once).
    /// </summary>
    public async Task<string?> BootstrapAdminAsync(string? presetToken, CancellationToken cancellationToken)
    {
        await using var connection = await store.OpenAsync(cancellationToken);
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM users WHERE is_admin = 1", cancellationToken: cancellationToken));
        if (exists > 0)
        {
            return null;
        }
        var token = string.IsNullOrWhiteSpace(presetToken) ? Generate() : presetToken.Trim();
        var now = Rfc3339.Format(time.GetUtcNow());
        var userId = Guid.NewGuid().ToString();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO users (id, email, name, is_admin, created_at) VALUES (@userId, 'admin', 'Administrator', 1, @now)",
            new { userId, now }, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO api_tokens (id, user_id, name, token_sha256, created_at)
            VALUES (@id, @userId, 'bootstrap', @hash, @now)
            """,
            new { id = Guid.NewGuid().ToString(), userId, hash = Hash(token), now }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return token;
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
