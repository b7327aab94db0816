namespace Vigil.Reviews;

/// <summary>
/// Expires reviews whose time ran out, once a second (and at start, for reviews that ran out while the gateway was
/// down): a pending review is denied, an approval nobody used lapses. Deadlines live in the store, so a restart keeps them.
/// </summary>
public sealed partial class ReviewExpiry(ReviewService reviews, TimeProvider time, ILogger<ReviewExpiry> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await SweepAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping, including a host that failed to start (a port in use): not a failure of the sweep.
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var expired = await reviews.ExpireDueAsync(stoppingToken);
                if (expired > 0)
                {
                    LogExpired(logger, expired);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSweepFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Expired {Count} reviews")]
    private static partial void LogExpired(ILogger logger, int count);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "Review expiry sweep failed; retrying in a second")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
