using System.Text;
using Npgsql;
using Vigil.Analysis.Static.Postgres;

namespace Vigil.Adapters.Exec;

/// <summary>The printed result of a script, how it ended, and what each statement the server ran did.</summary>
/// <param name="Output">psql-like text: one table or command tag per statement, then the error if one failed.</param>
/// <param name="Error">The failure ("ERROR:  message", SQLSTATE), null when every statement succeeded.</param>
/// <param name="Statements">One entry per statement sent, in order; the last one carries the error when one failed.</param>
public sealed record ScriptResult(string Output, string? Error, string? SqlState, IReadOnlyList<StatementResult> Statements);

/// <summary>One statement of a script as the server completed it.</summary>
/// <param name="Text">The statement as sent.</param>
/// <param name="CommandTag">The server's completion tag ("SELECT 5", "INSERT 0 3", "CREATE TABLE"); null when it failed.</param>
/// <param name="Rows">Rows returned or affected, for the statements whose tag carries a count; null otherwise.</param>
/// <param name="SqlState">SQLSTATE of its error, null on success.</param>
/// <param name="ErrorMessage">The error's primary message, null on success.</param>
/// <param name="DurationMicroseconds">From sending it to its completion, µs.</param>
public sealed record StatementResult(string Text, string? CommandTag, long? Rows, string? SqlState, string? ErrorMessage, long DurationMicroseconds);

/// <summary>
/// Runs a script in-process through Npgsql (no psql subprocess, so no shell escapes): statements one at a time on one
/// connection, stopping at the first error as psql does with ON_ERROR_STOP.
/// </summary>
public static class ScriptRunner
{
    /// <summary>Runs <paramref name="script"/> on <paramref name="dataSource"/>, timing with <paramref name="time"/>.</summary>
    public static async Task<ScriptResult> RunAsync(NpgsqlDataSource dataSource, string script, TimeProvider time, CancellationToken cancellationToken)
    {
        var output = new StringBuilder();
        var statements = new List<StatementResult>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Cut as the target lexes strings (standard_conforming_strings may be off for this role or database).
        var lexing = PgLexerOptions.FromSetting(connection.PostgresParameters.GetValueOrDefault("standard_conforming_strings"));
        foreach (var statement in SqlScript.Split(script, lexing))
        {
            var started = time.GetTimestamp();
            try
            {
                var (tag, rows) = await RunStatementAsync(connection, statement, output, cancellationToken);
                statements.Add(new StatementResult(statement, tag, rows, null, null, Microseconds(time, started)));
            }
            catch (PostgresException e)
            {
                statements.Add(new StatementResult(statement, null, null, e.SqlState, e.MessageText, Microseconds(time, started)));
                var message = $"ERROR:  {e.MessageText}";
                output.Append(message).Append('\n');
                return new ScriptResult(output.ToString(), message, e.SqlState, statements);
            }
        }
        return new ScriptResult(output.ToString(), null, null, statements);
    }

    private static long Microseconds(TimeProvider time, long started) => (long)time.GetElapsedTime(started).TotalMicroseconds;

    /// <summary>Runs one statement, appends what psql would print, and returns the server's tag and row count.</summary>
    private static async Task<(string Tag, long? Rows)> RunStatementAsync(NpgsqlConnection connection, string statement, StringBuilder output, CancellationToken cancellationToken)
    {
        var executed = new NpgsqlBatchCommand(statement);
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { executed } };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var table = reader.FieldCount > 0;
        if (table)
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
        }
        // Consuming the rest reads the statement's CommandComplete, which sets its type and count.
        while (await reader.NextResultAsync(cancellationToken))
        {
        }
        var tag = CommandTag(statement, executed);
        if (!table)
        {
            output.Append(tag).Append('\n');
        }
        return (tag, HasCount(executed.StatementType) ? (long)executed.Rows : null);
    }

    /// <summary>The statement types whose completion tag ends in a row count (PostgreSQL docs §55.7, CommandComplete).</summary>
    private static bool HasCount(StatementType type) => type is StatementType.Select or StatementType.Insert or StatementType.Update
        or StatementType.Delete or StatementType.Merge or StatementType.Copy or StatementType.Move or StatementType.Fetch or StatementType.CreateTableAs;

    /// <summary>
    /// The server's command tag. Npgsql parses CommandComplete into the statement's type and count without keeping the
    /// text, so rebuild it from those; a tag without a count (CREATE TABLE, BEGIN) follows from the statement's keywords.
    /// </summary>
    private static string CommandTag(string statement, NpgsqlBatchCommand executed) => executed.StatementType switch
    {
        StatementType.Select => $"SELECT {executed.Rows}",
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
