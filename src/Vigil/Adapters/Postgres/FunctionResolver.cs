using Npgsql;
using Vigil.Connections;
using Vigil.Adapters.Exec;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// Names the functions a session calls through FunctionCall (§55.2.6, which gives only an OID): one catalog lookup per
/// OID on the target, over a connection of the gateway's own with the connection's credentials, cached for the
/// session. A lookup that fails throws <see cref="FunctionResolutionException"/>: the call is refused, never guessed.
/// </summary>
internal sealed class FunctionResolver(Connection connection)
{
    private static readonly TimeSpan LookupTimeout = TimeSpan.FromSeconds(10);
    private readonly Dictionary<uint, ResolvedFunction> _cache = [];

    /// <summary>A function by OID: <c>schema.name</c> (each part quoted as the server would) and its argument types.</summary>
    /// <param name="QualifiedName">E.g. <c>pg_catalog.pg_terminate_backend</c>.</param>
    /// <param name="ArgumentTypes">As <c>oidvectortypes</c> prints them, e.g. <c>integer, bigint</c>.</param>
    public sealed record ResolvedFunction(string QualifiedName, string ArgumentTypes)
    {
        /// <summary><c>schema.name(argtypes)</c>.</summary>
        public override string ToString() => $"{QualifiedName}({ArgumentTypes})";
    }

    /// <summary>The function with <paramref name="oid"/>.</summary>
    /// <exception cref="FunctionResolutionException">No such function, or the target could not be asked.</exception>
    public async Task<ResolvedFunction> ResolveAsync(uint oid, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(oid, out var known))
        {
            return known;
        }
        try
        {
            await using var dataSource = TargetDataSource.Create(connection, LookupTimeout);
            await using var lookup = dataSource.CreateCommand(
                "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname), pg_catalog.oidvectortypes(p.proargtypes) "
                + "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE p.oid = $1");
            lookup.Parameters.Add(new NpgsqlParameter { Value = oid, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid });
            await using var reader = await lookup.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new FunctionResolutionException($"no function has OID {oid}");
            }
            var resolved = new ResolvedFunction(reader.GetString(0), reader.GetString(1));
            _cache[oid] = resolved;
            return resolved;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // The server's own text can name the upstream role or host; say what kind of failure it was only.
            var why = e is PostgresException p ? $"the target answered SQLSTATE {p.SqlState}" : "the target could not be reached";
            throw new FunctionResolutionException($"cannot look up function OID {oid} on connection \"{connection.Name}\": {why}", e);
        }
    }
}

/// <summary>A FunctionCall's OID could not be resolved to a function name; the message says why (no secrets).</summary>
internal sealed class FunctionResolutionException(string message, Exception? inner = null) : Exception(message, inner);
