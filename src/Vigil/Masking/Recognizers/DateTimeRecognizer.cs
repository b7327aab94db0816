using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// <c>DATE_TIME</c>, as Presidio's <c>DateRecognizer</c> (the pattern half; Presidio's spaCy model adds free-text dates
/// Vigil does not): ISO 8601 date-times with a zone (0.8); m/d/y, d/m/y, y/m/d, m-d-y, d-m-y, y-m-d, d.m.y,
/// dd-MMM-yy, MMM-yy and dd-MMM (0.6); m/yyyy (0.2) and m/yy (0.1).
/// </summary>
public sealed partial class DateTimeRecognizer() : PatternEntityRecognizer(PresidioEntityTypes.DateTime, ["date", "birthday"],
    new RecognizerPattern(Iso8601(), 0.8), new RecognizerPattern(MonthDayYear(), 0.6), new RecognizerPattern(DayMonthYear(), 0.6),
    new RecognizerPattern(YearMonthDaySlash(), 0.6), new RecognizerPattern(MonthDayYearDash(), 0.6),
    new RecognizerPattern(DayMonthYearDash(), 0.6), new RecognizerPattern(YearMonthDayDash(), 0.6),
    new RecognizerPattern(DayMonthYearDot(), 0.6), new RecognizerPattern(DayMonthNameYear(), 0.6),
    new RecognizerPattern(MonthNameYear(), 0.6), new RecognizerPattern(DayMonthName(), 0.6),
    new RecognizerPattern(MonthYear(), 0.2), new RecognizerPattern(MonthShortYear(), 0.1))
{
    private const string D = "([1-9]|0[1-9]|[1-2][0-9]|3[0-1])";
    private const string M = "([1-9]|0[1-9]|1[0-2])";
    private const string Mon = "(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)";
    private const string Zone = "([+-][0-2][0-9]:[0-5][0-9]|Z)";
    private const RegexOptions Options = RegexOptions.IgnoreCase | Linear;

    [GeneratedRegex(@"\b[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?" + Zone, Options)]
    private static partial Regex Iso8601();

    [GeneratedRegex(@"\b" + M + "/" + D + "/([0-9]{4}|[0-9]{2})\\b", Options)]
    private static partial Regex MonthDayYear();

    [GeneratedRegex(@"\b" + D + "/" + M + "/([0-9]{4}|[0-9]{2})\\b", Options)]
    private static partial Regex DayMonthYear();

    [GeneratedRegex(@"\b[0-9]{4}/" + M + "/" + D + "\\b", Options)]
    private static partial Regex YearMonthDaySlash();

    [GeneratedRegex(@"\b" + M + "-" + D + "-[0-9]{4}\\b", Options)]
    private static partial Regex MonthDayYearDash();

    [GeneratedRegex(@"\b" + D + "-" + M + "-[0-9]{4}\\b", Options)]
    private static partial Regex DayMonthYearDash();

    [GeneratedRegex(@"\b[0-9]{4}-" + M + "-" + D + "\\b", Options)]
    private static partial Regex YearMonthDayDash();

    [GeneratedRegex(@"\b" + D + "\\." + M + "\\.([0-9]{4}|[0-9]{2})\\b", Options)]
    private static partial Regex DayMonthYearDot();

    [GeneratedRegex(@"\b" + D + "-" + Mon + "-([0-9]{4}|[0-9]{2})\\b", Options)]
    private static partial Regex DayMonthNameYear();

    [GeneratedRegex(@"\b" + Mon + "-([0-9]{4}|[0-9]{2})\\b", Options)]
    private static partial Regex MonthNameYear();

    [GeneratedRegex(@"\b" + D + "-" + Mon + "\\b", Options)]
    private static partial Regex DayMonthName();

    [GeneratedRegex(@"\b" + M + "/[0-9]{4}\\b", Options)]
    private static partial Regex MonthYear();

    [GeneratedRegex(@"\b" + M + "/[0-9]{2}\\b", Options)]
    private static partial Regex MonthShortYear();

    /// <inheritdoc />
    protected override bool MayContain(string text) =>
        text.Length >= 4 && Candidates.HasDigits(text, 2) && text.AsSpan().ContainsAny('/', '-', '.');
}
