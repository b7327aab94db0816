using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>IBAN_CODE</c>, as Presidio's <c>IbanRecognizer</c>: "IBAN Generic" (country code, two check digits, groups of up
/// to four characters optionally separated by ' ' or '-'), validated by the ISO 13616 mod-97 check and the country's
/// IBAN length (<see cref="IbanLengths"/>) to score 1. As Presidio, a match that fails is retried without its trailing
/// groups (so "DE89… 2 days" still finds the IBAN), and one valid only when upper-cased keeps the pattern score 0.5.
/// </summary>
public sealed partial class IbanRecognizer() : EntityRecognizer(PresidioEntityTypes.IbanCode, ["iban", "bank", "transaction"])
{
    /// <summary>Score of the generic pattern (kept for a lower-case IBAN).</summary>
    public const double PatternScore = 0.5;

    [GeneratedRegex(@"(?<![A-Z0-9])([A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,6})((?:[ -]?[A-Z0-9]{4})?)((?:[ -]?[A-Z0-9]{1,3})?)(?![A-Z0-9])",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, Candidates.TimeoutMilliseconds)]
    private static partial Regex Pattern();

    /// <inheritdoc />
    protected override bool MayContain(string text) => text.Length >= 15 && Candidates.HasTwoLettersTwoDigits(text);

    /// <inheritdoc />
    protected override void FindCandidates(string text, List<EntityMatch> matches)
    {
        try
        {
            foreach (Match match in Pattern().Matches(text))
            {
                var start = match.Index;
                // Presidio's order: the whole match, then without the short tail, then without the optional 4-group.
                for (var group = 3; group >= 1; group--)
                {
                    var end = match.Groups[group].Index + match.Groups[group].Length;
                    var score = Validate(text.AsSpan(start, end - start));
                    if (score > 0)
                    {
                        matches.Add(new EntityMatch(EntityType, start, end - start, score));
                        break;
                    }
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // As Presidio on a regex timeout: no further IBAN in this text.
        }
    }

    /// <summary>1 for a valid IBAN, <see cref="PatternScore"/> for one valid only upper-cased, 0 otherwise.</summary>
    public static double Validate(ReadOnlySpan<char> value)
    {
        Span<char> iban = stackalloc char[value.Length];
        var length = 0;
        var upper = true;
        foreach (var c in value)
        {
            if (c is ' ' or '-')
            {
                continue;
            }
            upper &= !char.IsAsciiLetterLower(c);
            iban[length++] = char.ToUpperInvariant(c);
        }
        iban = iban[..length];
        if (length < 5 || !IbanLengths.Matches(iban) || !HasValidCheckDigits(iban))
        {
            return 0;
        }
        return upper ? ValidatedScore : PatternScore;
    }

    /// <summary>ISO 13616 / ISO 7064 mod 97-10: the rearranged IBAN, letters as 10-35, is 1 mod 97.</summary>
    public static bool HasValidCheckDigits(ReadOnlySpan<char> iban)
    {
        var remainder = 0;
        for (var i = 0; i < iban.Length; i++)
        {
            var c = iban[(i + 4) % iban.Length];
            if (char.IsAsciiDigit(c))
            {
                remainder = (remainder * 10 + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }
        return remainder == 1;
    }
}
