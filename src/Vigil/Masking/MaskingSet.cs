using System.Collections.Frozen;
using Vigil.Masking.Rules;

namespace Vigil.Masking;

/// <summary>
/// The masking rules in memory and each connection's compiled <see cref="ConnectionMasker"/>, looked up per result
/// without touching the store: an immutable snapshot swapped whole after every change (<see cref="ReloadAsync"/>), so
/// a result is masked by either the old or the new rules, never a mix, and a change applies to the next result of an
/// open session.
/// </summary>
public sealed class MaskingSet(MaskingRuleRepository repository, MaskingHasher hasher) : IHostedService
{
    private volatile Snapshot _snapshot = new([], FrozenDictionary<string, ConnectionMasker>.Empty, FrozenDictionary<string, string>.Empty);

    /// <param name="All">Every rule, by name.</param>
    /// <param name="ByConnection">Each connection's masker.</param>
    /// <param name="SecretRevealers">Each connection whose Kubernetes Secrets a rule reveals, and that rule's name.</param>
    private sealed record Snapshot(IReadOnlyList<MaskingRule> All, FrozenDictionary<string, ConnectionMasker> ByConnection, FrozenDictionary<string, string> SecretRevealers);

    /// <summary>Every rule, by name.</summary>
    public IReadOnlyList<MaskingRule> All => _snapshot.All;

    /// <summary>The rule whose id, else whose name, is <paramref name="nameOrId"/>; null when none.</summary>
    public MaskingRule? Find(string nameOrId)
    {
        var all = _snapshot.All;
        return all.FirstOrDefault(r => r.Id == nameOrId) ?? all.FirstOrDefault(r => r.Name == nameOrId);
    }

    /// <summary>
    /// The masker of <paramref name="connectionName"/>'s results, shared by all its sessions; null when no rule masks
    /// anything on it (the caller then forwards results untouched).
    /// </summary>
    public ConnectionMasker? ForConnection(string connectionName) => _snapshot.ByConnection.GetValueOrDefault(connectionName);

    /// <summary>
    /// The name of the rule with <c>kubernetes_secrets: reveal</c> that names <paramref name="connectionName"/> (the
    /// first by name when several do); null when none does and Secret values are redacted.
    /// </summary>
    public string? KubernetesSecretsRevealedBy(string connectionName) => _snapshot.SecretRevealers.GetValueOrDefault(connectionName);

    /// <summary>Re-reads the rules from the store and recompiles every connection's masker.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var rules = await repository.ListAllAsync(cancellationToken);
        // Each rule is compiled once (its regexes shared by every connection it names), in name order.
        var plans = rules.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r => (Rule: r, Plan: ConnectionMasker.RulePlan.Compile(r))).ToList();
        var byConnection = new Dictionary<string, ConnectionMasker>(StringComparer.Ordinal);
        foreach (var connection in rules.SelectMany(r => r.ConnectionNames).Distinct(StringComparer.Ordinal))
        {
            if (ConnectionMasker.Combine(plans.Where(p => p.Rule.ConnectionNames.Contains(connection, StringComparer.Ordinal)).Select(p => p.Plan), hasher) is { } masker)
            {
                byConnection[connection] = masker;
            }
        }
        var revealers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rule in plans.Select(p => p.Rule).Where(r => r.RevealKubernetesSecrets))
        {
            foreach (var connection in rule.ConnectionNames)
            {
                revealers.TryAdd(connection, rule.Name);
            }
        }
        _snapshot = new Snapshot(rules, byConnection.ToFrozenDictionary(StringComparer.Ordinal), revealers.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => ReloadAsync(cancellationToken);

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
