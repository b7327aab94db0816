using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>US_DRIVER_LICENSE</c>, as Presidio's <c>UsLicenseRecognizer</c>: the states' alphanumeric formats (0.3) and the
/// all-digit ones (0.01), raised by context words such as "driver" or "license". (Presidio's alternation has a typo,
/// <c>A-Z]{2}[0-9]{2,5}</c>; Vigil reads it as the intended <c>[A-Z]{2}[0-9]{2,5}</c>.)
/// </summary>
public sealed partial class UsDriverLicenseRecognizer() : PatternEntityRecognizer(PresidioEntityTypes.UsDriverLicense,
    ["driver", "license", "permit", "lic", "identification", "dls", "cdls", "lic#", "driving"],
    new RecognizerPattern(Alphanumeric(), 0.3), new RecognizerPattern(Digits(), 0.01))
{
    [GeneratedRegex(@"\b([A-Z][0-9]{3,6}|[A-Z][0-9]{5,9}|[A-Z][0-9]{6,8}|[A-Z][0-9]{4,8}|[A-Z][0-9]{9,11}|[A-Z]{1,2}[0-9]{5,6}|H[0-9]{8}|V[0-9]{6}|X[0-9]{8}|[A-Z]{2}[0-9]{2,5}|[A-Z]{2}[0-9]{3,7}|[0-9]{2}[A-Z]{3}[0-9]{5,6}|[A-Z][0-9]{13,14}|[A-Z][0-9]{18}|[A-Z][0-9]{6}R|[A-Z][0-9]{9}|[A-Z][0-9]{1,12}|[0-9]{9}[A-Z]|[A-Z]{2}[0-9]{6}[A-Z]|[0-9]{8}[A-Z]{2}|[0-9]{3}[A-Z]{2}[0-9]{4}|[A-Z][0-9][A-Z][0-9][A-Z]|[0-9]{7,8}[A-Z])\b",
        RegexOptions.IgnoreCase | Linear)]
    private static partial Regex Alphanumeric();

    [GeneratedRegex(@"\b([0-9]{6,14}|[0-9]{16})\b", Linear)]
    private static partial Regex Digits();

    /// <inheritdoc />
    // Every state format has a letter beside a digit, or at least six digits in a row.
    protected override bool MayContain(string text) => Candidates.HasLetterNextToDigit(text) || Candidates.HasDigitRun(text, 6, Candidates.Digits);
}
