namespace Vigil.Masking;

/// <summary>
/// How many values of each entity type were masked (a session's <c>masking_info {entity_type: count}</c>): counts
/// only, never values. Not thread-safe: one tally per result or session, filled by one reader at a time.
/// </summary>
public sealed class MaskingTally
{
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Count per entity type.</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>Values masked in all.</summary>
    public long Total { get; private set; }

    /// <summary>Counts one masked value of <paramref name="entityType"/>.</summary>
    public void Add(string entityType)
    {
        _counts[entityType] = _counts.GetValueOrDefault(entityType) + 1;
        Total++;
    }

    /// <summary>Adds every count of <paramref name="other"/> (e.g. a statement's tally into its session's).</summary>
    public void Add(MaskingTally other)
    {
        foreach (var (type, count) in other._counts)
        {
            _counts[type] = _counts.GetValueOrDefault(type) + count;
        }
        Total += other.Total;
    }
}
