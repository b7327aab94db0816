using System.Globalization;

namespace Vigil.Analysis.Providers;

/// <summary>
/// Reads how long a provider asks us to wait after HTTP 429: <c>retry-after-ms</c> (milliseconds, sent by OpenAI and
/// Azure OpenAI) wins over <c>Retry-After</c>, which is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
/// </summary>
public static class RetryAfter
{
    /// <summary>
    /// The wait asked for, never negative (a date in the past means now); null when neither header is present or
    /// parseable.
    /// </summary>
    /// <param name="retryAfter">The <c>Retry-After</c> value, e.g. <c>"2"</c> or <c>"Wed, 21 Oct 2015 07:28:00 GMT"</c>.</param>
    /// <param name="retryAfterMs">The <c>retry-after-ms</c> value, e.g. <c>"1500"</c>.</param>
    /// <param name="now">The current time, for HTTP-dates.</param>
    public static TimeSpan? Parse(string? retryAfter, string? retryAfterMs, DateTimeOffset now)
    {
        if (double.TryParse(retryAfterMs?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms)
            && double.IsFinite(ms) && ms >= 0 && ms < int.MaxValue)
        {
            return TimeSpan.FromMilliseconds(ms);
        }
        var value = retryAfter?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        // delay-seconds = 1*DIGIT; a huge value is clamped rather than overflowing.
        if (value.All(char.IsAsciiDigit))
        {
            return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds < int.MaxValue
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.FromSeconds(int.MaxValue);
        }
        // HTTP-date: IMF-fixdate ("R" format) and the obsolete forms DateTimeOffset parses leniently.
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            || DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date))
        {
            var wait = date - now;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
