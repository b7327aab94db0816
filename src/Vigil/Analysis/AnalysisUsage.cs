namespace Vigil.Analysis;

/// <summary>
/// A session's use of the provider, accumulated lock-free while it runs and written once as an
/// <c>ai.analysis.usage</c> analytics event when it closes.
/// </summary>
public sealed class AnalysisUsage
{
    private long _calls, _cacheHits, _errors, _inputTokens, _outputTokens, _latencyMicros;
    private string? _provider, _model;

    /// <summary>The event data: <c>{provider, model, calls, cache_hits, errors, input_tokens, output_tokens, latency_ms}</c>.</summary>
    public sealed record Snapshot(string? Provider, string? Model, long Calls, long CacheHits, long Errors, long InputTokens, long OutputTokens, double LatencyMs);

    /// <summary>True once the provider (or its cache) was used.</summary>
    public bool Any => Interlocked.Read(ref _calls) + Interlocked.Read(ref _cacheHits) + Interlocked.Read(ref _errors) > 0;

    /// <summary>Counts one provider call that answered.</summary>
    public void Called(string provider, string model, int? inputTokens, int? outputTokens, TimeSpan latency)
    {
        Name(provider, model);
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _inputTokens, inputTokens ?? 0);
        Interlocked.Add(ref _outputTokens, outputTokens ?? 0);
        Interlocked.Add(ref _latencyMicros, (long)latency.TotalMicroseconds);
    }

    /// <summary>Counts one provider verdict served from the cache.</summary>
    public void CacheHit(string provider, string model)
    {
        Name(provider, model);
        Interlocked.Increment(ref _cacheHits);
    }

    /// <summary>Counts one provider call that failed.</summary>
    public void Failed(string provider, string model, TimeSpan latency)
    {
        Name(provider, model);
        Interlocked.Increment(ref _errors);
        Interlocked.Add(ref _latencyMicros, (long)latency.TotalMicroseconds);
    }

    /// <summary>The totals so far.</summary>
    public Snapshot Read() => new(
        Volatile.Read(ref _provider), Volatile.Read(ref _model), Interlocked.Read(ref _calls), Interlocked.Read(ref _cacheHits),
        Interlocked.Read(ref _errors), Interlocked.Read(ref _inputTokens), Interlocked.Read(ref _outputTokens),
        Interlocked.Read(ref _latencyMicros) / 1000.0);

    private void Name(string provider, string model)
    {
        Volatile.Write(ref _provider, provider);
        Volatile.Write(ref _model, model);
    }
}
