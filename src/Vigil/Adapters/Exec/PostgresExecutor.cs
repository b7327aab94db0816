using CommandBehavior = System.Data.CommandBehavior;
using System.Net.Sockets;
using Npgsql;
using Vigil.Analysis.Static.Postgres;
using Vigil.Hosting;
using Vigil.Pipeline;

namespace Vigil.Adapters.Exec;

/// <summary>
/// The exec executor for <c>postgres</c> connections: runs a script in-process through Npgsql (no psql subprocess, so
/// no shell escapes), statements one at a time on one connection (<see cref="SqlScript.Split"/>, the analyzer's cut),
/// stopping at the first error as psql does with ON_ERROR_STOP, or when a result stage stops a result. Each statement's
/// columns (with <c>schema.table</c> from Npgsql's column schema when a stage inspects rows), rows as PostgreSQL text,
/// notices (the connection's Notice event) and error go to its <see cref="ExecStatement"/>.
/// </summary>
public sealed class PostgresExecutor(GatewayOptions options, TimeProvider time) : IExecExecutor
{
    /// <inheritdoc />
    public string ConnectionType => "postgres";

    /// <inheritdoc />
    public async Task RunAsync(SessionContext session, string script, ExecTranscript transcript, CancellationToken cancellationToken)
    {
        try
        {
            await using var dataSource = TargetDataSource.Create(session.Connection, options.ExecStatementTimeout);
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            ExecStatement? current = null;
            connection.Notice += (_, e) => current?.Notice(
                new ResultNotice(e.Notice.InvariantSeverity, e.Notice.SqlState, e.Notice.MessageText, e.Notice.Detail, e.Notice.Hint));
            // Cut as the target lexes strings (standard_conforming_strings may be off for this role or database).
            var lexing = PgLexerOptions.FromSetting(connection.PostgresParameters.GetValueOrDefault("standard_conforming_strings"));
            foreach (var statement in SqlScript.Split(script, lexing))
            {
                current = transcript.Statement(statement, time.GetTimestamp());
                try
                {
                    await RunStatementAsync(connection, statement, current, cancellationToken);
                }
                catch (PostgresException e)
                {
                    current.Fail(new ResultNotice(e.InvariantSeverity, e.SqlState, e.MessageText, e.Detail, e.Hint));
                }
                if (transcript.Ended)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException)
        {
            // Name the connection, never its credentials (Npgsql messages carry host and port only).
            transcript.Fail($"cannot reach connection '{session.Connection.Name}': {e.Message}", "08006");
        }
    }

    /// <summary>Runs one statement, handing its answer to <paramref name="statement"/>.</summary>
    private static async Task RunStatementAsync(NpgsqlConnection connection, string text, ExecStatement statement, CancellationToken cancellationToken)
    {
        var executed = new NpgsqlBatchCommand(text);
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { executed } };
        // KeyInfo has Npgsql resolve the tables columns read (on a second connection), only when a stage needs them.
        var withTables = statement.NeedsTables;
        await using var reader = await batch.ExecuteReaderAsync(withTables ? CommandBehavior.KeyInfo : CommandBehavior.Default, cancellationToken);
        if (reader.FieldCount > 0)
        {
            statement.Columns(await ColumnsAsync(reader, withTables, cancellationToken),
                Enumerable.Range(0, reader.FieldCount).Select(i => ResultTable.IsNumeric(reader.GetFieldType(i))).ToList());
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new string?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = ResultTable.Text(await reader.IsDBNullAsync(i, cancellationToken) ? null : reader.GetValue(i));
                }
                if (!statement.Row(row))
                {
                    // Nothing past a stop reaches the client: have the server stop sending instead of draining the rest.
                    batch.Cancel();
                    return;
                }
            }
        }
        // Consuming the rest reads the statement's CommandComplete, which sets its type and count.
        while (await reader.NextResultAsync(cancellationToken))
        {
        }
        statement.Complete(CommandTag(text, executed), HasCount(executed.StatementType) ? (long)executed.Rows : null);
    }

    /// <summary>
    /// The result's columns: name, type name and, when a stage inspects rows (column masking rules name tables), the
    /// <c>schema.table</c> it reads (Npgsql's column schema: BaseSchemaName, BaseTableName; null for computed columns).
    /// A failure to resolve them fails the statement rather than let values reach the stages without their table.
    /// </summary>
    private static async Task<List<ResultColumn>> ColumnsAsync(NpgsqlDataReader reader, bool withTables, CancellationToken cancellationToken)
    {
        var schema = withTables ? await reader.GetColumnSchemaAsync(cancellationToken) : null;
        return Enumerable.Range(0, reader.FieldCount).Select(i =>
        {
            var column = schema?[i];
            var table = column is { BaseSchemaName: { } owner, BaseTableName: { } name } ? $"{owner}.{name}" : null;
            return new ResultColumn(reader.GetName(i), reader.GetDataTypeName(i), table);
        }).ToList();
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
