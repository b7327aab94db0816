using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>One regex of a recognizer and the score Presidio gives its matches (Presidio's <c>Pattern</c>).</summary>
/// <param name="Regex">The compiled pattern.</param>
/// <param name="Score">Base score of a match before validation and context.</param>
public sealed record RecognizerPattern(Regex Regex, double Score);

/// <summary>
/// Presidio's <c>PatternRecognizer.analyze</c>: every pattern's matches, then <see cref="Validate"/> (true: score 1,
/// false: dropped, null: the pattern's score) and <see cref="Invalidate"/> (true: dropped).
/// </summary>
public abstract class PatternEntityRecognizer : EntityRecognizer
{
    private readonly RecognizerPattern[] _patterns;

    /// <summary>Creates a recognizer running <paramref name="patterns"/> in order.</summary>
    protected PatternEntityRecognizer(string entityType, IReadOnlyList<string> contextWords, params RecognizerPattern[] patterns)
        : base(entityType, contextWords) => _patterns = patterns;

    /// <summary>The patterns and their base scores, for documentation and tests.</summary>
    public IReadOnlyList<RecognizerPattern> Patterns => _patterns;

    /// <inheritdoc />
    protected override void FindCandidates(string text, List<EntityMatch> matches)
    {
        foreach (var pattern in _patterns)
        {
            try
            {
                foreach (var match in pattern.Regex.EnumerateMatches(text))
                {
                    if (match.Length == 0)
                    {
                        continue;
                    }
                    var value = text.AsSpan(match.Index, match.Length);
                    var score = Validate(value) switch
                    {
                        true => ValidatedScore,
                        false => 0,
                        null => pattern.Score,
                    };
                    if (score > 0 && !Invalidate(text, match.Index, match.Length))
                    {
                        matches.Add(new EntityMatch(EntityType, match.Index, match.Length, score));
                    }
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // As Presidio on a regex timeout: this pattern yields nothing more for this text; the others still run.
            }
        }
    }

    /// <summary>Presidio's <c>validate_result</c>: true raises the match to score 1, false drops it, null keeps the pattern score.</summary>
    protected virtual bool? Validate(ReadOnlySpan<char> value) => null;

    /// <summary>Presidio's <c>invalidate_result</c> (given the whole text so a recognizer can look around the match): true drops it.</summary>
    protected virtual bool Invalidate(string text, int start, int length) => false;

    /// <summary>Options for patterns free of lookarounds and back-references: linear time, no timeout needed.</summary>
    protected const RegexOptions Linear = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    /// <summary>Options for patterns that need lookarounds (paired with <see cref="Candidates.TimeoutMilliseconds"/>).</summary>
    protected const RegexOptions Backtracking = RegexOptions.CultureInvariant;
}
