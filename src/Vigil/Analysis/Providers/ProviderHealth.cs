namespace Vigil.Analysis.Providers;

/// <summary>
/// How the configured provider has been doing in this gateway process, as <c>GET /api/ai/session-analyzer/providers</c>
/// shows it: when it last gave a verdict, and its last failure with the time. Kept in memory and reset when the
/// provider changes (an older provider's failures say nothing about the new one).
/// </summary>
public sealed class ProviderHealth
{
    private readonly Lock _lock = new();
    private DateTimeOffset? _lastSuccessAt;
    private DateTimeOffset? _lastErrorAt;
    private string? _lastError;

    /// <summary>The current state: <c>(last_success_at, last_error, last_error_at)</c>, nulls when never.</summary>
    public (DateTimeOffset? LastSuccessAt, string? LastError, DateTimeOffset? LastErrorAt) Read()
    {
        lock (_lock)
        {
            return (_lastSuccessAt, _lastError, _lastErrorAt);
        }
    }

    /// <summary>The provider gave a verdict at <paramref name="at"/>.</summary>
    public void Succeeded(DateTimeOffset at)
    {
        lock (_lock)
        {
            _lastSuccessAt = at;
        }
    }

    /// <summary>The provider failed at <paramref name="at"/> with <paramref name="error"/> (a key-free <see cref="ProviderException"/> message).</summary>
    public void Failed(string error, DateTimeOffset at)
    {
        lock (_lock)
        {
            _lastError = error;
            _lastErrorAt = at;
        }
    }
}

/// <summary>Records every classification's outcome in a <see cref="ProviderHealth"/>; cancellations are neither.</summary>
internal sealed class HealthTrackingProvider(IRiskProvider inner, ProviderHealth health, TimeProvider time) : IRiskProvider
{
    /// <inheritdoc />
    public async Task<ProviderVerdict> ClassifyAsync(ClassificationRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var verdict = await inner.ClassifyAsync(request, timeout, cancellationToken);
            health.Succeeded(time.GetUtcNow());
            return verdict;
        }
        catch (ProviderException e)
        {
            health.Failed(e.Message, time.GetUtcNow());
            throw;
        }
    }
}
