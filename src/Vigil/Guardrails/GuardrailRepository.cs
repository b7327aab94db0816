using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Hosting;
using Vigil.Storage;

namespace Vigil.Guardrails;

/// <summary>Outcome of storing a guardrail.</summary>
public enum GuardrailWrite
{
    /// <summary>Stored.</summary>
    Ok,
    /// <summary>No guardrail has that id (replace).</summary>
    NotFound,
    /// <summary>Another guardrail has that name.</summary>
    NameTaken,
    /// <summary>A named connection does not exist.</summary>
    UnknownConnection,
}

/// <summary>
/// Guardrails in the store: one row each in <c>guardrails</c> (rules as JSON in the API's rule shape) and their
/// connections in <c>guardrail_connections</c>, whose foreign keys drop a connection's membership when it is deleted.
/// </summary>
public sealed class GuardrailRepository(SqliteStore store)
{
    /// <summary>Every guardrail with its connections, by name.</summary>
    public async Task<IReadOnlyList<Guardrail>> ListAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<Row>(new CommandDefinition("SELECT * FROM guardrails ORDER BY name", cancellationToken: cancellationToken));
        var members = (await db.QueryAsync<(string GuardrailId, string Connection)>(new CommandDefinition(
                "SELECT guardrail_id, connection FROM guardrail_connections ORDER BY connection", cancellationToken: cancellationToken)))
            .ToLookup(m => m.GuardrailId, m => m.Connection);
        return rows.Select(r => r.ToGuardrail(members[r.id].ToArray())).ToList();
    }

    /// <summary>Inserts (<paramref name="replace"/> false) or replaces (by id) a guardrail and its connections in one transaction.</summary>
    /// <returns>The outcome and, for <see cref="GuardrailWrite.UnknownConnection"/>, the connection.</returns>
    public async Task<(GuardrailWrite Outcome, string? Connection)> SaveAsync(Guardrail guardrail, bool replace, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await db.BeginTransactionAsync(cancellationToken);
        var exists = await db.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM guardrails WHERE id=@Id", new { guardrail.Id }, transaction, cancellationToken: cancellationToken)) == 1;
        if (replace && !exists)
        {
            return (GuardrailWrite.NotFound, null);
        }
        if (await db.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT count(*) FROM guardrails WHERE name=@Name AND id<>@Id", new { guardrail.Name, guardrail.Id }, transaction, cancellationToken: cancellationToken)) > 0)
        {
            return (GuardrailWrite.NameTaken, null);
        }
        foreach (var connection in guardrail.ConnectionNames)
        {
            if (await db.ExecuteScalarAsync<long>(new CommandDefinition(
                    "SELECT count(*) FROM connections WHERE name=@connection", new { connection }, transaction, cancellationToken: cancellationToken)) == 0)
            {
                return (GuardrailWrite.UnknownConnection, connection);
            }
        }
        await db.ExecuteAsync(new CommandDefinition(
            replace
                ? """
                  UPDATE guardrails SET name=@name, description=@description, input_rules=@input_rules, output_rules=@output_rules,
                  updated_at=@updated_at WHERE id=@id
                  """
                : """
                  INSERT INTO guardrails (id, name, description, input_rules, output_rules, created_at, updated_at)
                  VALUES (@id, @name, @description, @input_rules, @output_rules, @created_at, @updated_at)
                  """,
            Row.From(guardrail), transaction, cancellationToken: cancellationToken));
        await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM guardrail_connections WHERE guardrail_id=@Id", new { guardrail.Id }, transaction, cancellationToken: cancellationToken));
        await db.ExecuteAsync(new CommandDefinition(
            "INSERT INTO guardrail_connections (guardrail_id, connection) VALUES (@id, @connection)",
            guardrail.ConnectionNames.Select(connection => new { id = guardrail.Id, connection }), transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return (GuardrailWrite.Ok, null);
    }

    /// <summary>Deletes a guardrail by id (its connections cascade); false when it does not exist.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return await db.ExecuteAsync(new CommandDefinition("DELETE FROM guardrails WHERE id=@id", new { id }, cancellationToken: cancellationToken)) == 1;
    }

#pragma warning disable IDE1006 // column names
    private sealed class Row
    {
        public string id { get; set; } = "";
        public string name { get; set; } = "";
        public string? description { get; set; }
        public string input_rules { get; set; } = "[]";
        public string output_rules { get; set; } = "[]";
        public string created_at { get; set; } = "";
        public string updated_at { get; set; } = "";

        public static Row From(Guardrail g) => new()
        {
            id = g.Id,
            name = g.Name,
            description = g.Description,
            input_rules = JsonSerializer.Serialize(g.InputRules.Select(GuardrailView.RuleView.From), Api.Json),
            output_rules = JsonSerializer.Serialize(g.OutputRules.Select(GuardrailView.RuleView.From), Api.Json),
            created_at = Rfc3339.Format(g.CreatedAt),
            updated_at = Rfc3339.Format(g.UpdatedAt),
        };

        public Guardrail ToGuardrail(IReadOnlyList<string> connections) =>
            new(id, name, description, connections, Rules(input_rules), Rules(output_rules), Rfc3339.Parse(created_at), Rfc3339.Parse(updated_at));

        private static List<GuardrailRule> Rules(string json) =>
            (JsonSerializer.Deserialize<List<GuardrailView.RuleView>>(json, Api.Json) ?? []).Select(r =>
            {
                GuardrailNames.TryParseType(r.Type, out var type);
                GuardrailNames.TryParseMatchIn(r.MatchIn, out var matchIn);
                return new GuardrailRule(type, r.Name, r.Message, r.Words ?? [], r.PatternRegex, matchIn);
            }).ToList();
    }
#pragma warning restore IDE1006
}
