using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Identity.Tokens;
using Vigil.Storage;

namespace Vigil.Identity.Users;

/// <summary>
/// Users and service accounts with their group memberships, in the store's <c>users</c> and <c>user_groups</c> tables.
/// Changing or deleting an account drops its tokens' cached validations (<see cref="TokenCache"/>).
/// </summary>
public sealed class UserRepository(SqliteStore store, TokenCache? tokens = null)
{
    private const string Columns = "id, kind, email, name, status, password_hash IS NOT NULL AS has_password, oidc_subject, created_at, updated_at";

    /// <summary>Filters of <see cref="ListAsync"/>; null fields do not filter.</summary>
    public sealed record Query(IdentityKind Kind, string? Group, string? Status, int Page, int PageSize);

    /// <summary>Inserts an account with its groups (which must exist); false when the e-mail or service-account name is taken.</summary>
    public Task<bool> CreateAsync(UserAccount account, string? passwordHash, CancellationToken cancellationToken) =>
        SaveAsync(
            """
            INSERT INTO users (id, kind, email, name, status, password_hash, oidc_subject, created_at, updated_at)
            VALUES (@Id, @kind, @Email, @Name, @Status, @passwordHash, @OidcSubject, @created, @updated)
            """,
            new
            {
                account.Id, kind = KindText(account.Kind), account.Email, account.Name, account.Status, passwordHash,
                account.OidcSubject, created = Rfc3339.Format(account.CreatedAt), updated = Rfc3339.Format(account.UpdatedAt),
            },
            account, cancellationToken);

    /// <summary>Replaces e-mail, name, status and groups; false when the new e-mail or name collides with another account.</summary>
    public async Task<bool> UpdateAsync(UserAccount account, CancellationToken cancellationToken)
    {
        var saved = await SaveAsync(
            "UPDATE users SET email=@Email, name=@Name, status=@Status, oidc_subject=@OidcSubject, updated_at=@updated WHERE id=@Id",
            new { account.Id, account.Email, account.Name, account.Status, account.OidcSubject, updated = Rfc3339.Format(account.UpdatedAt) },
            account, cancellationToken);
        tokens?.ForgetUser(account.Id);
        return saved;
    }

