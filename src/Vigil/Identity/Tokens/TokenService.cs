using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Identity.Users;
using Vigil.Postgres.Auth;
using Vigil.Storage;

namespace Vigil.Identity.Tokens;

/// <summary>
/// API tokens: <c>vgl_</c> followed by 43 base64url characters (256 random bits). Only the SHA-256 of a token is
/// stored, so the lookup by hash is the comparison: no secret-dependent string compare happens, and the hash found is
/// checked again with <see cref="CryptographicOperations.FixedTimeEquals"/>. Next to the hash a SCRAM-SHA-256 verifier
/// of the token is stored (<see cref="ScramVerifier"/>), so PostgreSQL clients can prove the token without sending it
/// (<see cref="ScramVerifierAsync"/>, <see cref="AuthenticateProvenAsync"/>). A token authenticates only while it is
/// unrevoked, unexpired and its owner is active. Validations are reused for a few seconds (<see cref="TokenCache"/>;
/// without one, every authentication reads the store).
/// </summary>
public sealed class TokenService(SqliteStore store, UserRepository users, TimeProvider time, TokenCache? cache = null)
{
    private readonly TokenCache _cache = cache ?? new TokenCache(TimeSpan.Zero, time);

    /// <summary>The prefix every generated token carries.</summary>
    public const string Prefix = "vgl_";

    /// <summary>Longest string looked up as a token; anything longer is refused without touching the store.</summary>
    public const int MaxLength = 512;

    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>Generates a new random token string (not stored).</summary>
    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>Creates a token for account <paramref name="ownerId"/> and returns its metadata and the secret (shown once).</summary>
    public async Task<(ApiToken Token, string Secret)> IssueAsync(
        string ownerId, string name, DateTimeOffset? expiresAt, IReadOnlyList<string>? connections, CancellationToken cancellationToken)
    {
        var secret = Generate();
        var id = Guid.NewGuid().ToString();
        await using var db = await store.OpenAsync(cancellationToken);
        await InsertAsync(db, null, id, ownerId, name, secret, expiresAt, connections, cancellationToken);
        return ((await FindAsync(id, cancellationToken))!, secret);
    }

