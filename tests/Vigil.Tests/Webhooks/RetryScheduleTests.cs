using Vigil.Webhooks;

namespace Vigil.Tests.Webhooks;

public sealed class RetryScheduleTests
{
    private static readonly RetrySchedule Schedule = new(TimeSpan.FromSeconds(5), TimeSpan.FromHours(1), 10);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(8, 640)]
    [InlineData(11, 3600)]
    [InlineData(60, 3600)]
    public void The_wait_doubles_from_the_base_up_to_the_cap(int failures, int seconds) =>
        Schedule.Delay(failures, null, 0).Should().Be(TimeSpan.FromSeconds(seconds));

    [Fact]
    public void Jitter_adds_up_to_a_quarter_but_never_passes_the_cap()
    {
        Schedule.Delay(2, null, 0.999).Should().BeCloseTo(TimeSpan.FromSeconds(12.5), TimeSpan.FromMilliseconds(10));
        Schedule.Delay(12, null, 0.999).Should().Be(TimeSpan.FromHours(1));
    }

    [Fact]
    public void A_longer_Retry_After_is_honoured_up_to_the_cap()
    {
        Schedule.Delay(1, TimeSpan.FromSeconds(30), 0).Should().Be(TimeSpan.FromSeconds(30));
        Schedule.Delay(1, TimeSpan.FromSeconds(1), 0).Should().Be(TimeSpan.FromSeconds(5));
        Schedule.Delay(1, TimeSpan.FromDays(1), 0).Should().Be(TimeSpan.FromHours(1));
    }

    [Fact]
    public void The_budget_is_spent_after_max_attempts()
    {
        Schedule.Exhausted(9).Should().BeFalse();
        Schedule.Exhausted(10).Should().BeTrue();
    }
}
