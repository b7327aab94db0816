namespace Vigil.Guardrails;

/// <summary>
/// The guardrails in memory, compiled per connection, looked up per command without touching the store: an immutable
/// snapshot swapped whole after every change (<see cref="ReloadAsync"/>), so a command sees either the old or the new
/// guardrails, never a mix, and a change applies to the very next command (and the next result) of an open session.
/// </summary>
public sealed class GuardrailSet(GuardrailRepository repository) : IHostedService
{
    private volatile Snapshot _snapshot = new([], new Dictionary<string, GuardrailChecker>(StringComparer.Ordinal));

    private sealed record Snapshot(IReadOnlyList<Guardrail> All, IReadOnlyDictionary<string, GuardrailChecker> ByConnection);

    /// <summary>Every guardrail, by name.</summary>
    public IReadOnlyList<Guardrail> All => _snapshot.All;

    /// <summary>
    /// The compiled checker of every guardrail naming <paramref name="connectionName"/>, or null when none does (then the
    /// adapter skips both stages: no lexing, no scanning). Take it once per command or result, not once per session, to
    /// see changes.
    /// </summary>
    public GuardrailChecker? ForConnection(string connectionName) => _snapshot.ByConnection.GetValueOrDefault(connectionName);

    /// <summary>The guardrail named <paramref name="nameOrId"/>, else the one with that id; null when neither.</summary>
    public Guardrail? Find(string nameOrId)
    {
        var all = _snapshot.All;
        return all.FirstOrDefault(g => g.Name == nameOrId) ?? all.FirstOrDefault(g => g.Id == nameOrId);
    }

    /// <summary>Re-reads the guardrails from the store and compiles them.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var guardrails = await repository.ListAllAsync(cancellationToken);
        var byConnection = guardrails
            .Where(g => g.InputRules.Count + g.OutputRules.Count > 0)
            .SelectMany(g => g.ConnectionNames.Select(c => (Connection: c, Guardrail: g)))
            .GroupBy(p => p.Connection, StringComparer.Ordinal)
            .ToDictionary(p => p.Key, p => new GuardrailChecker(p.Select(x => x.Guardrail)), StringComparer.Ordinal);
        _snapshot = new Snapshot(guardrails, byConnection);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => ReloadAsync(cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
