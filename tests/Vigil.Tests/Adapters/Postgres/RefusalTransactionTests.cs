using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>
/// A refused statement fails the transaction it is in, as a server error would: COMMIT answers ROLLBACK, what follows
/// gets 25P02, an extended-protocol batch is rolled back up to its Sync, and the session stays usable afterwards.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RefusalTransactionTests(GatewayFixture gateway)
{
    private static readonly string Refused = $"SELECT '{MarkerBlockStage.Marker}'";

    private async Task<string> TableAsync()
    {
        var table = "refusal_" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = new NpgsqlConnection(gateway.DirectConnectionString());
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE TABLE {table} (v int); GRANT ALL ON {table} TO app", connection);
        await create.ExecuteNonQueryAsync();
        return table;
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(gateway.DirectConnectionString());
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Psql_block_with_a_refused_statement_rolls_back_at_COMMIT()
    {
        var table = await TableAsync();
        var result = await Processes.RunAsync("psql",
            [$"postgresql://someone:{GatewayFixture.Token}@127.0.0.1:{gateway.PgPort}/pg?sslmode=disable", "-X"],
            stdin: $"BEGIN;\nINSERT INTO {table} VALUES (1);\n{Refused};\nINSERT INTO {table} VALUES (2);\nCOMMIT;\nSELECT 'usable ' || count(*) FROM {table};\n");
        result.Stderr.Should().Contain("ERROR:  vigil: blocked by the test policy")
            .And.Contain("ERROR:  current transaction is aborted, commands ignored until end of transaction block");
        result.Stdout.Should().Contain("ROLLBACK").And.NotContain("COMMIT").And.Contain("usable 0");
        (await CountAsync(table)).Should().Be(0);
    }

    [Fact]
    public async Task Npgsql_transaction_with_a_refused_statement_is_failed_and_rolls_back()
    {
        var table = await TableAsync();
        await using var connection = new NpgsqlConnection(gateway.ProxyConnectionString());
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using (var insert = new NpgsqlCommand($"INSERT INTO {table} VALUES ($1)", connection, transaction) { Parameters = { new() { Value = 1 } } })
            {
                await insert.ExecuteNonQueryAsync();
            }
            await using (var refused = new NpgsqlCommand(Refused, connection, transaction))
            {
                var error = (await ((Func<Task>)(() => refused.ExecuteScalarAsync())).Should().ThrowAsync<PostgresException>()).Which;
                error.SqlState.Should().Be("42501");
            }
            await using (var next = new NpgsqlCommand("SELECT 1", connection, transaction))
            {
                var error = (await ((Func<Task>)(() => next.ExecuteScalarAsync())).Should().ThrowAsync<PostgresException>()).Which;
                error.SqlState.Should().Be("25P02");
            }
            await transaction.CommitAsync();
        }
        (await CountAsync(table)).Should().Be(0);
        await using var after = new NpgsqlCommand($"INSERT INTO {table} VALUES (3)", connection);
        (await after.ExecuteNonQueryAsync()).Should().Be(1);
        (await CountAsync(table)).Should().Be(1);
    }

    [Fact]
    public async Task Simple_query_refused_outside_a_block_changes_nothing_else()
    {
        var table = await TableAsync();
        await using var connection = new NpgsqlConnection(gateway.ProxyConnectionString());
        await connection.OpenAsync();
        await using (var insert = new NpgsqlCommand($"INSERT INTO {table} VALUES (1)", connection))
        {
            await insert.ExecuteNonQueryAsync();
        }
        await using (var refused = new NpgsqlCommand(Refused, connection))
        {
            (await ((Func<Task>)(() => refused.ExecuteScalarAsync())).Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42501");
        }
        await using var next = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        (await next.ExecuteScalarAsync()).Should().Be(1L);
    }

    [Fact]
    public async Task Extended_batch_with_a_refused_statement_rolls_back_its_implicit_transaction()
    {
        var table = await TableAsync();
        await using var connection = new NpgsqlConnection(gateway.ProxyConnectionString());
        await connection.OpenAsync();
        await using (var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"INSERT INTO {table} VALUES ($1)") { Parameters = { new NpgsqlParameter { Value = 1 } } },
                new NpgsqlBatchCommand($"{Refused}, $1::int") { Parameters = { new NpgsqlParameter { Value = 2 } } },
                new NpgsqlBatchCommand($"INSERT INTO {table} VALUES (3)"),
            },
        })
        {
            var error = (await ((Func<Task>)(() => batch.ExecuteNonQueryAsync())).Should().ThrowAsync<PostgresException>()).Which;
            error.SqlState.Should().Be("42501");
            error.MessageText.Should().Be("vigil: blocked by the test policy");
        }
        (await CountAsync(table)).Should().Be(0, "PostgreSQL rolls back a batch's implicit transaction when one of its statements fails");
        await using var next = new NpgsqlCommand($"INSERT INTO {table} VALUES ($1)", connection) { Parameters = { new() { Value = 4 } } };
        (await next.ExecuteNonQueryAsync()).Should().Be(1);
        (await CountAsync(table)).Should().Be(1);
    }

    [Fact]
    public async Task Extended_statement_refused_inside_a_block_fails_the_block_and_ROLLBACK_recovers()
    {
        var table = await TableAsync();
        await using var connection = new NpgsqlConnection(gateway.ProxyConnectionString());
        await connection.OpenAsync();
        await using (var begin = new NpgsqlCommand("BEGIN", connection))
        {
            await begin.ExecuteNonQueryAsync();
        }
        await using (var insert = new NpgsqlCommand($"INSERT INTO {table} VALUES ($1)", connection) { Parameters = { new() { Value = 1 } } })
        {
            await insert.ExecuteNonQueryAsync();
        }
        await using (var refused = new NpgsqlCommand($"{Refused}, $1::int", connection) { Parameters = { new() { Value = 2 } } })
        {
            (await ((Func<Task>)(() => refused.ExecuteScalarAsync())).Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42501");
        }
        await using (var commit = new NpgsqlCommand("COMMIT", connection))
        {
            await commit.ExecuteNonQueryAsync();
        }
        (await CountAsync(table)).Should().Be(0);
        await using var next = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        (await next.ExecuteScalarAsync()).Should().Be(0L);
    }
}
