using System.Globalization;

namespace Vigil.Hosting;

/// <summary>
/// Durations as the API and settings write them: a positive integer and a unit, <c>s</c>, <c>m</c>, <c>h</c>,
/// <c>d</c> or <c>w</c> ("90s", "30m", "1h", "30d", "2w"); several may be joined ("1h30m").
/// </summary>
public static class DurationText
{
    /// <summary>
    /// Writes <paramref name="value"/> in this form with the largest units first ("30m", "1h30m", "90s" as "1m30s");
    /// sub-second parts are dropped.
    /// </summary>
    public static string Format(TimeSpan value)
    {
        var seconds = (long)value.TotalSeconds;
        if (seconds <= 0)
        {
            return "0s";
        }
        var text = new System.Text.StringBuilder();
        foreach (var (unit, size) in (ReadOnlySpan<(char, long)>)[('d', 86400), ('h', 3600), ('m', 60), ('s', 1)])
        {
            if (seconds >= size)
            {
                text.Append(CultureInfo.InvariantCulture, $"{seconds / size}{unit}");
                seconds %= size;
            }
        }
        return text.ToString();
    }

    /// <summary>Parses <paramref name="text"/>; false (and zero) when it is not a positive duration in this form.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 32)
        {
            return false;
        }
        var span = text.AsSpan().Trim();
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && char.IsAsciiDigit(span[digits]))
            {
                digits++;
            }
            if (digits == 0 || digits == span.Length || !long.TryParse(span[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }
            TimeSpan unit = span[digits] switch
            {
                's' => TimeSpan.FromSeconds(1),
                'm' => TimeSpan.FromMinutes(1),
                'h' => TimeSpan.FromHours(1),
                'd' => TimeSpan.FromDays(1),
                'w' => TimeSpan.FromDays(7),
                _ => TimeSpan.Zero,
            };
            if (unit == TimeSpan.Zero || n > 100 * 365 * 24 * 3600L)
            {
                return false;
            }
            value += unit * n;
            span = span[(digits + 1)..];
        }
        return value > TimeSpan.Zero && value <= TimeSpan.FromDays(100 * 365);
    }
}
