using System.Collections.Concurrent;
using System.Security.Cryptography;
using Vigil.Connections;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// Routes a client's <c>CancelRequest</c> (PostgreSQL docs §55.2.7 "Canceling Requests in Progress") to the right
/// upstream backend. Clients see a gateway-issued (process id, secret key) pair, never the upstream's.
/// </summary>
public sealed class CancelRegistry
{
    private readonly ConcurrentDictionary<(int ProcessId, int SecretKey), UpstreamKey> _keys = new();

    /// <summary>Where a cancel goes: the target and the upstream backend's own key.</summary>
    public sealed record UpstreamKey(Connection Connection, int ProcessId, int SecretKey);

    /// <summary>Issues a fresh client-facing key for <paramref name="upstream"/>.</summary>
    public (int ProcessId, int SecretKey) Register(UpstreamKey upstream)
    {
        while (true)
        {
            var key = (RandomNumberGenerator.GetInt32(1, int.MaxValue), RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue));
            if (_keys.TryAdd(key, upstream))
            {
                return key;
            }
        }
    }

    /// <summary>Forgets a key when its session ends.</summary>
    public void Remove((int ProcessId, int SecretKey) key) => _keys.TryRemove(key, out _);

    /// <summary>The upstream for a client key, or null for unknown keys (which are ignored, as PostgreSQL does).</summary>
    public UpstreamKey? Find(int processId, int secretKey) => _keys.TryGetValue((processId, secretKey), out var upstream) ? upstream : null;
}
