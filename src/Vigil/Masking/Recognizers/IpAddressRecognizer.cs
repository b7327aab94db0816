using System.Net;
using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>IP_ADDRESS</c>, as Presidio's <c>IpRecognizer</c>: IPv4 (optionally with a /prefix), IPv6 in full and compressed
/// forms (with a %zone and /prefix), IPv4-mapped and IPv4-embedded IPv6, at 0.6, and the unspecified "::" at 0.1; each
/// candidate must parse (<see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/>, as Presidio's
/// <c>ipaddress.ip_interface</c>). Beyond Presidio, a dotted quad that is part of a longer dotted run (1.2.3.4.5) or
/// follows the word "version" / "v" is a version string, not an address.
/// </summary>
public sealed partial class IpAddressRecognizer() : PatternEntityRecognizer(PresidioEntityTypes.IpAddress, ["ip", "ipv4", "ipv6"],
    new RecognizerPattern(V4Mapped(), 0.6), new RecognizerPattern(V4Embedded(), 0.6), new RecognizerPattern(V4(), 0.6),
    new RecognizerPattern(V6(), 0.6), new RecognizerPattern(V6Unspecified(), 0.1))
{
    private const string Octet = "(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)";
    private const string V6Prefix = "(?:/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9]))?";
    private const string H = "[0-9A-Fa-f]{1,4}";

    [GeneratedRegex(@"(?<![\w:])::(?:ffff(?::0{1,4})?:)?(?:" + Octet + @"\.){3}" + Octet + V6Prefix + @"\b",
        RegexOptions.IgnoreCase | Backtracking, Candidates.TimeoutMilliseconds)]
    private static partial Regex V4Mapped();

    [GeneratedRegex(@"(?<![\w:])(?:(?:" + H + ":){1,5}:(?:" + H + ":){0,4}|(?:" + H + ":){6})(?:" + Octet + @"\.){3}" + Octet + V6Prefix + @"\b",
        Backtracking, Candidates.TimeoutMilliseconds)]
    private static partial Regex V4Embedded();

    [GeneratedRegex(@"(?<![0-9]\.)\b" + Octet + @"\." + Octet + @"\." + Octet + @"\." + Octet + @"(?:/(?:[0-2]?[0-9]|3[0-2]))?\b(?!\.[0-9])",
        Backtracking, Candidates.TimeoutMilliseconds)]
    private static partial Regex V4();

    [GeneratedRegex(@"(?<![\w:])(?:(?:" + H + ":){7}" + H + "|(?:" + H + ":){1,7}:|:(?::" + H + "){1,7}|(?:" + H + ":){1,6}:" + H
        + "|(?:" + H + ":){1,5}(?::" + H + "){1,2}|(?:" + H + ":){1,4}(?::" + H + "){1,3}|(?:" + H + ":){1,3}(?::" + H + "){1,4}|(?:"
        + H + ":){1,2}(?::" + H + "){1,5}|" + H + ":(?::" + H + "){1,6}|:(?::" + H + "){1,6})(?:%[0-9a-zA-Z]+)?" + V6Prefix + @"(?![\w:]|\.[0-9])",
        Backtracking, Candidates.TimeoutMilliseconds)]
    private static partial Regex V6();

    [GeneratedRegex(@"(?<![\w:])::" + V6Prefix + @"(?![\w:])", Backtracking, Candidates.TimeoutMilliseconds)]
    private static partial Regex V6Unspecified();

    /// <inheritdoc />
    protected override bool MayContain(string text) =>
        text.Length >= 2 && (text.AsSpan().Count(':') >= 2 || (text.Length >= 7 && text.AsSpan().Count('.') >= 3 && Candidates.HasDigits(text, 4)));

    /// <inheritdoc />
    protected override bool Invalidate(string text, int start, int length)
    {
        var value = text.AsSpan(start, length);
        var slash = value.IndexOf('/');
        var address = slash < 0 ? value : value[..slash];
        if (!IPAddress.TryParse(address, out _))
        {
            return true;
        }
        return address.Contains('.') && !address.Contains(':') && FollowsVersionWord(text, start);
    }

    private static bool FollowsVersionWord(string text, int start)
    {
        var before = text.AsSpan(0, start).TrimEnd();
        if (before.EndsWith("v", StringComparison.OrdinalIgnoreCase))
        {
            before = before[..^1];
            return before.IsEmpty || !char.IsLetterOrDigit(before[^1]);
        }
        return before.EndsWith("version", StringComparison.OrdinalIgnoreCase)
            || before.EndsWith("version:", StringComparison.OrdinalIgnoreCase)
            || before.EndsWith("ver", StringComparison.OrdinalIgnoreCase);
    }
}
