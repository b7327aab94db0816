using System.Text.RegularExpressions;

namespace Vigil.Guardrails;

/// <summary>
/// One rule ready to run: its regex built once (<see cref="GuardrailRegex"/>), its names and messages resolved.
/// Immutable and thread-safe.
/// </summary>
internal sealed class CompiledRule
{
    private readonly Regex _regex;
    private readonly string? _message;
    private readonly string? _pattern;

    /// <summary>The guardrail's name.</summary>
    public string Guardrail { get; }

    /// <summary>The rule's name or position.</summary>
    public string Name { get; }

    /// <summary><see cref="GuardrailDirection"/>.</summary>
    public string Direction { get; }

    /// <summary>True for deny words (matched on lexed text, whole words), false for a pattern (raw text).</summary>
    public bool IsWords { get; }

    /// <summary>Where deny words count.</summary>
    public MatchIn MatchIn { get; }

    /// <summary>Compiles rule <paramref name="index"/> of <paramref name="direction"/> in <paramref name="guardrail"/>.</summary>
    /// <exception cref="ArgumentException">The pattern does not compile (validation keeps such rules out of the store).</exception>
    public CompiledRule(string guardrail, string direction, int index, GuardrailRule rule)
    {
        Guardrail = guardrail;
        Direction = direction;
        Name = string.IsNullOrWhiteSpace(rule.Name) ? $"{direction}[{index}]" : rule.Name;
        IsWords = rule.Type == GuardrailRuleType.DenyWordsList;
        MatchIn = rule.MatchIn;
        _message = string.IsNullOrWhiteSpace(rule.Message) ? null : rule.Message;
        if (IsWords)
        {
            _regex = GuardrailRegex.DenyWords(rule.Words);
        }
        else
        {
            _pattern = rule.PatternRegex!;
            _regex = GuardrailRegex.Compile(_pattern).Regex ?? throw new ArgumentException($"pattern of rule '{Name}' does not compile");
        }
    }

    /// <summary>
    /// The first match in <paramref name="text"/>, found at <paramref name="location"/>, as a violation; null when none.
    /// </summary>
    /// <param name="text">The text to search.</param>
    /// <param name="location"><see cref="GuardrailMatchLocation"/> to report.</param>
    /// <param name="midStream">The text starts inside a stream (a kept tail): a deny word at offset 0 has no known left
    /// neighbour and was already judged with it, so it is skipped.</param>
    /// <param name="openEnd">More of the stream may follow: a deny word ending on the last character, on a word
    /// character, may continue (<c>drop</c> + <c>ped</c>), so it is left for the next call.</param>
    public GuardrailViolation? Find(ReadOnlySpan<char> text, string location, bool midStream = false, bool openEnd = false)
    {
        try
        {
            foreach (var match in _regex.EnumerateMatches(text))
            {
                if (IsWords)
                {
                    if (midStream && match.Index == 0)
                    {
                        continue;
                    }
                    var end = match.Index + match.Length;
                    if (openEnd && end == text.Length && GuardrailRegex.IsWordChar(text[end - 1]))
                    {
                        continue;
                    }
                }
                var matched = GuardrailViolation.Cap(text.Slice(match.Index, match.Length));
                return new GuardrailViolation(Guardrail, Name, Direction, matched, location, _message ?? DefaultMessage(matched, location));
            }
            return null;
        }
        catch (RegexMatchTimeoutException)
        {
            // Fail closed: a pattern that cannot decide in time refuses, rather than letting the text through unchecked.
            return new GuardrailViolation(Guardrail, Name, Direction, "", location,
                $"pattern /{_pattern}/ took longer than {GuardrailRegex.MatchTimeout.TotalMilliseconds:0} ms to evaluate; refused to be safe");
        }
    }

    private string DefaultMessage(string matched, string location)
    {
        var subject = Direction == GuardrailDirection.Input ? "the command" : "the result";
        if (!IsWords)
        {
            return $"{subject} matches the denied pattern /{_pattern}/";
        }
        var where = location switch
        {
            GuardrailMatchLocation.String => " (in a string constant)",
            GuardrailMatchLocation.Comment => " (in a comment)",
            _ => "",
        };
        return $"{subject} contains the denied word '{matched}'{where}";
    }
}
