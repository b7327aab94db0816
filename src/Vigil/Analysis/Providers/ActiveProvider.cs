namespace Vigil.Analysis.Providers;

/// <summary>
/// The configured provider in memory with its client, built once per change (SDK clients are reusable and keep
/// their connections), swapped whole after every change so a command sees one provider or the next.
/// </summary>
public sealed class ActiveProvider(ProviderRepository repository, TimeProvider time) : IHostedService
{
    private volatile Current? _current;

    /// <summary>The settings, the client built from them, and how that client has been doing.</summary>
    public sealed record Current(ProviderSettings Settings, IRiskProvider Client, ProviderHealth Health);

    /// <summary>The provider, or null when none is configured (the analyzer then works offline).</summary>
    public Current? Get() => _current;

    /// <summary>Re-reads the provider from the store and rebuilds the client.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var stored = await repository.GetAsync(cancellationToken);
        if (stored is null)
        {
            _current = null;
            return;
        }
        var health = new ProviderHealth();
        _current = new Current(stored.Settings, new HealthTrackingProvider(RiskProviderFactory.Create(stored.Settings, time), health, time), health);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => ReloadAsync(cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
