using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Hosting;
using Vigil.Storage;

namespace Vigil.Masking.Rules;

/// <summary>Outcome of storing a masking rule.</summary>
public enum MaskingRuleWrite
{
    /// <summary>Stored.</summary>
    Ok,
    /// <summary>No rule has that id (replace).</summary>
    NotFound,
    /// <summary>Another rule has that name.</summary>
    NameTaken,
    /// <summary>A named connection does not exist.</summary>
    UnknownConnection,
}

/// <summary>
/// Masking rules in the store: <c>masking_rules</c> (entity types, custom types and columns as one JSON
/// <c>definition</c>) and <c>masking_rule_connections</c>, whose foreign keys drop a deleted connection or rule's rows.
/// </summary>
public sealed class MaskingRuleRepository(SqliteStore store)
{
    /// <summary>Every rule with its connections, by name.</summary>
    public async Task<IReadOnlyList<MaskingRule>> ListAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<Row>(new CommandDefinition("SELECT * FROM masking_rules ORDER BY name", cancellationToken: cancellationToken));
        var members = (await db.QueryAsync<(string RuleId, string Connection)>(new CommandDefinition(
                "SELECT rule_id, connection FROM masking_rule_connections ORDER BY connection", cancellationToken: cancellationToken)))
            .ToLookup(m => m.RuleId, m => m.Connection);
        return rows.Select(r => r.ToRule(members[r.id].ToArray())).ToList();
    }

    /// <summary>Inserts (<paramref name="replace"/> false) or replaces the rule with <see cref="MaskingRule.Id"/>, and its connections, in one transaction.</summary>
    /// <returns>The outcome and, for <see cref="MaskingRuleWrite.UnknownConnection"/>, the connection.</returns>
    public async Task<(MaskingRuleWrite Outcome, string? Connection)> SaveAsync(MaskingRule rule, bool replace, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await db.BeginTransactionAsync(cancellationToken);
        if (replace && await db.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT count(*) FROM masking_rules WHERE id=@Id", new { rule.Id }, transaction, cancellationToken: cancellationToken)) == 0)
        {
            return (MaskingRuleWrite.NotFound, null);
        }
        if (await db.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT count(*) FROM masking_rules WHERE name=@Name AND id<>@Id", new { rule.Name, rule.Id }, transaction, cancellationToken: cancellationToken)) > 0)
        {
            return (MaskingRuleWrite.NameTaken, null);
        }
        foreach (var connection in rule.ConnectionNames)
        {
            if (await db.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT count(*) FROM connections WHERE name=@connection", new { connection }, transaction, cancellationToken: cancellationToken)) == 0)
            {
                return (MaskingRuleWrite.UnknownConnection, connection);
            }
        }
        await db.ExecuteAsync(new CommandDefinition(
            replace
                ? """
                  UPDATE masking_rules SET name=@name, description=@description, definition=@definition, score_threshold=@score_threshold,
                  strategy=@strategy, updated_at=@updated_at WHERE id=@id
                  """
                : """
                  INSERT INTO masking_rules (id, name, description, definition, score_threshold, strategy, created_at, updated_at)
                  VALUES (@id, @name, @description, @definition, @score_threshold, @strategy, @created_at, @updated_at)
                  """,
            Row.From(rule), transaction, cancellationToken: cancellationToken));
        await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM masking_rule_connections WHERE rule_id=@Id", new { rule.Id }, transaction, cancellationToken: cancellationToken));
        await db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO masking_rule_connections (rule_id, connection) VALUES (@id, @connection)",
            rule.ConnectionNames.Select(connection => new { id = rule.Id, connection }), transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (MaskingRuleWrite.Ok, null);
    }

    /// <summary>Deletes the rule with <paramref name="id"/> (its connections cascade); false when it does not exist.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return await db.ExecuteAsync(new CommandDefinition("DELETE FROM masking_rules WHERE id=@id", new { id }, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// The nested lists and <c>kubernetes_secrets</c>, stored as one JSON document in the API's shape; a rule stored
    /// before <c>kubernetes_secrets</c> existed has none, which reads as <c>redact</c>.
    /// </summary>
    private sealed record Definition(
        IReadOnlyList<MaskingRuleView.EntityTypeGroupView> SupportedEntityTypes,
        IReadOnlyList<MaskingRuleView.CustomEntityTypeView> CustomEntityTypes,
        IReadOnlyList<MaskingRuleView.ColumnRuleView> Columns,
        string? KubernetesSecrets = null);

#pragma warning disable IDE1006 // column names
    private sealed class Row
    {
        public string id { get; set; } = "";
        public string name { get; set; } = "";
        public string? description { get; set; }
        public string definition { get; set; } = "";
        public double score_threshold { get; set; }
        public string strategy { get; set; } = "";
        public string created_at { get; set; } = "";
        public string updated_at { get; set; } = "";

        public static Row From(MaskingRule r) => new()
        {
            id = r.Id,
            name = r.Name,
            description = r.Description,
            definition = JsonSerializer.Serialize(new Definition(
                [.. r.SupportedEntityTypes.Select(MaskingRuleView.View)], [.. r.CustomEntityTypes.Select(MaskingRuleView.View)], [.. r.Columns.Select(MaskingRuleView.View)], r.KubernetesSecrets), Api.Json),
            score_threshold = r.ScoreThreshold,
            strategy = r.Strategy.Name(),
            created_at = Rfc3339.Format(r.CreatedAt),
            updated_at = Rfc3339.Format(r.UpdatedAt),
        };

        public MaskingRule ToRule(IReadOnlyList<string> connections)
        {
            var stored = JsonSerializer.Deserialize<Definition>(definition, Api.Json)!;
            MaskingStrategies.TryParse(strategy, out var ruleStrategy);
            return new MaskingRule(
                id, name, description, connections,
                [.. stored.SupportedEntityTypes.Select(g => new EntityTypeGroup(g.Name, g.EntityTypes, Strategy(g.Strategy)))],
                [.. stored.CustomEntityTypes.Select(c => new CustomEntityType(c.Name, c.Regex, c.DenyList, c.Score, Strategy(c.Strategy)))],
                score_threshold, ruleStrategy,
                [.. stored.Columns.Select(c => new ColumnRule(c.TablePattern, c.ColumnPattern, c.EntityType, Strategy(c.Strategy)))],
                Rfc3339.Parse(created_at), Rfc3339.Parse(updated_at), stored.KubernetesSecrets == MaskingRule.RevealSecrets);
        }

        private static MaskingStrategy? Strategy(string? text) => text is not null && MaskingStrategies.TryParse(text, out var s) ? s : null;
    }
#pragma warning restore IDE1006
}
