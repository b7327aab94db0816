using Vigil.Identity;
using Vigil.Pipeline;
using Vigil.Sessions;

namespace Vigil.Adapters.Http;

/// <summary>
/// Groups proxied requests into sessions: one session per credential (API token) and connection, kept open while
/// requests arrive and closed (<c>done</c>) once none has been in flight for <see cref="ProxyLimits.IdleWindow"/>.
/// <para>
/// Why not one session per TCP connection: one <c>kubectl</c> invocation opens several connections (discovery runs in
/// parallel), HTTP/2 multiplexes unrelated invocations over one, and a keep-alive connection outlives the command,
/// so connections neither group a command's requests nor separate commands. A token is the identity the requests run
/// under, and an idle gap of a few seconds is what separates one command (or burst of an agent's calls) from the next.
/// </para>
/// A session the gateway terminates (token revoked, access withdrawn, JIT access over) aborts its requests in flight
/// and is closed <c>failed</c>; the next request opens a new session, authorized afresh. A session holds its
/// connection's settings as they were when it opened: when the connection changes (its URL, headers, token,
/// certificates, rules), its open sessions are retired: requests in flight finish as they started, the next request
/// opens a new session with the new settings, and a retired session closes (<c>done</c>) when its last request ends.
/// </summary>
public sealed class ProxySessions(CommandPipeline pipeline, ProxyLimits limits, TimeProvider time, Connections.ConnectionRepository connections) : IHostedService
{
    private readonly Dictionary<(string Connection, string Credential), Entry> _entries = [];
    private readonly SemaphoreSlim _opening = new(1, 1);

    /// <summary>
    /// A session of <paramref name="identity"/> on <paramref name="connection"/> for one request: the open one of the
    /// same token when there is one, else a new one (authorized by <see cref="CommandPipeline.OpenSessionAsync"/>).
    /// Dispose the lease when the request ends.
    /// </summary>
    public async Task<(Lease? Lease, SessionRefusal Refusal)> AcquireAsync(
        CallerIdentity identity, string connection, string? clientAddress, CancellationToken cancellationToken)
    {
        var key = (connection, identity.TokenId ?? identity.UserId);
        if (TryJoin(key) is { } joined)
        {
            return (joined, SessionRefusal.None);
        }
        // Opening is serialized so two first requests of one token do not open two sessions; it is rare (once per idle gap).
        await _opening.WaitAsync(cancellationToken);
        try
        {
            if (TryJoin(key) is { } raced)
            {
                return (raced, SessionRefusal.None);
            }
            var (session, refusal) = await pipeline.OpenSessionAsync(identity, connection, SessionType.Connect, null, clientAddress, null, cancellationToken);
            if (session is null)
            {
                return (null, refusal);
            }
            var entry = new Entry(session) { Active = 1 };
            lock (_entries)
            {
                _entries[key] = entry;
            }
            session.Terminated.Register(() => Release(key, entry, joinedOnly: true));
            return (new Lease(this, key, entry), SessionRefusal.None);
        }
        finally
        {
            _opening.Release();
        }
    }

    private Lease? TryJoin((string, string) key)
    {
        Entry? ended = null;
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (entry.Session.TerminationReason is null && !entry.Retired)
                {
                    entry.Active++;
                    entry.Idle?.Dispose();
                    entry.Idle = null;
                    return new Lease(this, key, entry);
                }
                if (entry.Active == 0)
                {
                    ended = Remove(key, entry);
                }
            }
        }
        if (ended is not null)
        {
            Close(ended);
        }
        return null;
    }

    /// <summary>A request ended (or, with <paramref name="joinedOnly"/>, the session was terminated): close the session when it is idle.</summary>
    private void Release((string, string) key, Entry entry, bool joinedOnly = false)
    {
        Entry? ended = null;
        lock (_entries)
        {
            if (!joinedOnly)
            {
                entry.Active--;
            }
            if (entry.Active > 0 || entry.Closed)
            {
                return;
            }
            if (entry.Session.TerminationReason is not null || entry.Retired)
            {
                ended = Remove(key, entry);
            }
            else if (!joinedOnly)
            {
                entry.Idle?.Dispose();
                entry.Idle = time.CreateTimer(_ => Expire(key, entry), null, limits.IdleWindow, Timeout.InfiniteTimeSpan);
            }
        }
        if (ended is not null)
        {
            Close(ended);
        }
    }

    /// <summary>
    /// The connection <paramref name="connection"/> changed: its sessions take no new requests; idle ones close now, the
    /// others when their last request ends.
    /// </summary>
    private void Retire(string connection)
    {
        var ended = new List<Entry>();
        lock (_entries)
        {
            foreach (var (key, entry) in _entries.Where(e => e.Key.Connection == connection).ToList())
            {
                entry.Retired = true;
                if (entry.Active == 0 && !entry.Closed)
                {
                    ended.Add(Remove(key, entry));
                }
            }
        }
        foreach (var entry in ended)
        {
            Close(entry);
        }
    }

    private void Expire((string, string) key, Entry entry)
    {
        Entry? ended;
        lock (_entries)
        {
            if (entry.Active > 0 || entry.Closed)
            {
                return;
            }
            ended = Remove(key, entry);
        }
        Close(ended);
    }

    /// <summary>Takes <paramref name="entry"/> out (caller holds the lock); the caller closes it outside the lock.</summary>
    private Entry Remove((string, string) key, Entry entry)
    {
        entry.Closed = true;
        entry.Idle?.Dispose();
        if (_entries.TryGetValue(key, out var current) && current == entry)
        {
            _entries.Remove(key);
        }
        return entry;
    }

    private void Close(Entry entry)
    {
        var terminated = entry.Session.TerminationReason;
        _ = pipeline.CloseSessionAsync(
            entry.Session, terminated is null ? SessionStatus.Done : SessionStatus.Failed, terminated is null ? null : $"terminated by the gateway: {terminated}");
    }

    /// <summary>Starts following connection changes.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        connections.Changed += Retire;
        return Task.CompletedTask;
    }

    /// <summary>Closes every open session (the recorder stops after this service, so the closes are written).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        connections.Changed -= Retire;
        List<Entry> open;
        lock (_entries)
        {
            open = [.. _entries.Values];
            foreach (var entry in open)
            {
                entry.Closed = true;
                entry.Idle?.Dispose();
            }
            _entries.Clear();
        }
        foreach (var entry in open)
        {
            await pipeline.CloseSessionAsync(entry.Session, SessionStatus.Done, "gateway shutting down");
        }
    }

    private sealed class Entry(SessionContext session)
    {
        public SessionContext Session { get; } = session;
        public int Active { get; set; }
        public ITimer? Idle { get; set; }
        public bool Closed { get; set; }

        /// <summary>Its connection changed: it takes no new requests.</summary>
        public bool Retired { get; set; }
    }

    /// <summary>One request's use of a session; disposing it ends the use.</summary>
    public sealed class Lease : IDisposable
    {
        private readonly ProxySessions _owner;
        private readonly (string, string) _key;
        private readonly Entry _entry;
        private int _disposed;

        internal Lease(ProxySessions owner, (string, string) key, object entry)
        {
            _owner = owner;
            _key = key;
            _entry = (Entry)entry;
        }

        /// <summary>The session the request belongs to.</summary>
        public SessionContext Session => _entry.Session;

        /// <inheritdoc />
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _owner.Release(_key, _entry);
            }
        }
    }
}
