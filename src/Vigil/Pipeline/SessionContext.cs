using Vigil.Analysis;
using Vigil.Connections;
using Vigil.Identity;

namespace Vigil.Pipeline;

/// <summary>
/// How a session reached the gateway: a one-off <c>exec</c>, a native protocol <c>connect</c>, or an agent's one-off
/// command through an MCP tool (<c>mcp</c>). <c>exec</c> and <c>mcp</c> are both one-off commands: they need the
/// connection's <c>exec</c> access mode and follow the same review rules; the type tells an auditor who ran it.
/// </summary>
public enum SessionType
{
    /// <summary>One-off command through <c>POST /api/sessions</c> or <c>vigil exec</c>.</summary>
    Exec,
    /// <summary>A native client connected through a protocol adapter (the PostgreSQL proxy).</summary>
    Connect,
    /// <summary>One-off command an agent ran through an MCP tool (<c>vigil mcp</c> or <c>/api/mcp</c>).</summary>
    Mcp,
}

/// <summary>API spelling of <see cref="SessionType"/> and the access mode each needs.</summary>
public static class SessionTypes
{
    /// <summary>The API spelling of every type: <c>exec</c>, <c>connect</c>, <c>mcp</c>.</summary>
    public static readonly IReadOnlyList<string> All = [.. Enum.GetValues<SessionType>().Select(Name)];

    /// <summary><c>exec</c>, <c>connect</c> or <c>mcp</c>.</summary>
    public static string Name(this SessionType type) => type switch
    {
        SessionType.Exec => "exec",
        SessionType.Connect => "connect",
        _ => "mcp",
    };

    /// <summary>The type named <paramref name="name"/> (<see cref="Name"/>), or null.</summary>
    public static SessionType? Parse(string? name) => name switch
    {
        "exec" => SessionType.Exec,
        "connect" => SessionType.Connect,
        "mcp" => SessionType.Mcp,
        _ => null,
    };

    /// <summary>True for the one-off command types (<c>exec</c>, <c>mcp</c>): one command, reviewed then executed.</summary>
    public static bool IsOneOff(this SessionType type) => type != SessionType.Connect;

    /// <summary>True when the session type named <paramref name="name"/> is a one-off command type.</summary>
    public static bool IsOneOff(string? name) => Parse(name) is { } type && type.IsOneOff();

    /// <summary>The connection access mode the type needs: <c>exec</c> for one-off commands, else <c>connect</c>.</summary>
    public static string AccessMode(this SessionType type) => type.IsOneOff() ? ConnectionAccess.Exec : ConnectionAccess.Connect;
}

/// <summary>
/// What an MCP client told the gateway about itself (the <c>clientInfo</c> of its <c>initialize</c> request) and which
/// tool opened the session; recorded as the session's <c>client_name</c>, <c>client_version</c> and <c>tool</c>.
/// Self-reported: recorded, not trusted (the identity is the token's).
/// </summary>
public sealed record SessionClient(string? Name, string? Version, string? Tool);

