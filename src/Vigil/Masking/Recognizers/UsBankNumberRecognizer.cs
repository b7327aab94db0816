using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>US_BANK_NUMBER</c>, as Presidio's <c>UsBankRecognizer</c>: "Bank Account (weak)", 8 to 17 digits, at 0.05: on its
/// own almost never above a threshold, raised to 0.4 by a context word such as "account" or "bank".
/// </summary>
public sealed partial class UsBankNumberRecognizer() : PatternEntityRecognizer(PresidioEntityTypes.UsBankNumber,
    ["check", "account", "account#", "acct", "bank", "save", "debit"],
    new RecognizerPattern(Pattern(), 0.05))
{
    [GeneratedRegex(@"\b[0-9]{8,17}\b", Linear)]
    private static partial Regex Pattern();

    /// <inheritdoc />
    protected override bool MayContain(string text) => Candidates.HasDigitRun(text, 8, Candidates.Digits);
}
