namespace Vigil.Analysis.Providers;

/// <summary>
/// The configured provider in memory with its client, built once per change (SDK clients are reusable and keep
/// their connections), swapped whole after every change so a command sees one provider or the next.
/// </summary>
public sealed class ActiveProvider(ProviderRepository repository, TimeProvider time) : IHostedService
{
    private volatile Current? _current;

    /// <summary>The settings and the client built from them.</summary>
    public sealed record Current(ProviderSettings Settings, IRiskProvider Client);

    /// <summary>The provider, or null when none is configured (the analyzer then works offline).</summary>
    public Current? Get() => _current;

    /// <summary>Re-reads the provider from the store and rebuilds the client.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var stored = await repository.GetAsync(cancellationToken);
        _current = stored is null ? null : new Current(stored.Settings, RiskProviderFactory.Create(stored.Settings, time));
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => ReloadAsync(cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
