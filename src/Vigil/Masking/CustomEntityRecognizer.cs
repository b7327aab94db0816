using System.Buffers;
using System.Text.RegularExpressions;
using Vigil.Masking.Recognizers;
using Vigil.Masking.Rules;

namespace Vigil.Masking;

/// <summary>
/// Recognizers of a rule's <c>custom_entity_types</c>, as Presidio's <c>PatternRecognizer</c>: a regex, or a deny list
/// of words matched whole and case-insensitively (Presidio's <c>(?:^|(?&lt;=\W))(words)(?:(?=\W)|$)</c>), each finding
/// scored with the entry's <c>score</c>.
/// </summary>
internal static class CustomEntityRecognizer
{
    /// <summary>
    /// How long one value may keep a regex that the linear-time engine cannot run (backreferences, lookarounds,
    /// atomic groups) busy before the whole value is treated as a finding.
    /// </summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>The recognizer of <paramref name="custom"/>.</summary>
    public static IEntityRecognizer Create(CustomEntityType custom) =>
        custom.Regex is { } pattern ? new RegexRecognizer(custom.Name, Compile(pattern), custom.Score) : new DenyListRecognizer(custom.Name, custom.DenyList, custom.Score);

    /// <summary>
    /// Compiles <paramref name="pattern"/> with <see cref="RegexOptions.NonBacktracking"/> (linear in the input, so no
    /// catastrophic backtracking), or, for constructs that engine lacks, with the backtracking engine bounded by
    /// <see cref="MatchTimeout"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern does not compile.</exception>
    public static Regex Compile(string pattern)
    {
        try
        {
            // Linear in the input: no timeout, which would also fire on a loaded machine while the engine builds its
            // states and mask values that hold nothing.
            return new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (NotSupportedException)
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
    }

    /// <summary>Why <paramref name="pattern"/> does not compile, or null when it does.</summary>
    public static string? CompileError(string pattern)
    {
        try
        {
            Compile(pattern);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <summary>Characters one of which every finding of <paramref name="custom"/> contains, or null when any text may match.</summary>
    public static IEnumerable<char>? Triggers(CustomEntityType custom) =>
        custom.Regex is null ? custom.DenyList.SelectMany(w => SameIgnoringCase.Value[char.ToUpperInvariant(w[0])]) : null;

    /// <summary>Every UTF-16 unit grouped by its invariant upper case: the units <see cref="StringComparison.OrdinalIgnoreCase"/> takes as equal.</summary>
    private static readonly Lazy<ILookup<char, char>> SameIgnoringCase = new(() =>
        Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).ToLookup(char.ToUpperInvariant));

    private sealed class RegexRecognizer(string entityType, Regex regex, double score) : IEntityRecognizer
    {
        public string EntityType => entityType;

        public void Recognize(string text, List<EntityMatch> matches)
        {
            try
            {
                foreach (var match in regex.EnumerateMatches(text))
                {
                    if (match.Length > 0)
                    {
                        matches.Add(new EntityMatch(entityType, match.Index, match.Length, score));
                    }
                }
            }
            catch (RegexMatchTimeoutException)
            {
                // Fail closed: a value the pattern could not finish scanning may hold what it looks for.
                matches.Add(new EntityMatch(entityType, 0, text.Length, score));
            }
        }
    }

    private sealed class DenyListRecognizer : IEntityRecognizer
    {
        private readonly string _entityType;
        private readonly string[] _longestFirst;
        private readonly SearchValues<string> _words;
        private readonly double _score;

        public DenyListRecognizer(string entityType, IReadOnlyList<string> words, double score)
        {
            _entityType = entityType;
            _longestFirst = [.. words.OrderByDescending(w => w.Length)];
            _words = SearchValues.Create(_longestFirst, StringComparison.OrdinalIgnoreCase);
            _score = score;
        }

        public string EntityType => _entityType;

        public void Recognize(string text, List<EntityMatch> matches)
        {
            var span = text.AsSpan();
            var position = 0;
            while (position < span.Length)
            {
                var found = span[position..].IndexOfAny(_words);
                if (found < 0)
                {
                    return;
                }
                var start = position + found;
                var length = WholeWordAt(span, start);
                if (length > 0)
                {
                    matches.Add(new EntityMatch(_entityType, start, length, _score));
                    position = start + length;
                }
                else
                {
                    position = start + 1;
                }
            }
        }

        /// <summary>The length of the longest word at <paramref name="start"/> that stands alone (no word character on either side), else 0.</summary>
        private int WholeWordAt(ReadOnlySpan<char> span, int start)
        {
            if (start > 0 && IsWordChar(span[start - 1]))
            {
                return 0;
            }
            foreach (var word in _longestFirst)
            {
                var end = start + word.Length;
                if (span[start..].StartsWith(word, StringComparison.OrdinalIgnoreCase) && (end == span.Length || !IsWordChar(span[end])))
                {
                    return word.Length;
                }
            }
            return 0;
        }

        // Python's \w in a str pattern: Unicode letters, digits and the underscore.
        private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
    }
}
