using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Storage;

namespace Vigil.Analysis.Rules;

/// <summary>Outcome of storing a rule.</summary>
public enum RuleWrite
{
    /// <summary>Stored.</summary>
    Ok,
    /// <summary>No rule has that name (replace).</summary>
    NotFound,
    /// <summary>A rule with that name exists (create).</summary>
    NameTaken,
    /// <summary>A named connection does not exist.</summary>
    UnknownConnection,
    /// <summary>A named connection already belongs to another rule.</summary>
    ConnectionTaken,
}

/// <summary>
/// Analyzer rules in the store. Membership lives in <c>ai_rule_connections</c>, whose primary key is the connection:
/// the database itself keeps a connection in at most one rule, and deleting a connection drops its membership.
/// </summary>
public sealed class RuleRepository(SqliteStore store)
{
    /// <summary>Every rule with its connections, by name.</summary>
    public async Task<IReadOnlyList<AnalysisRule>> ListAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<Row>(new CommandDefinition("SELECT * FROM ai_rules ORDER BY name", cancellationToken: cancellationToken));
        var members = (await db.QueryAsync<(string Connection, string RuleName)>(new CommandDefinition(
                "SELECT connection, rule_name FROM ai_rule_connections ORDER BY connection", cancellationToken: cancellationToken)))
            .ToLookup(m => m.RuleName, m => m.Connection);
        return rows.Select(r => r.ToRule(members[r.name].ToArray())).ToList();
    }

    /// <summary>Inserts (<paramref name="replace"/> false) or replaces a rule and its membership in one transaction.</summary>
    /// <returns>The outcome and, for <see cref="RuleWrite.UnknownConnection"/> and <see cref="RuleWrite.ConnectionTaken"/>,
    /// the connection and (when taken) the rule that holds it.</returns>
    public async Task<(RuleWrite Outcome, string? Connection, string? OtherRule)> SaveAsync(AnalysisRule rule, bool replace, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await db.BeginTransactionAsync(cancellationToken);
        var exists = await db.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM ai_rules WHERE name=@name", new { name = rule.Name }, transaction, cancellationToken: cancellationToken)) == 1;
        if (exists != replace)
        {
            return (replace ? RuleWrite.NotFound : RuleWrite.NameTaken, null, null);
        }
        foreach (var connection in rule.ConnectionNames)
        {
            if (await db.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT count(*) FROM connections WHERE name=@connection", new { connection }, transaction, cancellationToken: cancellationToken)) == 0)
            {
                return (RuleWrite.UnknownConnection, connection, null);
            }
            var holder = await db.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT rule_name FROM ai_rule_connections WHERE connection=@connection AND rule_name<>@name",
                new { connection, name = rule.Name }, transaction, cancellationToken: cancellationToken));
            if (holder is not null)
            {
                return (RuleWrite.ConnectionTaken, connection, holder);
            }
        }
        var row = Row.From(rule);
        await db.ExecuteAsync(new CommandDefinition(
            replace
                ? """
                  UPDATE ai_rules SET description=@description, low_risk_action=@low_risk_action, medium_risk_action=@medium_risk_action,
                  high_risk_action=@high_risk_action, custom_prompt=@custom_prompt, on_provider_error=@on_provider_error,
                  timeout_ms=@timeout_ms, native_analysis=@native_analysis, hold_seconds=@hold_seconds, updated_at=@updated_at WHERE name=@name
                  """
                : """
                  INSERT INTO ai_rules (name, description, low_risk_action, medium_risk_action, high_risk_action, custom_prompt,
                  on_provider_error, timeout_ms, native_analysis, hold_seconds, created_at, updated_at)
                  VALUES (@name, @description, @low_risk_action, @medium_risk_action, @high_risk_action, @custom_prompt,
                  @on_provider_error, @timeout_ms, @native_analysis, @hold_seconds, @created_at, @updated_at)
                  """,
            row, transaction, cancellationToken: cancellationToken));
        await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ai_rule_connections WHERE rule_name=@name", new { name = rule.Name }, transaction, cancellationToken: cancellationToken));
        await db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO ai_rule_connections (connection, rule_name) VALUES (@connection, @name)",
            rule.ConnectionNames.Select(connection => new { connection, name = rule.Name }), transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (RuleWrite.Ok, null, null);
    }

    /// <summary>Deletes a rule (its membership cascades); false when it does not exist.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return await db.ExecuteAsync(new CommandDefinition("DELETE FROM ai_rules WHERE name=@name", new { name }, cancellationToken: cancellationToken)) == 1;
    }

#pragma warning disable IDE1006 // column names
    private sealed class Row
    {
        public string name { get; set; } = "";
        public string? description { get; set; }
        public string low_risk_action { get; set; } = "";
        public string medium_risk_action { get; set; } = "";
        public string high_risk_action { get; set; } = "";
        public string? custom_prompt { get; set; }
        public string on_provider_error { get; set; } = "";
        public long timeout_ms { get; set; }
        public string native_analysis { get; set; } = "";
        public long hold_seconds { get; set; }
        public string created_at { get; set; } = "";
        public string updated_at { get; set; } = "";

        public static Row From(AnalysisRule r) => new()
        {
            name = r.Name,
            description = r.Description,
            low_risk_action = r.RiskEvaluation.LowRiskAction.Name(),
            medium_risk_action = r.RiskEvaluation.MediumRiskAction.Name(),
            high_risk_action = r.RiskEvaluation.HighRiskAction.Name(),
            custom_prompt = r.CustomPrompt,
            on_provider_error = r.OnProviderError.Name(),
            timeout_ms = r.TimeoutMs,
            native_analysis = r.NativeAnalysis.Name(),
            hold_seconds = r.HoldSeconds,
            created_at = Rfc3339.Format(r.CreatedAt),
            updated_at = Rfc3339.Format(r.UpdatedAt),
        };

        public AnalysisRule ToRule(IReadOnlyList<string> connections)
        {
            AnalysisActions.TryParse(low_risk_action, out var low);
            AnalysisActions.TryParse(medium_risk_action, out var medium);
            AnalysisActions.TryParse(high_risk_action, out var high);
            AnalysisActions.TryParse(on_provider_error, out var onError);
            NativeAnalysisModes.TryParse(native_analysis, out var native);
            return new AnalysisRule(name, description, connections, new RiskEvaluation(low, medium, high), custom_prompt, onError,
                (int)timeout_ms, native, Rfc3339.Parse(created_at), Rfc3339.Parse(updated_at), (int)hold_seconds);
        }
    }
#pragma warning restore IDE1006
}
