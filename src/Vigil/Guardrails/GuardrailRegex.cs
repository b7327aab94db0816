using System.Text.RegularExpressions;

namespace Vigil.Guardrails;

/// <summary>
/// Builds the regular expressions guardrails run, safe against catastrophic backtracking (ReDoS): every pattern the
/// non-backtracking engine accepts runs on it (<see cref="RegexOptions.NonBacktracking"/>: time linear in the input,
/// whatever the pattern); a pattern it refuses (backreferences, lookarounds, atomic groups, conditionals) runs on the
/// backtracking engine with a match timeout of <see cref="MatchTimeout"/>, and a timeout counts as a violation (fail
/// closed).
/// </summary>
public static class GuardrailRegex
{
    /// <summary>Bound on one match attempt of a backtracking pattern.</summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest <c>pattern_regex</c> accepted, characters (keeps the non-backtracking automaton small).</summary>
    public const int MaxPatternChars = 1_000;

    /// <summary>Compiles <paramref name="pattern"/> (.NET syntax, case-sensitive unless it says <c>(?i)</c>).</summary>
    /// <returns>The regex, or null and why it does not compile.</returns>
    public static (Regex? Regex, string? Error) Compile(string pattern)
    {
        try
        {
            return (new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant), null);
        }
        catch (NotSupportedException)
        {
            // Constructs only the backtracking engine has (e.g. \1, (?=…)); parse errors are ArgumentExceptions.
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
        try
        {
            return (new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout), null);
        }
        catch (ArgumentException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>
    /// One case-insensitive, non-backtracking regex for a deny-word list: each word is literal, runs of white space in
    /// it match any run of white space (<c>drop table</c> matches <c>DROP&#160;&#160;TABLE</c> and <c>drop\ttable</c>),
    /// and it must stand as a whole word: <c>\b</c> at each end that is a word character (letter, digit, <c>_</c>), so
    /// <c>drop</c> does not match <c>dropped</c> or <c>backdrop</c>, while a word such as <c>;--</c> matches anywhere.
    /// </summary>
    public static Regex DenyWords(IEnumerable<string> words)
    {
        var alternatives = words
            .Select(w => w.Trim())
            .Where(w => w.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderByDescending(w => w.Length)
            .Select(w =>
            {
                var body = string.Join(@"\s+", w.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape));
                return (IsWordChar(w[0]) ? @"\b" : "") + body + (IsWordChar(w[^1]) ? @"\b" : "");
            });
        return new Regex("(?:" + string.Join('|', alternatives) + ")", RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    /// <summary>The characters <c>\b</c> treats as word characters (approximately <c>\w</c>).</summary>
    internal static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
