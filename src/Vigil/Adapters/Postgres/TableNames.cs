using Npgsql;
using Vigil.Adapters.Exec;
using Vigil.Connections;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// Names the tables a result's columns come from (RowDescription gives only table OIDs, §55.7), for column masking
/// rules: one catalog lookup per batch of unknown OIDs on the target over a connection of the gateway's own, cached for
/// the session. A lookup that fails leaves the OIDs unnamed (null), as for a column that is no table's: then only
/// column rules whose table pattern is <c>*</c> apply, and content recognizers still scan every value.
/// </summary>
internal sealed class TableNames(Connection connection)
{
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(10);
    private readonly Dictionary<uint, string?> _cache = [];

    /// <summary><c>schema.table</c> of <paramref name="oid"/> once resolved; null for 0, unknown or unresolvable OIDs.</summary>
    public string? Of(uint oid) => oid != 0 && _cache.TryGetValue(oid, out var name) ? name : null;

    /// <summary>Looks up the OIDs among <paramref name="oids"/> not asked before.</summary>
    public async Task ResolveAsync(IEnumerable<uint> oids, CancellationToken cancellationToken)
    {
        var unknown = oids.Where(o => o != 0 && !_cache.ContainsKey(o)).Distinct().ToArray();
        if (unknown.Length == 0)
        {
            return;
        }
        foreach (var oid in unknown)
        {
            _cache[oid] = null;
        }
        try
        {
            await using var dataSource = TargetDataSource.Create(connection, LookupTimeout);
            await using var lookup = dataSource.CreateCommand(
                "SELECT c.oid, n.nspname || '.' || c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = ANY($1)");
            lookup.Parameters.Add(new NpgsqlParameter { Value = unknown, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Oid });
            await using var reader = await lookup.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                _cache[reader.GetFieldValue<uint>(0)] = reader.GetString(1);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // Unnamed (see the class remarks).
        }
    }
}
