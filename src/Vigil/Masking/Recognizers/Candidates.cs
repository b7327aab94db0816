using System.Buffers;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// The cheap pre-checks recognizers run before any regex: vectorized searches that reject a value holding none of the
/// characters a match needs (no '@' cannot be an e-mail; fewer than 13 digits cannot be a card).
/// </summary>
internal static class Candidates
{
    private static readonly SearchValues<char> Letters = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>True when <paramref name="text"/> holds at least <paramref name="minimum"/> ASCII digits.</summary>
    public static bool HasDigits(ReadOnlySpan<char> text, int minimum)
    {
        var found = 0;
        while (true)
        {
            var index = text.IndexOfAnyInRange('0', '9');
            if (index < 0)
            {
                return false;
            }
            if (++found >= minimum)
            {
                return true;
            }
            text = text[(index + 1)..];
        }
    }

    /// <summary>True when <paramref name="text"/> holds an ASCII letter.</summary>
    public static bool HasLetter(ReadOnlySpan<char> text) => text.ContainsAny(Letters);

    /// <summary>True when a '.' is directly followed by an ASCII letter (a domain name's last dot).</summary>
    public static bool HasDotLetter(ReadOnlySpan<char> text)
    {
        while (true)
        {
            var index = text.IndexOf('.');
            if (index < 0 || index + 1 >= text.Length)
            {
                return false;
            }
            if (char.IsAsciiLetter(text[index + 1]))
            {
                return true;
            }
            text = text[(index + 1)..];
        }
    }

    /// <summary>The regex timeout for the patterns that need lookarounds or back-references (no NonBacktracking).</summary>
    public const int TimeoutMilliseconds = 1000;
}
