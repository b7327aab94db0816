namespace Vigil.Masking.Recognizers;

/// <summary>
/// Presidio's duplicate and conflict removal in one sweep: a match contained in another of higher score, or of equal
/// score that comes first (starts earlier, is longer, or is the same span earlier in the list), is dropped. A sweep
/// over matches ordered by start keeps this linear for the many disjoint matches of a large value (a pairwise check
/// is quadratic).
/// </summary>
internal static class Containment
{
    /// <summary>Removes the contained matches among <c>matches[first..]</c>; the rest stay, ordered by start.</summary>
    public static void RemoveContained(List<EntityMatch> matches, int first)
    {
        var count = matches.Count - first;
        if (count < 2)
        {
            return;
        }
        var items = new (EntityMatch Match, int Order)[count];
        for (var i = 0; i < count; i++)
        {
            items[i] = (matches[first + i], i);
        }
        Array.Sort(items, static (a, b) =>
            a.Match.Start != b.Match.Start ? a.Match.Start.CompareTo(b.Match.Start)
            : a.Match.Length != b.Match.Length ? b.Match.Length.CompareTo(a.Match.Length)
            : a.Match.Score != b.Match.Score ? b.Match.Score.CompareTo(a.Match.Score)
            : a.Order.CompareTo(b.Order));
        matches.RemoveRange(first, count);
        var active = new List<EntityMatch>();
        foreach (var (candidate, _) in items)
        {
            active.RemoveAll(m => m.Start + m.Length <= candidate.Start);
            var end = candidate.Start + candidate.Length;
            // Every active match starts at or before the candidate and precedes it in the order above.
            if (!active.Exists(m => m.Start + m.Length >= end && m.Score >= candidate.Score))
            {
                matches.Add(candidate);
            }
            active.Add(candidate);
        }
    }
}
