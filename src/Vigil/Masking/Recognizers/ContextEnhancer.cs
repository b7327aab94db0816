namespace Vigil.Masking.Recognizers;

/// <summary>
/// Presidio's <c>LemmaContextAwareEnhancer</c> with its defaults: when one of a recognizer's context words appears in
/// the <see cref="PrefixWords"/> words before a match (or in the caller's extra context), the score rises by
/// <see cref="SimilarityFactor"/>, to at least <see cref="MinScoreWithContext"/>, at most 1.
/// </summary>
/// <remarks>
/// Presidio compares spaCy lemmas by substring ("card" matches "creditcards"). Vigil has no NLP pipeline on the hot path:
/// it matches each context word case-insensitively as a substring of the raw text of those preceding words, which keeps
/// the substring behaviour (plurals, "creditcard") and lets Presidio's multi-word entries ("mac address") match too.
/// </remarks>
public static class ContextEnhancer
{
    /// <summary>Presidio's <c>context_similarity_factor</c>.</summary>
    public const double SimilarityFactor = 0.35;

    /// <summary>Presidio's <c>min_score_with_context_similarity</c>.</summary>
    public const double MinScoreWithContext = 0.4;

    /// <summary>Presidio's <c>context_prefix_count</c>: words looked at before a match (none after, as Presidio).</summary>
    public const int PrefixWords = 5;

    /// <summary>Raises the score of each of <c>matches[first..]</c> that has a supportive context word.</summary>
    public static void Enhance(string text, string? extraContext, IReadOnlyList<string> contextWords, List<EntityMatch> matches, int first)
    {
        if (contextWords.Count == 0)
        {
            return;
        }
        var extraSupports = !string.IsNullOrEmpty(extraContext) && ContainsAny(extraContext, contextWords);
        for (var i = first; i < matches.Count; i++)
        {
            var match = matches[i];
            if (match.Score >= 1.0)
            {
                continue;
            }
            if (extraSupports || ContainsAny(PrecedingWords(text, match.Start), contextWords))
            {
                matches[i] = match with { Score = Raise(match.Score) };
            }
        }
    }

    /// <summary>The score Presidio gives a match with supportive context: +0.35, at least 0.4, at most 1.</summary>
    public static double Raise(double score) => Math.Min(1.0, Math.Max(score + SimilarityFactor, MinScoreWithContext));

    /// <summary>The text of the (at most) <see cref="PrefixWords"/> words ending before <paramref name="start"/>.</summary>
    internal static ReadOnlySpan<char> PrecedingWords(string text, int start)
    {
        var position = start;
        var words = 0;
        var inWord = false;
        while (position > 0)
        {
            var c = text[position - 1];
            var wordChar = char.IsLetterOrDigit(c) || c == '#';
            if (wordChar && !inWord)
            {
                if (words == PrefixWords)
                {
                    break;
                }
                words++;
            }
            inWord = wordChar;
            position--;
        }
        return text.AsSpan(position, start - position);
    }

    private static bool ContainsAny(ReadOnlySpan<char> window, IReadOnlyList<string> contextWords)
    {
        if (window.IsEmpty)
        {
            return false;
        }
        for (var i = 0; i < contextWords.Count; i++)
        {
            if (window.Contains(contextWords[i], StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
