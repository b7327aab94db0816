using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>US_PASSPORT</c>, as Presidio's <c>UsPassportRecognizer</c>: nine digits (0.05) or a letter and eight digits (the
/// next-generation book, 0.1), raised by context words such as "passport".
/// </summary>
public sealed partial class UsPassportRecognizer() : PatternEntityRecognizer(PresidioEntityTypes.UsPassport,
    ["us", "united", "states", "passport", "passport#", "travel", "document"],
    new RecognizerPattern(Digits(), 0.05), new RecognizerPattern(NextGeneration(), 0.1))
{
    [GeneratedRegex(@"\b[0-9]{9}\b", Linear)]
    private static partial Regex Digits();

    [GeneratedRegex(@"\b[A-Z][0-9]{8}\b", RegexOptions.IgnoreCase | Linear)]
    private static partial Regex NextGeneration();

    /// <inheritdoc />
    protected override bool MayContain(string text) => Candidates.HasDigitRun(text, 8, Candidates.Digits);
}
