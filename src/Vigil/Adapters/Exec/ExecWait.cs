using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;

namespace Vigil.Adapters.Exec;

/// <summary>
/// The caller's bound on waiting for an exec run (<c>wait_seconds</c>, 0 to <see cref="MaxSeconds"/>): past it the run
/// goes on detached and the answer is <c>running</c>. Absent: the request waits until the run ends.
/// </summary>
public static class ExecWait
{
    /// <summary>The longest wait a caller may ask for, in seconds.</summary>
    public const int MaxSeconds = 300;

    /// <summary>Validates a <c>wait_seconds</c> body field.</summary>
    public static (TimeSpan? Wait, ProblemHttpResult? Error) From(double? seconds) => seconds switch
    {
        null => (null, null),
        < 0 or > MaxSeconds or double.NaN => (null, Api.Problem(400, $"field 'wait_seconds' must be between 0 and {MaxSeconds}")),
        { } s => (TimeSpan.FromSeconds(s), null),
    };

    /// <summary>Validates a <c>wait_seconds</c> query parameter.</summary>
    public static (TimeSpan? Wait, ProblemHttpResult? Error) FromQuery(HttpRequest request)
    {
        if (Api.Query(request, "wait_seconds") is not { } text)
        {
            return (null, null);
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            ? From(seconds)
            : (null, Api.Problem(400, $"query parameter 'wait_seconds' must be a number of seconds between 0 and {MaxSeconds}"));
    }
}
