using System.Net.Sockets;

namespace Vigil.Analysis.Providers;

/// <summary>An HTTP error answer as read from an SDK exception: status, body and the 429 wait headers.</summary>
internal sealed record HttpFailure(int Status, string? Body, string? RetryAfter, string? RetryAfterMs);

/// <summary>
/// The failure semantics every provider shares: the timeout bounds the whole exchange (retry wait included); HTTP 429
/// gets one retry after the provider's <c>Retry-After</c>/<c>retry-after-ms</c> (or <see cref="DefaultRateLimitWait"/>
/// when it sends neither) if that wait ends before the deadline; every other failure becomes a key-free
/// <see cref="ProviderException"/> at once.
/// </summary>
/// <param name="endpoint">The provider's base URL, for "cannot reach" messages.</param>
/// <param name="apiKey">Removed from every message.</param>
/// <param name="time">Clock for the deadline and the retry wait.</param>
internal sealed class ProviderExchange(Uri endpoint, string apiKey, TimeProvider time)
{
    /// <summary>The wait before the retry when a 429 names none.</summary>
    public static readonly TimeSpan DefaultRateLimitWait = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs <paramref name="attempt"/> (which also interprets the answer and may throw <see cref="ProviderException"/>)
    /// once, or twice after a 429.
    /// </summary>
    /// <param name="attempt">One request and the interpretation of its answer.</param>
    /// <param name="asHttpFailure">Reads an SDK exception that carries an HTTP error answer; null for anything else.</param>
    /// <param name="timeout">Bounds everything, the retry wait included.</param>
    /// <param name="cancellationToken">The caller's; its cancellation is rethrown as such, not as a timeout.</param>
    public async Task<T> RunAsync<T>(
        Func<CancellationToken, Task<T>> attempt, Func<Exception, HttpFailure?> asHttpFailure, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var retried = false;
        while (true)
        {
            HttpFailure failure;
            try
            {
                return await attempt(linked.Token).ConfigureAwait(false);
            }
            catch (ProviderException e) when (ProviderErrors.Redact(e.Message, apiKey) is var redacted && redacted != e.Message)
            {
                // Answer errors quote what the endpoint sent (text, a tool name); an endpoint can echo the key back.
                throw new ProviderException(redacted);
            }
            catch (ProviderException)
            {
                throw;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw;
            }
            catch (Exception) when (deadline.IsCancellationRequested)
            {
                // The SDKs surface our cancellation as TaskCanceledException, or wrapped in their own IO exception.
                throw ProviderErrors.TimedOut(timeout);
            }
            catch (Exception e) when (asHttpFailure(e) is { } http)
            {
                failure = http;
            }
            catch (Exception e) when (IsConnectionFailure(e))
            {
                throw ProviderErrors.Unreachable(endpoint, e, apiKey);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A 2xx whose body the SDK could not deserialize (HTML from a proxy, a truncated body, wrong shapes).
                throw ProviderErrors.Unreadable(e);
            }

            if (failure.Status != 429)
            {
                throw ProviderErrors.Http(failure.Status, failure.Body, apiKey);
            }
            if (retried)
            {
                throw ProviderErrors.RateLimited("again after one retry", failure.Body, apiKey);
            }
            var wait = RetryAfter.Parse(failure.RetryAfter, failure.RetryAfterMs, time.GetUtcNow()) ?? DefaultRateLimitWait;
            var remaining = timeout - time.GetElapsedTime(started);
            if (wait >= remaining)
            {
                throw ProviderErrors.RateLimited(
                    $"retry after {(long)wait.TotalMilliseconds} ms does not fit in the remaining {(long)Math.Max(0, remaining.TotalMilliseconds)} ms of the {(long)timeout.TotalMilliseconds} ms timeout",
                    failure.Body, apiKey);
            }
            retried = true;
            try
            {
                await Task.Delay(wait, time, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw ProviderErrors.TimedOut(timeout);
            }
        }
    }

    private static bool IsConnectionFailure(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException or SocketException or IOException)
            {
                return true;
            }
        }
        return false;
    }
}
