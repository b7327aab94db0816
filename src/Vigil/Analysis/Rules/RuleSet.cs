namespace Vigil.Analysis.Rules;

/// <summary>
/// The rules in memory, looked up per command without touching the store: an immutable snapshot swapped whole after
/// every change (<see cref="ReloadAsync"/>), so a command sees either the old or the new rules, never a mix, and a
/// changed rule applies to the very next command of an open session.
/// </summary>
public sealed class RuleSet(RuleRepository repository) : IHostedService
{
    private volatile Snapshot _snapshot = new([], new Dictionary<string, AnalysisRule>(StringComparer.Ordinal));

    private sealed record Snapshot(IReadOnlyList<AnalysisRule> All, IReadOnlyDictionary<string, AnalysisRule> ByConnection);

    /// <summary>Every rule, by name.</summary>
    public IReadOnlyList<AnalysisRule> All => _snapshot.All;

    /// <summary>The rule governing <paramref name="connection"/>, or null.</summary>
    public AnalysisRule? ForConnection(string connection) => _snapshot.ByConnection.GetValueOrDefault(connection);

    /// <summary>Re-reads the rules from the store.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var rules = await repository.ListAllAsync(cancellationToken);
        var byConnection = rules.SelectMany(r => r.ConnectionNames.Select(c => (c, r))).ToDictionary(p => p.c, p => p.r, StringComparer.Ordinal);
        _snapshot = new Snapshot(rules, byConnection);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => ReloadAsync(cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
