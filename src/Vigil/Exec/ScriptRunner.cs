using System.Text;
using Npgsql;
using Vigil.Analysis.Static.Postgres;

namespace Vigil.Exec;

/// <summary>The printed result of a script and how it ended.</summary>
/// <param name="Output">psql-like text: one table or command tag per statement, then the error if one failed.</param>
/// <param name="Error">The failure ("ERROR:  message", SQLSTATE), null when every statement succeeded.</param>
public sealed record ScriptResult(string Output, string? Error, string? SqlState);

/// <summary>
/// Runs a script in-process through Npgsql (no psql subprocess, so no shell escapes): statements one at a time on one
/// connection, stopping at the first error as psql does with ON_ERROR_STOP.
/// </summary>
public static class ScriptRunner
{
    /// <summary>Runs <paramref name="script"/> on <paramref name="dataSource"/>.</summary>
    public static async Task<ScriptResult> RunAsync(NpgsqlDataSource dataSource, string script, CancellationToken cancellationToken)
    {
        var output = new StringBuilder();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Cut as the target lexes strings (standard_conforming_strings may be off for this role or database).
        var lexing = PgLexerOptions.FromSetting(connection.PostgresParameters.GetValueOrDefault("standard_conforming_strings"));
        foreach (var statement in SqlScript.Split(script, lexing))
        {
            try
            {
                await RunStatementAsync(connection, statement, output, cancellationToken);
            }
            catch (PostgresException e)
            {
                var message = $"ERROR:  {e.MessageText}";
                output.Append(message).Append('\n');
                return new ScriptResult(output.ToString(), message, e.SqlState);
            }
        }
        return new ScriptResult(output.ToString(), null, null);
    }

    private static async Task RunStatementAsync(NpgsqlConnection connection, string statement, StringBuilder output, CancellationToken cancellationToken)
    {
        var executed = new NpgsqlBatchCommand(statement);
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { executed } };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (reader.FieldCount > 0)
        {
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            var numeric = Enumerable.Range(0, reader.FieldCount).Select(i => ResultTable.IsNumeric(reader.GetFieldType(i))).ToList();
            var rows = new List<string?[]>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new string?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = ResultTable.Text(await reader.IsDBNullAsync(i, cancellationToken) ? null : reader.GetValue(i));
                }
                rows.Add(row);
            }
            if (output.Length > 0)
            {
                output.Append('\n');
            }
            ResultTable.Render(output, columns, numeric, rows);
            return;
        }
        while (await reader.NextResultAsync(cancellationToken))
        {
        }
        output.Append(CommandTag(statement, executed)).Append('\n');
    }

    /// <summary>psql prints the server's command tag; Npgsql exposes the type and count, so rebuild it from those.</summary>
    private static string CommandTag(string statement, NpgsqlBatchCommand executed) => executed.StatementType switch
    {
        StatementType.Insert => $"INSERT {executed.OID} {executed.Rows}",
        StatementType.Update => $"UPDATE {executed.Rows}",
        StatementType.Delete => $"DELETE {executed.Rows}",
        StatementType.Merge => $"MERGE {executed.Rows}",
        StatementType.Copy => $"COPY {executed.Rows}",
        StatementType.Move => $"MOVE {executed.Rows}",
        StatementType.Fetch => $"FETCH {executed.Rows}",
        StatementType.CreateTableAs => $"SELECT {executed.Rows}",
        _ => Keywords(statement),
    };

    private static string Keywords(string statement)
    {
        var words = SqlScript.LeadingWords(statement, 3);
        if (words.Count == 0)
        {
            return "OK";
        }
        if (words[0] is "CREATE" or "ALTER" or "DROP" && words.Count > 1)
        {
            var noun = words.Skip(1).FirstOrDefault(w => w is not ("OR" or "REPLACE" or "UNIQUE" or "TEMP" or "TEMPORARY" or "UNLOGGED" or "IF")) ?? words[1];
            return $"{words[0]} {noun}";
        }
        return words[0] switch
        {
            "BEGIN" or "START" => "BEGIN",
            "END" => "COMMIT",
            _ => words[0],
        };
    }
}