/// <summary>
/// One open session: who, on which connection, how. Shared by every command the session sends. The gateway can
/// <see cref="Terminate"/> it (owner deactivated, token revoked or expired); adapters watch <see cref="Terminated"/>.
/// </summary>
public sealed class SessionContext(
    string id, CallerIdentity identity, Connection connection, SessionType type, string? clientUser, string? clientAddress, DateTimeOffset startedAt,
    int lastSequence = 0, SessionClient? client = null)
    : IDisposable
{
    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
    private readonly CancellationTokenSource _terminated = new();
    private int _sequence = lastSequence;
    private string? _terminationReason;
    private ITimer? _expiry;
    private AiAnalysis? _worst;
    private readonly Dictionary<string, long> _masked = new(StringComparer.Ordinal);

    /// <summary>Session id (a GUID string).</summary>
    public string Id { get; } = id;

    /// <summary>The authenticated caller.</summary>
    public CallerIdentity Identity { get; } = identity;

    /// <summary>The target, with its credentials (never serialized).</summary>
    public Connection Connection { get; } = connection;

    /// <summary>exec, connect or mcp.</summary>
    public SessionType Type { get; } = type;

    /// <summary>The MCP client and tool that opened the session (<see cref="SessionType.Mcp"/>); null for others.</summary>
    public SessionClient? Client { get; } = client;

    /// <summary>The user name the native client claimed (recorded, not trusted).</summary>
    public string? ClientUser { get; } = clientUser;

    /// <summary>The client's remote address, "ip:port".</summary>
    public string? ClientAddress { get; } = clientAddress;

    /// <summary>When the session opened.</summary>
    public DateTimeOffset StartedAt { get; } = startedAt;

    /// <summary>Cancelled when the gateway ends the session; <see cref="TerminationReason"/> says why.</summary>
    public CancellationToken Terminated => _terminated.Token;

    /// <summary>Why the gateway ended the session, or null while it may continue.</summary>
    public string? TerminationReason => Volatile.Read(ref _terminationReason);

    /// <summary>When the just-in-time access this session opened under ends; null when it needed none.</summary>
    public DateTimeOffset? AccessUntil { get; internal set; }

    /// <summary>What the PostgreSQL target reported about the session (ParameterStatus); empty for other sessions.</summary>
    public ServerParameters ServerParameters { get; } = new();

    /// <summary>The session's use of the analyzer's provider (written as an analytics event when it closes).</summary>
    public AnalysisUsage Usage { get; } = new();

    /// <summary>The worst analysis among the session's commands so far (the session's <c>ai_analysis</c>), or null.</summary>
    public AiAnalysis? WorstAnalysis => Volatile.Read(ref _worst);

    /// <summary>Makes <paramref name="analysis"/> the session's worst when it is more severe; true when it changed.</summary>
    internal bool RaiseWorst(AiAnalysis analysis)
    {
        while (true)
        {
            var current = Volatile.Read(ref _worst);
            if (current is not null && current.Severity >= analysis.Severity)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _worst, analysis, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Ends the session for <paramref name="reason"/> (the first reason wins).</summary>
    public void Terminate(string reason)
    {
        if (Interlocked.CompareExchange(ref _terminationReason, reason, null) is null)
        {
            _terminated.Cancel();
        }
    }

    /// <summary>Terminates the session at <paramref name="at"/> on <paramref name="time"/>'s clock (a credential's expiry).</summary>
    internal void TerminateAt(DateTimeOffset at, string reason, TimeProvider time)
    {
        _expiry = time.CreateTimer(_ =>
        {
            // A deadline beyond the longest due time is reached in steps: re-arm for the rest.
            var rest = at - time.GetUtcNow();
            if (rest > TimeSpan.Zero)
            {
                _expiry?.Change(TimerDue(rest), Timeout.InfiniteTimeSpan);
                return;
            }
            Terminate(reason);
        }, null, TimerDue(at - time.GetUtcNow()), Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// <paramref name="due"/> within what a timer accepts: 0 for the past, at most 2^32-2 ms (about 49.7 days, the
    /// limit of <see cref="ITimer.Change"/>; a longer one throws, so a 3650-day token could not open a session).
    /// </summary>
    private static TimeSpan TimerDue(TimeSpan due) =>
        due <= TimeSpan.Zero ? TimeSpan.Zero : due > MaxTimerDue ? MaxTimerDue : due;

    /// <summary>The next event sequence number (1-based, gap-free, in the order events were produced).</summary>
    internal int NextSequence() => Interlocked.Increment(ref _sequence);

    /// <inheritdoc />
    public void Dispose() => _expiry?.Dispose(); // the token source stays usable: a late Terminate must not throw


    /// <summary>
    /// Adds values masked in one result to the session's counts per entity type (<c>masking_info</c>); returns a
    /// snapshot of the session's counts after the addition. Counts only, never values.
    /// </summary>
    public IReadOnlyDictionary<string, long> AddMasked(IReadOnlyDictionary<string, long> counts)
    {
        lock (_masked)
        {
            foreach (var (type, count) in counts)
            {
                _masked[type] = _masked.GetValueOrDefault(type) + count;
            }
            return new Dictionary<string, long>(_masked, StringComparer.Ordinal);
        }
    }
}
