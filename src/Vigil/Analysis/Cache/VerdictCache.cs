using System.Collections.Concurrent;
using Vigil.Analysis.Providers;

namespace Vigil.Analysis.Cache;

/// <summary>
/// What identifies a provider verdict: the connection type, the statement's fingerprint (literals and whitespace
/// normalized as pg_stat_statements does, so <c>WHERE id = 1</c> and <c>WHERE id = 2</c> share one entry), the hash of
/// the effective system prompt (a rule's custom prompt changes it) and the model.
/// </summary>
public readonly record struct VerdictKey(string ConnectionType, string Fingerprint, string PromptHash, string Model);

/// <summary>
/// Provider verdicts by <see cref="VerdictKey"/>, each kept for the configured TTL. Bounded: when full, expired entries
/// go first, then the oldest. Hit and miss counters are exposed at <c>GET /api/ai/session-analyzer/cache</c>.
/// </summary>
public sealed class VerdictCache(TimeSpan ttl, int capacity, TimeProvider time)
{
    private readonly ConcurrentDictionary<VerdictKey, Entry> _entries = new();
    private long _hits, _misses;

    private sealed record Entry(ProviderVerdict Verdict, string Provider, long ExpiresAt, long StoredAt);

    /// <summary>Counters: <c>{entries, capacity, hits, misses, ttl_seconds}</c>.</summary>
    public sealed record Stats(int Entries, int Capacity, long Hits, long Misses, double TtlSeconds);

    /// <summary>How long an entry lives.</summary>
    public TimeSpan Ttl => ttl;

    /// <summary>The cached verdict for <paramref name="key"/> unless missing or expired (an expired one is removed).</summary>
    public ProviderVerdict? TryGet(in VerdictKey key)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            if (entry.ExpiresAt > time.GetTimestamp())
            {
                Interlocked.Increment(ref _hits);
                return entry.Verdict;
            }
            _entries.TryRemove(KeyValuePair.Create(key, entry));
        }
        Interlocked.Increment(ref _misses);
        return null;
    }

    /// <summary>Stores <paramref name="verdict"/> for <paramref name="key"/> for <see cref="Ttl"/>.</summary>
    public void Set(in VerdictKey key, ProviderVerdict verdict, string provider)
    {
        if (ttl <= TimeSpan.Zero || capacity <= 0)
        {
            return;
        }
        var now = time.GetTimestamp();
        if (_entries.Count >= capacity)
        {
            Evict(now);
        }
        _entries[key] = new Entry(verdict, provider, now + (long)(ttl.TotalSeconds * time.TimestampFrequency), now);
    }

    /// <summary>Drops every entry (the provider or a rule's prompt changed; their keys would no longer match anyway).</summary>
    public void Clear() => _entries.Clear();

    /// <summary>The counters.</summary>
    public Stats Read() => new(_entries.Count, capacity, Interlocked.Read(ref _hits), Interlocked.Read(ref _misses), ttl.TotalSeconds);

    private void Evict(long now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.ExpiresAt <= now)
            {
                _entries.TryRemove(key, out _);
            }
        }
        // Still full: drop the oldest tenth rather than one at a time, so a full cache does not scan on every insert.
        var excess = _entries.Count - capacity + Math.Max(1, capacity / 10);
        if (excess > 0)
        {
            foreach (var (key, _) in _entries.OrderBy(e => e.Value.StoredAt).Take(excess).ToList())
            {
                _entries.TryRemove(key, out _);
            }
        }
    }
}
