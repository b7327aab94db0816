using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>US_SSN</c>, as Presidio's <c>UsSsnRecognizer</c>: "SSN5 (medium)" <c>ddd-dd-dddd</c> with one delimiter kind
/// ('-', '.', ' ') at 0.5, and the very weak 0.05 forms (nine digits, <c>ddddd-dddd</c>, <c>ddd-dddddd</c>) that only
/// context words raise. Invalid (no match): mixed delimiters, all digits the same, group 00, serial 0000, area 000 or
/// 666, and the published samples 123-45-6789, 987-65-432x and 078-05-1120.
/// </summary>
public sealed partial class UsSsnRecognizer() : PatternEntityRecognizer(PresidioEntityTypes.UsSsn,
    ["social", "security", "ssn", "ssns", "ssid"],
    new RecognizerPattern(Weak1(), 0.05), new RecognizerPattern(Weak2(), 0.05), new RecognizerPattern(Weak3(), 0.05),
    new RecognizerPattern(Weak4(), 0.05), new RecognizerPattern(Medium(), 0.5))
{
    [GeneratedRegex(@"\b[0-9]{5}-[0-9]{4}\b", Linear)]
    private static partial Regex Weak1();

    [GeneratedRegex(@"\b[0-9]{3}-[0-9]{6}\b", Linear)]
    private static partial Regex Weak2();

    [GeneratedRegex(@"\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b", Linear)]
    private static partial Regex Weak3();

    [GeneratedRegex(@"\b[0-9]{9}\b", Linear)]
    private static partial Regex Weak4();

    [GeneratedRegex(@"\b[0-9]{3}[- .][0-9]{2}[- .][0-9]{4}\b", Linear)]
    private static partial Regex Medium();

    private static readonly string[] Samples = ["000", "666", "123456789", "98765432", "078051120"];

    /// <inheritdoc />
    protected override bool MayContain(string text) => Candidates.HasDigitRun(text, 9, Candidates.DigitsSpacesDashesDots);

    /// <inheritdoc />
    protected override bool Invalidate(string text, int start, int length) => IsInvalid(text.AsSpan(start, length));

    /// <summary>Presidio's <c>invalidate_result</c> for an SSN candidate.</summary>
    public static bool IsInvalid(ReadOnlySpan<char> value)
    {
        Span<char> digits = stackalloc char[9];
        var count = 0;
        var delimiter = '\0';
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c))
            {
                if (count == digits.Length)
                {
                    return true;
                }
                digits[count++] = c;
            }
            else if (delimiter == '\0')
            {
                delimiter = c;
            }
            else if (delimiter != c)
            {
                return true;
            }
        }
        if (count != 9)
        {
            return true;
        }
        if (!digits.ContainsAnyExcept(digits[0]))
        {
            return true;
        }
        if (digits[3..5].SequenceEqual("00") || digits[5..].SequenceEqual("0000"))
        {
            return true;
        }
        foreach (var sample in Samples)
        {
            if (digits.StartsWith(sample))
            {
                return true;
            }
        }
        // Areas 900-999 are never issued (the IRS uses them for ITINs); Presidio's list misses them.
        return digits[0] == '9';
    }
}
