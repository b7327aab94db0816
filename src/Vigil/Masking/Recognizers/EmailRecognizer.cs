using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>EMAIL_ADDRESS</c>, as Presidio's <c>EmailRecognizer</c>: its "Email (Medium)" pattern (0.5), validated by the domain
/// ending in a top-level domain (Presidio asks tldextract for a fully qualified domain name) to score 1.
/// </summary>
public sealed partial class EmailRecognizer() : PatternEntityRecognizer(PresidioEntityTypes.EmailAddress, ["email"],
    new RecognizerPattern(Pattern(), 0.5))
{
    [GeneratedRegex(@"\b(([!#$%&'*+\-/=?^_`{|}~\w])|([!#$%&'*+\-/=?^_`{|}~\w][!#$%&'*+\-/=?^_`{|}~.\w]*[!#$%&'*+\-/=?^_`{|}~\w]))@\w+(?:-+\w+)*(?:\.\w+(?:-+\w+)*)+\b", Linear)]
    private static partial Regex Pattern();

    /// <inheritdoc />
    protected override bool MayContain(string text) => text.Length >= 5 && text.Contains('@');

    /// <inheritdoc />
    protected override bool? Validate(ReadOnlySpan<char> value)
    {
        // A public suffix ends the domain: its last label is at least two letters (tldextract's fqdn is empty otherwise).
        var tld = value[(value.LastIndexOf('.') + 1)..];
        if (tld.Length < 2)
        {
            return false;
        }
        foreach (var c in tld)
        {
            if (!char.IsLetter(c))
            {
                return false;
            }
        }
        return true;
    }
}
