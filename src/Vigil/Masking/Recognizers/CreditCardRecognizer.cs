using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>CREDIT_CARD</c>, as Presidio's <c>CreditCardRecognizer</c>: "All Credit Cards (weak)" (0.3; Visa, Mastercard,
/// Discover, Amex, Diners, JCB prefixes, groups separated by '-' or ' '), validated by the Luhn checksum (ISO/IEC 7812)
/// to score 1; a number failing Luhn is no match.
/// </summary>
public sealed partial class CreditCardRecognizer() : PatternEntityRecognizer(PresidioEntityTypes.CreditCard,
    ["credit", "card", "visa", "mastercard", "cc ", "amex", "discover", "jcb", "diners", "maestro", "instapayment"],
    new RecognizerPattern(Pattern(), 0.3))
{
    [GeneratedRegex(@"\b(?!1[0-9]{12}(?![0-9]))((4[0-9]{3})|(5[0-5][0-9]{2})|(6[0-9]{3})|(1[0-9]{3})|(3[0-9]{3}))[- ]?([0-9]{3,4})[- ]?([0-9]{3,4})[- ]?([0-9]{3,5})\b", Backtracking, Candidates.TimeoutMilliseconds)]
    private static partial Regex Pattern();

    /// <inheritdoc />
    protected override bool MayContain(string text) => Candidates.HasDigitRun(text, 12, Candidates.DigitsSpacesDashes);

    /// <inheritdoc />
    protected override bool? Validate(ReadOnlySpan<char> value) => Luhn(value);

    /// <summary>The Luhn (mod 10) check over the digits of <paramref name="value"/>, ignoring separators.</summary>
    public static bool Luhn(ReadOnlySpan<char> value)
    {
        var sum = 0;
        var doubled = false;
        for (var i = value.Length - 1; i >= 0; i--)
        {
            var c = value[i];
            if (!char.IsAsciiDigit(c))
            {
                continue;
            }
            var digit = c - '0';
            if (doubled)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }
            sum += digit;
            doubled = !doubled;
        }
        return sum % 10 == 0;
    }
}
