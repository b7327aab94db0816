using System.Buffers;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// The cheap pre-checks recognizers run before any regex: vectorized searches that reject a value holding none of the
/// characters a match needs (no '@' cannot be an e-mail; fewer than 13 digits cannot be a card).
/// </summary>
internal static class Candidates
{
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

    /// <summary>Digits only: a run with no separators.</summary>
    public static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");

    /// <summary>Digits with ' ' and '-' (cards, NHS numbers).</summary>
    public static readonly SearchValues<char> DigitsSpacesDashes = SearchValues.Create("0123456789 -");

    /// <summary>Digits with ' ', '-' and '.' (SSNs).</summary>
    public static readonly SearchValues<char> DigitsSpacesDashesDots = SearchValues.Create("0123456789 -.");

    /// <summary>Digits with the characters people write phone numbers with.</summary>
    public static readonly SearchValues<char> PhoneCharacters = SearchValues.Create("0123456789 -.()/+\u00A0");

    /// <summary>
    /// True when <paramref name="text"/> holds <paramref name="minimum"/> ASCII digits in one run of
    /// <paramref name="runCharacters"/> (digits plus the separators that may stand between them: "4111 1111" is one run
    /// of 8 digits when ' ' is among them). Runs are found with vectorized searches; only a run's own characters are
    /// counted one by one.
    /// </summary>
    public static bool HasDigitRun(ReadOnlySpan<char> text, int minimum, SearchValues<char> runCharacters)
    {
        while (text.Length >= minimum)
        {
            var start = text.IndexOfAnyInRange('0', '9');
            if (start < 0)
            {
                return false;
            }
            text = text[start..];
            var length = text.IndexOfAnyExcept(runCharacters);
            var run = length < 0 ? text : text[..length];
            if (run.Length >= minimum && CountDigits(run) >= minimum)
            {
                return true;
            }
            if (length < 0)
            {
                return false;
            }
            text = text[length..];
        }
        return false;
    }

    private static int CountDigits(ReadOnlySpan<char> run)
    {
        var count = 0;
        foreach (var c in run)
        {
            if (char.IsAsciiDigit(c))
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>True when an ASCII letter and an ASCII digit stand side by side (either order) in <paramref name="text"/>.</summary>
    public static bool HasLetterNextToDigit(ReadOnlySpan<char> text)
    {
        while (true)
        {
            var index = text.IndexOfAnyInRange('0', '9');
            if (index < 0)
            {
                return false;
            }
            if ((index > 0 && char.IsAsciiLetter(text[index - 1])) || (index + 1 < text.Length && char.IsAsciiLetter(text[index + 1])))
            {
                return true;
            }
            text = text[(index + 1)..];
        }
    }

    /// <summary>True when two ASCII letters are directly followed by two ASCII digits (an IBAN's country and check digits).</summary>
    public static bool HasTwoLettersTwoDigits(ReadOnlySpan<char> text)
    {
        for (var i = 2; i + 1 < text.Length; i++)
        {
            if (char.IsAsciiDigit(text[i]) && char.IsAsciiDigit(text[i + 1]) && char.IsAsciiLetter(text[i - 1]) && char.IsAsciiLetter(text[i - 2]))
            {
                return true;
            }
        }
        return false;
    }

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
