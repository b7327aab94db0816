using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>UK_NHS</c>, as Presidio's <c>NhsRecognizer</c>: ten digits, optionally grouped 3-3-4 by ' ' or '-', validated by
/// the NHS mod-11 check (digits weighted 10 down to 1 sum to a multiple of 11) to score 1; failing is no match,
/// and so is the rest of an international phone number.
/// </summary>
public sealed partial class UkNhsRecognizer() : PatternEntityRecognizer(PresidioEntityTypes.UkNhs,
    ["national health service", "nhs", "health services authority", "health authority"],
    new RecognizerPattern(Pattern(), 0.5))
{
    [GeneratedRegex(@"\b[0-9]{3}[- ]?[0-9]{3}[- ]?[0-9]{4}\b", Linear)]
    private static partial Regex Pattern();

    /// <inheritdoc />
    protected override bool MayContain(string text) => Candidates.HasDigitRun(text, 10, Candidates.DigitsSpacesDashes);

    /// <inheritdoc />
    protected override bool? Validate(ReadOnlySpan<char> value) => HasValidCheckDigit(value);

    /// <inheritdoc />
    /// <remarks>
    /// Beyond Presidio: ten digits after a '+' dialling code ("+1 415-555-2671") are the rest of a phone number, which
    /// passes the mod-11 check one time in eleven.
    /// </remarks>
    protected override bool Invalidate(string text, int start, int length)
    {
        var before = text.AsSpan(0, start).TrimEnd(' ');
        var digits = before.Length - before.TrimEnd("0123456789").Length;
        return digits is > 0 and <= 3 && before.Length > digits && before[before.Length - digits - 1] == '+';
    }

    /// <summary>The NHS number's mod-11 check over the ten digits of <paramref name="value"/> (separators ignored).</summary>
    public static bool HasValidCheckDigit(ReadOnlySpan<char> value)
    {
        var total = 0;
        var weight = 10;
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                continue;
            }
            if (weight == 0)
            {
                return false;
            }
            total += (c - '0') * weight--;
        }
        return weight == 0 && total % 11 == 0;
    }
}
