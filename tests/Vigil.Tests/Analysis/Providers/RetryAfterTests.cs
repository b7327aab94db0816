using Vigil.Analysis.Providers;

namespace Vigil.Tests.Analysis.Providers;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset s_now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2", null, 2000)]
    [InlineData(" 0 ", null, 0)]
    [InlineData("30", "1500", 1500)]
    [InlineData(null, "250.5", 250.5)]
    [InlineData("Sun, 01 Mar 2026 12:00:05 GMT", null, 5000)]
    [InlineData("Sunday, 01-Mar-26 12:00:03 GMT", null, 3000)]
    [InlineData("Sun, 01 Mar 2026 11:59:00 GMT", null, 0)]
    public void Parses_seconds_dates_and_milliseconds(string? retryAfter, string? retryAfterMs, double expectedMs)
    {
        RetryAfter.Parse(retryAfter, retryAfterMs, s_now).Should().Be(TimeSpan.FromMilliseconds(expectedMs));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData("soon", "-5")]
    [InlineData("-1", "NaN")]
    public void Unusable_values_are_null(string? retryAfter, string? retryAfterMs)
    {
        RetryAfter.Parse(retryAfter, retryAfterMs, s_now).Should().BeNull();
    }

    [Fact]
    public void Huge_delay_seconds_are_clamped()
    {
        RetryAfter.Parse("99999999999999999999", null, s_now).Should().Be(TimeSpan.FromSeconds(int.MaxValue));
    }
}
