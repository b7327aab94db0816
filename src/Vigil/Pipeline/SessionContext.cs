using Vigil.Connections;
using Vigil.Identity;

namespace Vigil.Pipeline;

/// <summary>How a session reached the gateway: a one-off <c>exec</c> or a native protocol <c>connect</c>.</summary>
public enum SessionType
{
    /// <summary>One-off command through <c>POST /api/sessions</c> or <c>vigil exec</c>.</summary>
    Exec,
    /// <summary>A native client connected through a protocol adapter (the PostgreSQL proxy).</summary>
    Connect,
}

/// <summary>One open session: who, on which connection, how. Shared by every command the session sends.</summary>
public sealed class SessionContext(string id, CallerIdentity identity, Connection connection, SessionType type, string? clientUser, string? clientAddress, DateTimeOffset startedAt)
{
    private int _sequence;

    /// <summary>Session id (a GUID string).</summary>
    public string Id { get; } = id;

    /// <summary>The authenticated caller.</summary>
    public CallerIdentity Identity { get; } = identity;

    /// <summary>The target, with its credentials (never serialized).</summary>
    public Connection Connection { get; } = connection;

    /// <summary>exec or connect.</summary>
    public SessionType Type { get; } = type;

    /// <summary>The user name the native client claimed (recorded, not trusted).</summary>
    public string? ClientUser { get; } = clientUser;

    /// <summary>The client's remote address, "ip:port".</summary>
    public string? ClientAddress { get; } = clientAddress;

    /// <summary>When the session opened.</summary>
    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>The next event sequence number (1-based, gap-free, in the order events were produced).</summary>
    internal int NextSequence() => Interlocked.Increment(ref _sequence);
}