    /// <summary>Deletes an account, its tokens and its browser sessions (recorded sessions and audit entries stay); false when unknown.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition("DELETE FROM api_tokens WHERE user_id=@id", new { id }, transaction, cancellationToken: cancellationToken));
        var deleted = await db.ExecuteAsync(new CommandDefinition("DELETE FROM users WHERE id=@id", new { id }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        tokens?.ForgetUser(id);
        return deleted == 1;
    }

    /// <summary>
    /// The account of <paramref name="kind"/> whose id, or e-mail (users) or name (service accounts), is
    /// <paramref name="key"/>; null when none.
    /// </summary>
    public async Task<UserAccount?> FindAsync(IdentityKind kind, string key, CancellationToken cancellationToken)
    {
        var column = kind == IdentityKind.User ? "email" : "name";
        return await FindWhereAsync($"kind=@kind AND (id=@key OR {column}=@lowered)", new { kind = KindText(kind), key, lowered = kind == IdentityKind.User ? key.ToLowerInvariant() : key }, cancellationToken);
    }

    /// <summary>The account with id <paramref name="id"/>, whatever its kind; null when none.</summary>
    public Task<UserAccount?> FindByIdAsync(string id, CancellationToken cancellationToken) =>
        FindWhereAsync("id=@id", new { id }, cancellationToken);

    /// <summary>The user linked to the OIDC identity <paramref name="subject"/> (<c>iss|sub</c>); null when none.</summary>
    public Task<UserAccount?> FindByOidcSubjectAsync(string subject, CancellationToken cancellationToken) =>
        FindWhereAsync("oidc_subject=@subject", new { subject }, cancellationToken);

    /// <summary>A page of accounts of one kind ordered by e-mail / name, and the total count.</summary>
    public async Task<(IReadOnlyList<UserAccount> Items, long Total)> ListAsync(Query query, CancellationToken cancellationToken)
    {
        const string where = """
            kind=@kind AND (@status IS NULL OR status=@status)
            AND (@group IS NULL OR id IN (SELECT user_id FROM user_groups WHERE group_name=@group))
            """;
        var args = new
        {
            kind = KindText(query.Kind), status = query.Status, group = query.Group,
            limit = query.PageSize, offset = (query.Page - 1) * query.PageSize,
        };
        await using var db = await store.OpenAsync(cancellationToken);
        var total = await db.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM users WHERE {where}", args, cancellationToken: cancellationToken));
        var rows = (await db.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE {where} ORDER BY coalesce(email, name) LIMIT @limit OFFSET @offset",
            args, cancellationToken: cancellationToken))).ToList();
        var items = new List<UserAccount>(rows.Count);
        foreach (var row in rows)
        {
            items.Add(ToAccount(row, await GroupsAsync(db, row.id, cancellationToken)));
        }
        return (items, total);
    }

    /// <summary>Stores a password hash (<see cref="Passwords.PasswordHasher"/> format) or clears it with null.</summary>
    public async Task SetPasswordHashAsync(string id, string? passwordHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET password_hash=@passwordHash, updated_at=@now WHERE id=@id",
            new { id, passwordHash, now = Rfc3339.Format(now) }, cancellationToken: cancellationToken));
    }

    /// <summary>The user with e-mail <paramref name="email"/> and its password hash; nulls when unknown.</summary>
    public async Task<(UserAccount? Account, string? PasswordHash)> FindForLoginAsync(string email, CancellationToken cancellationToken)
    {
        var account = await FindAsync(IdentityKind.User, email, cancellationToken);
        return (account, account is null ? null : await PasswordHashAsync(account.Id, cancellationToken));
    }

    /// <summary>The password hash of account <paramref name="id"/>, or null when it has none.</summary>
    public async Task<string?> PasswordHashAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return await db.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT password_hash FROM users WHERE id=@id", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Number of active members of the built-in admin group, so the last one cannot lock everybody out.</summary>
    public async Task<long> CountActiveAdminsAsync(CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return await db.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM users u JOIN user_groups g ON g.user_id = u.id WHERE g.group_name='admin' AND u.status='active'",
            cancellationToken: cancellationToken));
    }

    private async Task<UserAccount?> FindWhereAsync(string where, object args, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM users WHERE {where}", args, cancellationToken: cancellationToken));
        return row is null ? null : ToAccount(row, await GroupsAsync(db, row.id, cancellationToken));
    }

    /// <summary>Group names of <paramref name="userId"/>, ordered.</summary>
    internal static async Task<IReadOnlyList<string>> GroupsAsync(SqliteConnection db, string userId, CancellationToken cancellationToken) =>
        (await db.QueryAsync<string>(new CommandDefinition(
            "SELECT group_name FROM user_groups WHERE user_id=@userId ORDER BY group_name", new { userId }, cancellationToken: cancellationToken))).ToList();

    /// <summary>Writes the account row with <paramref name="sql"/> and its groups in one transaction; false on a uniqueness conflict.</summary>
    private async Task<bool> SaveAsync(string sql, object args, UserAccount account, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        try
        {
            await db.ExecuteAsync(new CommandDefinition(sql, args, transaction, cancellationToken: cancellationToken));
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            return false;
        }
        await ReplaceGroupsAsync(db, transaction, account.Id, account.Groups, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    private static async Task ReplaceGroupsAsync(SqliteConnection db, System.Data.Common.DbTransaction transaction, string userId, IEnumerable<string> groups, CancellationToken cancellationToken)
    {
        await db.ExecuteAsync(new CommandDefinition("DELETE FROM user_groups WHERE user_id=@userId", new { userId }, transaction, cancellationToken: cancellationToken));
        foreach (var group in groups.Distinct(StringComparer.Ordinal))
        {
            await db.ExecuteAsync(new CommandDefinition(
                "INSERT INTO user_groups (user_id, group_name) VALUES (@userId, @group)", new { userId, group }, transaction, cancellationToken: cancellationToken));
        }
    }

    internal static string KindText(IdentityKind kind) => kind == IdentityKind.User ? "user" : "serviceaccount";

    private static UserAccount ToAccount(Row r, IReadOnlyList<string> groups) => new(
        r.id, r.kind == "user" ? IdentityKind.User : IdentityKind.ServiceAccount, r.email, r.name, r.status, groups,
        r.has_password != 0, r.oidc_subject, Rfc3339.Parse(r.created_at), Rfc3339.Parse(r.updated_at));

#pragma warning disable IDE1006 // column names
    private sealed class Row
    {
        public string id { get; set; } = "";
        public string kind { get; set; } = "";
        public string? email { get; set; }
        public string name { get; set; } = "";
        public string status { get; set; } = "";
        public long has_password { get; set; }
        public string? oidc_subject { get; set; }
        public string created_at { get; set; } = "";
        public string updated_at { get; set; } = "";
    }
#pragma warning restore IDE1006
}
