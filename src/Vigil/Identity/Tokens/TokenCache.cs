using System.Collections.Concurrent;

namespace Vigil.Identity.Tokens;

/// <summary>
/// API tokens validated recently, by the SHA-256 of the token, so a burst of requests (kubectl's discovery, an HTTP
/// client's calls through <c>/proxy/</c>) does not read the store for each: the per-request token lookup was most of
/// the proxy's added latency. An entry is used for at most <see cref="Ttl"/> and never past its token's expiry.
/// In this process a change takes effect at once: revoking a token drops it (<see cref="ForgetToken"/>), changing,
/// deactivating or deleting an account drops its tokens (<see cref="ForgetUser"/>), deleting a group drops every entry
/// (<see cref="Clear"/>); an authentication that read the store before such a change is not cached
/// (<see cref="Generation"/>). Another gateway sharing the store sees such changes after at most <see cref="Ttl"/>.
/// Only valid tokens are cached; at most <see cref="MaxEntries"/> (when full, it starts over).
/// </summary>
/// <param name="ttl">How long a validation is reused (<c>VIGIL_TOKEN_CACHE_TTL</c>; zero disables the cache).</param>
/// <param name="time">The clock entries age and tokens expire by.</param>
public sealed class TokenCache(TimeSpan ttl, TimeProvider time)
{
    /// <summary>Most entries held.</summary>
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>How long a validation is reused.</summary>
    public TimeSpan Ttl => ttl;

    /// <summary>Changes with every invalidation; read it before the store and pass it to <see cref="Set"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>The identity of the token whose hash is <paramref name="hash"/>, when validated less than <see cref="Ttl"/> ago and not expired.</summary>
    public CallerIdentity? Get(byte[] hash)
    {
        if (ttl <= TimeSpan.Zero || !_entries.TryGetValue(Convert.ToHexString(hash), out var entry))
        {
            return null;
        }
        var now = time.GetUtcNow();
        return now - entry.Validated < ttl && !(entry.Identity.TokenExpiresAt <= now) ? entry.Identity : null;
    }

    /// <summary>Remembers a validation made from the store as it was at <paramref name="generation"/> (ignored when something changed since).</summary>
    public void Set(byte[] hash, CallerIdentity identity, long generation)
    {
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        var key = Convert.ToHexString(hash);
        _entries[key] = new Entry(identity, time.GetUtcNow());
        if (Generation != generation)
        {
            // An invalidation ran while the store was read: the identity may predate it.
            _entries.TryRemove(key, out _);
        }
    }

    /// <summary>Drops the token <paramref name="tokenId"/> (revoked).</summary>
    public void ForgetToken(string tokenId) => Forget(e => e.Identity.TokenId == tokenId);

    /// <summary>Drops every token of account <paramref name="userId"/> (changed, deactivated or deleted).</summary>
    public void ForgetUser(string userId) => Forget(e => e.Identity.UserId == userId);

    /// <summary>Drops everything (a change that may touch any account, e.g. a group deleted).</summary>
    public void Clear() => Forget(_ => true);

    private void Forget(Func<Entry, bool> match)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (key, entry) in _entries)
        {
            if (match(entry))
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    private sealed record Entry(CallerIdentity Identity, DateTimeOffset Validated);
}
