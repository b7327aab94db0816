namespace Vigil.Webhooks;

/// <summary>
/// When a failed delivery is tried again: exponential backoff with jitter, as the Standard Webhooks spec recommends
/// ("Deliverability and reliability"). After the n-th failed attempt the wait is <c>base × 2^(n−1)</c>, capped, then
/// stretched by up to 25 % at random (never above the cap); a <c>Retry-After</c> the endpoint sent is honoured when
/// it asks for longer, up to the cap.
/// </summary>
/// <param name="Base">Wait after the first failure (<c>GatewayOptions.WebhookRetryBase</c>).</param>
/// <param name="Cap">Longest wait (<c>GatewayOptions.WebhookRetryCap</c>).</param>
/// <param name="MaxAttempts">Attempts before the delivery is <c>failed</c> (<c>GatewayOptions.WebhookMaxAttempts</c>).</param>
public sealed record RetrySchedule(TimeSpan Base, TimeSpan Cap, int MaxAttempts)
{
    /// <summary>The wait after <paramref name="failures"/> (≥ 1) failed attempts; <paramref name="random"/> in [0, 1) picks the jitter.</summary>
    public TimeSpan Delay(int failures, TimeSpan? retryAfter, double random)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var backoff = Math.Min(Cap.Ticks, Base.Ticks * Math.Pow(2, exponent));
        var delay = TimeSpan.FromTicks((long)Math.Min(Cap.Ticks, backoff * (1 + 0.25 * random)));
        if (retryAfter is { } asked && asked > delay)
        {
            delay = asked < Cap ? asked : Cap;
        }
        return delay;
    }

    /// <summary>True when <paramref name="failures"/> failed attempts since the last replay exhaust the budget.</summary>
    public bool Exhausted(int failures) => failures >= MaxAttempts;
}
