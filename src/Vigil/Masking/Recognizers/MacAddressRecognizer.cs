using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>MAC_ADDRESS</c>, as Presidio's <c>MacAddressRecognizer</c>: six hex pairs separated all by ':' or all by '-', or
/// Cisco's three dot-separated hex quads, at 0.6; the broadcast FF:FF:FF:FF:FF:FF and the all-zero address are no match.
/// </summary>
public sealed partial class MacAddressRecognizer() : PatternEntityRecognizer(PresidioEntityTypes.MacAddress,
    ["mac", "mac address", "hardware address", "physical address", "ethernet"],
    new RecognizerPattern(Colon(), 0.6), new RecognizerPattern(Hyphen(), 0.6), new RecognizerPattern(CiscoDot(), 0.6))
{
    // Presidio's one pattern uses a back-reference for "the same separator"; two patterns keep it linear-time.
    [GeneratedRegex(@"\b[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}\b", Linear)]
    private static partial Regex Colon();

    [GeneratedRegex(@"\b[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}\b", Linear)]
    private static partial Regex Hyphen();

    [GeneratedRegex(@"\b[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\b", Linear)]
    private static partial Regex CiscoDot();

    /// <inheritdoc />
    protected override bool MayContain(string text) => text.Length >= 14 && text.AsSpan().ContainsAny(':', '-', '.');

    /// <inheritdoc />
    protected override bool Invalidate(string text, int start, int length)
    {
        var value = text.AsSpan(start, length);
        return !value.ContainsAnyExcept("0:-.") || !value.ContainsAnyExcept("fF:-.");
    }
}
