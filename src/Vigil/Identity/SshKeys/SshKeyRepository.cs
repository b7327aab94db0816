using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Identity.Users;
using Vigil.Storage;

namespace Vigil.Identity.SshKeys;

/// <summary>
/// Public keys registered on identities (the store's <c>ssh_keys</c> table; a fingerprint is unique across
/// identities, and an identity's keys go with it when it is deleted), and the lookup the SSH listener uses to turn an
/// offered public key into the identity that logs in (<see cref="FindIdentityAsync(string, CancellationToken)"/>).
/// </summary>
public sealed class SshKeyRepository(SqliteStore store, UserRepository users)
{
    private const string Columns = "id, user_id, name, type, public_key, fingerprint, created_at";

    /// <summary>Most keys one identity may register.</summary>
    public const int MaxKeysPerIdentity = 100;

    /// <summary>Stores <paramref name="key"/>; false when its fingerprint is registered already (on any identity).</summary>
    public async Task<bool> AddAsync(SshKey key, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        try
        {
            await db.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO ssh_keys ({Columns}) VALUES (@Id, @UserId, @Name, @Type, @PublicKey, @Fingerprint, @created)",
                new { key.Id, key.UserId, key.Name, key.Type, key.PublicKey, key.Fingerprint, created = Rfc3339.Format(key.CreatedAt) },
                cancellationToken: cancellationToken));
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            return false;
        }
    }

    /// <summary>The keys of identity <paramref name="userId"/>, oldest first.</summary>
    public async Task<IReadOnlyList<SshKey>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM ssh_keys WHERE user_id=@userId ORDER BY created_at, id", new { userId }, cancellationToken: cancellationToken));
        return rows.Select(ToKey).ToList();
    }

    /// <summary>Deletes key <paramref name="id"/> of identity <paramref name="userId"/>; false when it has no such key.</summary>
    public async Task<bool> DeleteAsync(string userId, string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ssh_keys WHERE id=@id AND user_id=@userId", new { id, userId }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>The registered key with <paramref name="fingerprint"/> (<c>SHA256:…</c>), or null.</summary>
    public async Task<SshKey?> FindByFingerprintAsync(string fingerprint, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM ssh_keys WHERE fingerprint=@fingerprint", new { fingerprint }, cancellationToken: cancellationToken));
        return row is null ? null : ToKey(row);
    }

    /// <summary>
    /// The identity that registered the key with <paramref name="fingerprint"/> (<c>SHA256:…</c>), as an API token
    /// would produce it but with no token (<see cref="CallerIdentity.TokenId"/> null, not narrowed, no expiry); null
    /// when no identity has the key or that identity is inactive. The SSH listener calls this only after the client
    /// proved it holds the private key (RFC 4252 §7 signature check).
    /// </summary>
    public async Task<CallerIdentity?> FindIdentityAsync(string fingerprint, CancellationToken cancellationToken)
    {
        var key = await FindByFingerprintAsync(fingerprint, cancellationToken);
        if (key is null)
        {
            return null;
        }
        var account = await users.FindByIdAsync(key.UserId, cancellationToken);
        return account is { Status: UserStatus.Active } ? account.ToCaller() : null;
    }

    /// <summary>
    /// <see cref="FindIdentityAsync(string, CancellationToken)"/> for a public key blob as it travels in SSH messages
    /// (RFC 4253 §6.6: <c>string type</c> then the type's fields).
    /// </summary>
    public Task<CallerIdentity?> FindIdentityAsync(ReadOnlyMemory<byte> publicKeyBlob, CancellationToken cancellationToken) =>
        FindIdentityAsync(Connections.SshHostKey.FingerprintOf(publicKeyBlob.Span), cancellationToken);

    private static SshKey ToKey(Row r) => new(r.id, r.user_id, r.name, r.type, r.public_key, r.fingerprint, Rfc3339.Parse(r.created_at));

#pragma warning disable IDE1006 // column names
    private sealed class Row
    {
        public string id { get; set; } = "";
        public string user_id { get; set; } = "";
        public string name { get; set; } = "";
        public string type { get; set; } = "";
        public string public_key { get; set; } = "";
        public string fingerprint { get; set; } = "";
        public string created_at { get; set; } = "";
    }
#pragma warning restore IDE1006
}
