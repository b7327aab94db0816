namespace Vigil.Masking.Recognizers;

/// <summary>
/// The shape every built-in recognizer shares, as Presidio's <c>PatternRecognizer</c>: a cheap pre-check that rejects a
/// text holding no candidate characters, the recognizer's own candidates with their base (or validated) scores,
/// Presidio's duplicate removal within the recognizer, then Presidio's context enhancement
/// (<see cref="ContextEnhancer"/>) with the recognizer's context words.
/// </summary>
public abstract class EntityRecognizer : IEntityRecognizer
{
    /// <summary>Score of a match whose validation (checksum, parse) succeeded: Presidio's <c>MAX_SCORE</c>.</summary>
    public const double ValidatedScore = 1.0;

    /// <summary>Creates a recognizer of <paramref name="entityType"/> raised by <paramref name="contextWords"/>.</summary>
    protected EntityRecognizer(string entityType, IReadOnlyList<string> contextWords)
    {
        EntityType = entityType;
        ContextWords = contextWords;
    }

    /// <inheritdoc />
    public string EntityType { get; }

    /// <summary>Presidio's <c>CONTEXT</c> list for this recognizer (lower case).</summary>
    public IReadOnlyList<string> ContextWords { get; }

    /// <inheritdoc />
    public void Recognize(string text, List<EntityMatch> matches) => Recognize(text, null, matches);

    /// <summary>
    /// Appends every match in <paramref name="text"/>; <paramref name="context"/> is extra text whose words count as
    /// context for every match (Presidio's <c>analyze(context=[…])</c>), e.g. the column name a value came from.
    /// </summary>
    public void Recognize(string text, string? context, List<EntityMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(matches);
        if (text.Length == 0 || !MayContain(text))
        {
            return;
        }
        var first = matches.Count;
        FindCandidates(text, matches);
        if (matches.Count == first)
        {
            return;
        }
        // Presidio's remove_duplicates: within one recognizer, a match inside a better one is the same finding.
        Containment.RemoveContained(matches, first);
        ContextEnhancer.Enhance(text, context, ContextWords, matches, first);
    }

    /// <summary>False when <paramref name="text"/> cannot hold a match (checked before any regex runs; must be cheap).</summary>
    protected abstract bool MayContain(string text);

    /// <summary>Appends the candidates with their pattern score, or <see cref="ValidatedScore"/> when validated; invalid ones are not appended.</summary>
    protected abstract void FindCandidates(string text, List<EntityMatch> matches);
}
