using System.Collections.Concurrent;

namespace Vigil.Reviews;

/// <summary>
/// Wakes whoever waits on a review (a long-polling <c>GET /api/reviews/{id}?wait=</c>, a proxied statement held by
/// <c>hold_seconds</c>) when it changes in this process. Waiters re-read the store after waking, so a signal carries
/// no state and a missed one costs at most the wait.
/// </summary>
public sealed class ReviewSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    /// <summary>
    /// A task that completes at the next <see cref="Changed"/> of <paramref name="reviewId"/>. Take it before reading
    /// the review, so a change between the read and the wait is not missed.
    /// </summary>
    public Task Next(string reviewId) =>
        _waiting.GetOrAdd(reviewId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Wakes every waiter of <paramref name="reviewId"/>.</summary>
    public void Changed(string reviewId)
    {
        if (_waiting.TryRemove(reviewId, out var waiters))
        {
            waiters.TrySetResult();
        }
    }
}