    /// <summary>Resolves a bearer token to its identity; null when unknown, malformed, revoked, expired or its owner is inactive.</summary>
    public async Task<CallerIdentity?> AuthenticateAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return null;
        }
        var hash = Hash(token);
        if (_cache.Get(hash) is { } known)
        {
            return known;
        }
        var generation = _cache.Generation;
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<AuthRow>(new CommandDefinition(
            $"{SelectAuth} WHERE t.token_sha256 = @hash AND t.revoked_at IS NULL AND u.status = 'active'", new { hash }, cancellationToken: cancellationToken));
        var identity = row is null || !CryptographicOperations.FixedTimeEquals(row.token_sha256, hash) ? null : await IdentityAsync(db, row, cancellationToken);
        if (identity is not null)
        {
            _cache.Set(hash, identity, generation);
        }
        return identity;
    }

    /// <summary>
    /// The SCRAM-SHA-256 verifier stored for token <paramref name="id"/> when it was created (RFC 5802 §3), whatever
    /// the token's state; null for an unknown id or a token made before verifiers were stored.
    /// </summary>
    public async Task<ScramVerifier?> ScramVerifierAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return ScramVerifier.TryParse(await db.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT scram_verifier FROM api_tokens WHERE id=@id", new { id }, cancellationToken: cancellationToken)));
    }

    /// <summary>
    /// The identity of token <paramref name="id"/> once its holder proved knowledge of it another way (a SCRAM
    /// exchange against <see cref="ScramVerifierAsync"/>); null when unknown, revoked, expired or its owner is inactive.
    /// </summary>
    public async Task<CallerIdentity?> AuthenticateProvenAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<AuthRow>(new CommandDefinition(
            $"{SelectAuth} WHERE t.id = @id AND t.revoked_at IS NULL AND u.status = 'active'", new { id }, cancellationToken: cancellationToken));
        return row is null ? null : await IdentityAsync(db, row, cancellationToken);
    }

    private async Task<CallerIdentity?> IdentityAsync(SqliteConnection db, AuthRow row, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? expiresAt = row.expires_at is { } e ? Rfc3339.Parse(e) : null;
        if (expiresAt <= now)
        {
            return null;
        }
        if (row.last_used_at is null || now - Rfc3339.Parse(row.last_used_at) >= LastUsedResolution)
        {
            await db.ExecuteAsync(new CommandDefinition(
                "UPDATE api_tokens SET last_used_at=@now WHERE id=@id", new { now = Rfc3339.Format(now), id = row.token_id }, cancellationToken: cancellationToken));
        }
        var account = await users.FindByIdAsync(row.user_id, cancellationToken);
        return account?.ToCaller(row.token_id, ParseConnections(row.connections), expiresAt);
    }

    /// <summary>Unrevoked tokens, newest first: all of them when <paramref name="ownerId"/> is null, else that owner's.</summary>
    public async Task<(IReadOnlyList<ApiToken> Items, long Total)> ListAsync(string? ownerId, int page, int pageSize, CancellationToken cancellationToken)
    {
        const string where = "t.revoked_at IS NULL AND (@ownerId IS NULL OR t.user_id=@ownerId)";
        var args = new { ownerId, limit = pageSize, offset = (page - 1) * pageSize };
        await using var db = await store.OpenAsync(cancellationToken);
        var total = await db.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM api_tokens t WHERE {where}", args, cancellationToken: cancellationToken));
        var rows = await db.QueryAsync<TokenRow>(new CommandDefinition(
            $"{SelectTokens} WHERE {where} ORDER BY t.created_at DESC, t.id LIMIT @limit OFFSET @offset", args, cancellationToken: cancellationToken));
        return (rows.Select(ToToken).ToList(), total);
    }

    /// <summary>The unrevoked token <paramref name="id"/>, or null.</summary>
    public async Task<ApiToken?> FindAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition(
            $"{SelectTokens} WHERE t.id=@id AND t.revoked_at IS NULL", new { id }, cancellationToken: cancellationToken));
        return row is null ? null : ToToken(row);
    }

    /// <summary>Revokes token <paramref name="id"/>; it fails authentication from now on. False when unknown or already revoked.</summary>
    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var revoked = await db.ExecuteAsync(new CommandDefinition(
            "UPDATE api_tokens SET revoked_at=@now WHERE id=@id AND revoked_at IS NULL",
            new { id, now = Rfc3339.Format(time.GetUtcNow()) }, cancellationToken: cancellationToken)) == 1;
        _cache.ForgetToken(id);
        return revoked;
    }

    /// <summary>
    /// Ensures an admin exists. On first start creates the admin user <paramref name="email"/> in the built-in
    /// <c>admin</c> group with an ordinary API token: <paramref name="presetToken"/> (VIGIL_ADMIN_TOKEN) or a generated one,
    /// which is returned. Returns null on later starts (the token was shown once).
    /// </summary>
    public async Task<string?> BootstrapAdminAsync(string? presetToken, string email, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var exists = await db.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM user_groups WHERE group_name='admin'", cancellationToken: cancellationToken));
        if (exists > 0)
        {
            return null;
        }
        var token = string.IsNullOrWhiteSpace(presetToken) ? Generate() : presetToken.Trim();
        var now = Rfc3339.Format(time.GetUtcNow());
        var userId = Guid.NewGuid().ToString();
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO users (id, kind, email, name, status, created_at, updated_at) VALUES (@userId, 'user', @email, 'Administrator', 'active', @now, @now);
            INSERT INTO user_groups (user_id, group_name) VALUES (@userId, 'admin');
            """,
            new { userId, email = email.ToLowerInvariant(), now }, transaction, cancellationToken: cancellationToken));
        await InsertAsync(db, transaction, Guid.NewGuid().ToString(), userId, "bootstrap", token, null, null, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return token;
    }

    private async Task InsertAsync(
        SqliteConnection db, System.Data.Common.DbTransaction? transaction, string id, string ownerId, string name, string secret,
        DateTimeOffset? expiresAt, IReadOnlyList<string>? connections, CancellationToken cancellationToken) =>
        await db.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO api_tokens (id, user_id, name, token_sha256, created_at, expires_at, connections, scram_verifier)
            VALUES (@id, @ownerId, @name, @hash, @now, @expires, @connections, @verifier)
            """,
            new
            {
                // The secret is known here and only here: its SCRAM verifier lets PostgreSQL clients prove it without sending it.
                id, ownerId, name, hash = Hash(secret), now = Rfc3339.Format(time.GetUtcNow()), verifier = ScramVerifier.Create(secret).Format(),
                expires = expiresAt is { } e ? Rfc3339.Format(e) : null,
                connections = connections is null ? null : JsonSerializer.Serialize(connections),
            },
            transaction, cancellationToken: cancellationToken));

    private const string SelectAuth = """
        SELECT t.id AS token_id, t.token_sha256, t.expires_at, t.last_used_at, t.connections, u.id AS user_id
        FROM api_tokens t JOIN users u ON u.id = t.user_id
        """;

    private const string SelectTokens = """
        SELECT t.id, t.name, t.user_id, coalesce(u.email, u.name) AS owner, u.kind, t.connections, t.created_at, t.expires_at, t.last_used_at
        FROM api_tokens t JOIN users u ON u.id = t.user_id
        """;

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static IReadOnlyList<string>? ParseConnections(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<string[]>(json);

    private static ApiToken ToToken(TokenRow r) => new(
        r.id, r.name, r.user_id, r.owner, r.kind == "user" ? IdentityKind.User : IdentityKind.ServiceAccount,
        ParseConnections(r.connections), Rfc3339.Parse(r.created_at),
        r.expires_at is null ? null : Rfc3339.Parse(r.expires_at), r.last_used_at is null ? null : Rfc3339.Parse(r.last_used_at));

#pragma warning disable IDE1006 // column names
    private sealed class AuthRow
    {
        public string token_id { get; set; } = "";
        public byte[] token_sha256 { get; set; } = [];
        public string? expires_at { get; set; }
        public string? last_used_at { get; set; }
        public string? connections { get; set; }
        public string user_id { get; set; } = "";
    }

    private sealed class TokenRow
    {
        public string id { get; set; } = "";
        public string name { get; set; } = "";
        public string user_id { get; set; } = "";
        public string owner { get; set; } = "";
        public string kind { get; set; } = "";
        public string? connections { get; set; }
        public string created_at { get; set; } = "";
        public string? expires_at { get; set; }
        public string? last_used_at { get; set; }
    }
#pragma warning restore IDE1006
}
