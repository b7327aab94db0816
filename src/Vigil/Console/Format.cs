using System.Globalization;
using Vigil.Storage;

namespace Vigil.WebConsole;

/// <summary>How the console writes times, durations and counts: UTC, invariant culture, short units.</summary>
public static class Format
{
    /// <summary>An RFC 3339 time as <c>2026-01-31 09:05:01 UTC</c>; the text itself when it is not a time.</summary>
    public static string Time(string? rfc3339) =>
        rfc3339 is null ? "" : Rfc3339.TryParse(rfc3339, out var t) ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : rfc3339;

    /// <summary>A span as <c>350 µs</c>, <c>12.3 ms</c>, <c>4.2 s</c>, <c>3 min 5 s</c> or <c>2 h 4 min</c>.</summary>
    public static string Span(TimeSpan span)
    {
        var negative = span < TimeSpan.Zero;
        span = span.Duration();
        var text = span.TotalMilliseconds < 1 ? $"{span.TotalMicroseconds:0} µs"
            : span.TotalSeconds < 1 ? $"{span.TotalMilliseconds:0.#} ms"
            : span.TotalMinutes < 1 ? $"{span.TotalSeconds:0.#} s"
            : span.TotalHours < 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s"
            : span.TotalDays < 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
            : $"{(int)span.TotalDays} d {span.Hours} h";
        return negative ? "-" + text : text;
    }

    /// <summary>A duration in microseconds (as recorded on statements).</summary>
    public static string Micros(long? us) => us is { } v ? Span(TimeSpan.FromMicroseconds(v)) : "";

    /// <summary>How long a session ran (or has run until <paramref name="now"/>).</summary>
    public static string Duration(string startedAt, string? endedAt, DateTimeOffset now) =>
        Rfc3339.TryParse(startedAt, out var start) ? Span((endedAt is not null && Rfc3339.TryParse(endedAt, out var end) ? end : now) - start) : "";

    /// <summary>"5 min ago" for an RFC 3339 time before <paramref name="now"/>.</summary>
    public static string Ago(string rfc3339, DateTimeOffset now) => Rfc3339.TryParse(rfc3339, out var t) ? Span(now - t) + " ago" : "";

    /// <summary>"in 12 min" until an RFC 3339 time, or "expired" once it passed.</summary>
    public static string Until(string rfc3339, DateTimeOffset now) =>
        Rfc3339.TryParse(rfc3339, out var t) ? t > now ? "in " + Span(t - now) : "passed" : "";

    /// <summary>A count with thousands separators.</summary>
    public static string Count(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary>The first line of <paramref name="text"/>, cut to <paramref name="max"/> characters with an ellipsis.</summary>
    public static string Short(string? text, int max = 120)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var line = text.AsSpan().Trim();
        var newline = line.IndexOfAny('\r', '\n');
        var first = newline >= 0 ? line[..newline] : line;
        return first.Length > max || newline >= 0 ? string.Concat(first[..Math.Min(first.Length, max)], "…") : first.ToString();
    }
}
