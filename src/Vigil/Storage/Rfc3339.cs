using System.Globalization;

namespace Vigil.Storage;

/// <summary>RFC 3339 UTC timestamps ("2026-11-20T23:15:00.123456Z"), the text form both the store and the API use.</summary>
public static class Rfc3339
{
    private const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    /// <summary>Formats <paramref name="value"/> in UTC with microseconds; sorts lexically in time order.</summary>
    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>Parses any RFC 3339 timestamp; false when <paramref name="text"/> is not one.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    /// <summary>Parses a timestamp this class wrote.</summary>
    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
