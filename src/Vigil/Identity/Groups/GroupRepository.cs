using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Identity.Tokens;
using Vigil.Storage;

namespace Vigil.Identity.Groups;

/// <summary>A group as the API shows it: <c>{name, description, builtin, members, created_at}</c> (members: e-mails / service-account names).</summary>
public sealed record GroupView(string Name, string Description, bool Builtin, IReadOnlyList<string> Members, string CreatedAt);

/// <summary>Groups in the store's <c>groups</c> table; the built-in <c>admin</c> and <c>auditor</c> are created by the schema.</summary>
public sealed class GroupRepository(SqliteStore store, TimeProvider time, TokenCache? tokens = null)
{
    /// <summary>Creates a group; false when the name is taken.</summary>
    public async Task<bool> CreateAsync(string name, string description, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        try
        {
            await db.ExecuteAsync(new CommandDefinition(
                "INSERT INTO groups (name, description, builtin, created_at) VALUES (@name, @description, 0, @now)",
                new { name, description, now = Rfc3339.Format(time.GetUtcNow()) }, cancellationToken: cancellationToken));
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            return false;
        }
    }

    /// <summary>Changes a group's description; false when unknown.</summary>
    public async Task<bool> UpdateAsync(string name, string description, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return await db.ExecuteAsync(new CommandDefinition(
            "UPDATE groups SET description=@description WHERE name=@name", new { name, description }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Deletes a non-built-in group, its memberships and its place in connections' <c>access_groups</c> (so a later
    /// group of the same name does not inherit access); false when unknown or built in.
    /// </summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await using var transaction = await db.BeginTransactionAsync(cancellationToken);
        if (await db.ExecuteAsync(new CommandDefinition(
                "DELETE FROM groups WHERE name=@name AND builtin=0", new { name }, transaction, cancellationToken: cancellationToken)) != 1)
        {
            return false;
        }
        await db.ExecuteAsync(new CommandDefinition(
            """
            UPDATE connections SET access_groups =
                (SELECT coalesce(json_group_array(value), '[]') FROM json_each(connections.access_groups) WHERE value <> @name)
            WHERE EXISTS (SELECT 1 FROM json_each(connections.access_groups) WHERE value = @name)
            """,
            new { name }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        // Members lost the group: cached identities still list it.
        tokens?.Clear();
        return true;
    }

    /// <summary>The group <paramref name="name"/> with its members, or null.</summary>
    public async Task<GroupView?> FindAsync(string name, CancellationToken cancellationToken) =>
        (await QueryAsync("WHERE g.name=@name", new { name }, cancellationToken)).SingleOrDefault();

    /// <summary>Every group ordered by name, with members.</summary>
    public Task<IReadOnlyList<GroupView>> ListAsync(CancellationToken cancellationToken) => QueryAsync("", null, cancellationToken);

    /// <summary>The names in <paramref name="groups"/> that are not groups; empty when all exist.</summary>
    public async Task<IReadOnlyList<string>> MissingAsync(IEnumerable<string> groups, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var known = (await db.QueryAsync<string>(new CommandDefinition("SELECT name FROM groups", cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);
        return groups.Where(g => !known.Contains(g)).Distinct(StringComparer.Ordinal).ToList();
    }

    private async Task<IReadOnlyList<GroupView>> QueryAsync(string where, object? args, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var groups = await db.QueryAsync<(string Name, string Description, long Builtin, string CreatedAt)>(new CommandDefinition(
            $"SELECT g.name, g.description, g.builtin, g.created_at FROM groups g {where} ORDER BY g.name", args, cancellationToken: cancellationToken));
        var members = (await db.QueryAsync<(string Group, string Member)>(new CommandDefinition(
            "SELECT m.group_name, coalesce(u.email, u.name) FROM user_groups m JOIN users u ON u.id = m.user_id ORDER BY 2",
            cancellationToken: cancellationToken))).ToLookup(m => m.Group, m => m.Member, StringComparer.Ordinal);
        return groups.Select(g => new GroupView(g.Name, g.Description, g.Builtin != 0, members[g.Name].ToList(), g.CreatedAt)).ToList();
    }
}
