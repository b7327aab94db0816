using System.Data;
using Npgsql;
using NpgsqlTypes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>Npgsql through the proxy: everything a direct connection does must work the same.</summary>
[Collection(GatewayCollection.Name)]
public sealed class NpgsqlThroughProxyTests(GatewayFixture gateway)
{
    private async Task<NpgsqlConnection> OpenAsync(string connection = "pg", string extra = "")
    {
        var c = new NpgsqlConnection(gateway.ProxyConnectionString(connection, extra));
        await c.OpenAsync();
        return c;
    }

    [Fact]
    public async Task Simple_and_extended_queries_with_binary_parameters_and_results()
    {
        await using var connection = await OpenAsync();
        await using (var simple = new NpgsqlCommand("SELECT count(*) FROM items", connection))
        {
            (await simple.ExecuteScalarAsync()).Should().Be(100L);
        }
        await using var extended = new NpgsqlCommand("SELECT id, name, payload FROM items WHERE id = $1 AND payload = $2", connection);
        var payload = System.Security.Cryptography.MD5.HashData("7"u8);
        extended.Parameters.Add(new NpgsqlParameter { Value = 7 });
        extended.Parameters.Add(new NpgsqlParameter { Value = payload, NpgsqlDbType = NpgsqlDbType.Bytea });
        await using var reader = await extended.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();
        reader.GetInt32(0).Should().Be(7);
        reader.GetString(1).Should().Be("item 7");
        reader.GetFieldValue<byte[]>(2).Should().Equal(payload);
    }

    [Fact]
    public async Task Named_prepared_statements_are_reused_and_recorded_with_parameter_counts()
    {
        await using (var connection = await OpenAsync())
        {
            await using var command = new NpgsqlCommand("SELECT name FROM items WHERE id = $1 /* prepared-marker */", connection);
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = 1 });
            await command.PrepareAsync();
            command.IsPrepared.Should().BeTrue();
            for (var i = 1; i <= 5; i++)
            {
                command.Parameters[0].Value = i;
                (await command.ExecuteScalarAsync()).Should().Be($"item {i}");
            }
        }
        var session = await gateway.LatestSessionAsync("pg");
        var executions = session.Events!.Where(e => e.Kind == "statement" && e.Text!.Contains("prepared-marker") && e.CommandTag == "SELECT 1").ToList();
        executions.Should().HaveCount(5);
        executions.Should().OnlyContain(e => e.ParameterCount == 1 && e.Rows == 1 && e.DurationUs >= 0);
        session.Status.Should().Be("done");
    }

    [Fact]
    public async Task Pipelined_batch_returns_every_result_in_order()
    {
        await using var connection = await OpenAsync();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT 1"),
                new NpgsqlBatchCommand("SELECT name FROM items WHERE id = 2"),
                new NpgsqlBatchCommand("SELECT 'three'"),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync();
        var values = new List<object>();
        do
        {
            while (await reader.ReadAsync())
            {
                values.Add(reader.GetValue(0));
            }
        }
        while (await reader.NextResultAsync());
        values.Should().Equal(1, "item 2", "three");
    }

    [Fact]
    public async Task Transactions_report_their_status_and_roll_back()
    {
        await using var connection = await OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS tx_probe (v int)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using var insert = new NpgsqlCommand("INSERT INTO tx_probe VALUES (42)", connection, tx);
            (await insert.ExecuteNonQueryAsync()).Should().Be(1);
            await using var bad = new NpgsqlCommand("SELECT 1/0", connection, tx);
            var act = () => bad.ExecuteScalarAsync();
            (await act.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("22012");
            await using var afterError = new NpgsqlCommand("SELECT 1", connection, tx);
            (await ((Func<Task>)(() => afterError.ExecuteScalarAsync())).Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("25P02");
            await tx.RollbackAsync();
        }
        await using var count = new NpgsqlCommand("SELECT count(*) FROM tx_probe WHERE v = 42", connection);
        (await count.ExecuteScalarAsync()).Should().Be(0L);
    }

    [Fact]
    public async Task Copy_from_stdin_and_to_stdout_round_trip()
    {
        await using var connection = await OpenAsync();
        await using (var create = new NpgsqlCommand("DROP TABLE IF EXISTS copy_probe; CREATE TABLE copy_probe (id int, note text)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using (var writer = await connection.BeginBinaryImportAsync("COPY copy_probe (id, note) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < 5000; i++)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(i, NpgsqlDbType.Integer);
                await writer.WriteAsync(new string('x', i % 300), NpgsqlDbType.Text);
            }
            (await writer.CompleteAsync()).Should().Be(5000UL);
        }
        using var reader = await connection.BeginTextExportAsync("COPY (SELECT id FROM copy_probe ORDER BY id) TO STDOUT");
        var lines = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(5000);
        lines[4999].Should().Be("4999");
    }

    [Fact]
    public async Task Listen_notify_and_notices_reach_the_client()
    {
        await using var listener = await OpenAsync();
        await using var sender = await OpenAsync();
        var received = new TaskCompletionSource<string>();
        listener.Notification += (_, e) => received.TrySetResult(e.Payload);
        var notices = new List<string>();
        listener.Notice += (_, e) => notices.Add(e.Notice.MessageText);
        await using (var listen = new NpgsqlCommand("LISTEN vigil_channel", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }
        await using (var notify = new NpgsqlCommand("NOTIFY vigil_channel, 'hello through vigil'", sender))
        {
            await notify.ExecuteNonQueryAsync();
        }
        await listener.WaitAsync(TimeSpan.FromSeconds(10));
        (await received.Task.WaitAsync(TimeSpan.FromSeconds(10))).Should().Be("hello through vigil");
        await using (var raise = new NpgsqlCommand("DO $$ BEGIN RAISE NOTICE 'notice through vigil'; END $$", listener))
        {
            await raise.ExecuteNonQueryAsync();
        }
        notices.Should().Contain("notice through vigil");
    }

    [Fact]
    public async Task Errors_keep_the_session_usable_and_are_recorded_with_sqlstate()
    {
        await using (var connection = await OpenAsync())
        {
            await using var bad = new NpgsqlCommand("SELECT * FROM no_such_table_xyz", connection);
            (await ((Func<Task>)(() => bad.ExecuteScalarAsync())).Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("42P01");
            await using var good = new NpgsqlCommand("SELECT 'still usable'", connection);
            (await good.ExecuteScalarAsync()).Should().Be("still usable");
        }
        var session = await gateway.LatestSessionAsync("pg");
        session.Events!.Should().Contain(e => e.Text == "SELECT * FROM no_such_table_xyz" && e.Sqlstate == "42P01");
        session.Events!.Should().Contain(e => e.Text == "SELECT 'still usable'" && e.CommandTag == "SELECT 1" && e.Sqlstate == null);
    }

    [Fact]
    public async Task Parameter_status_reports_the_upstream_server()
    {
        await using var connection = await OpenAsync();
        connection.PostgreSqlVersion.Major.Should().Be(15);
        connection.Timezone.Should().NotBeNullOrEmpty();
        await using var set = new NpgsqlCommand("SET application_name = 'renamed-by-test'", connection);
        await set.ExecuteNonQueryAsync();
        connection.PostgresParameters["application_name"].Should().Be("renamed-by-test");
    }

    [Fact]
    public async Task Cancel_request_is_routed_to_the_right_backend()
    {
        await using var connection = await OpenAsync();
        await using var sleep = new NpgsqlCommand("SELECT pg_sleep(30)", connection);
        var started = DateTime.UtcNow;
        var running = sleep.ExecuteScalarAsync();
        await Task.Delay(500);
        sleep.Cancel();
        // Npgsql surfaces the server's 57014 (canceling statement due to user request) as a cancellation.
        var error = await ((Func<Task>)(() => running)).Should().ThrowAsync<OperationCanceledException>();
        error.Which.InnerException.Should().BeOfType<PostgresException>().Which.SqlState.Should().Be("57014");
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(20));
        await using var after = new NpgsqlCommand("SELECT 1", connection);
        (await after.ExecuteScalarAsync()).Should().Be(1);
    }

    [Fact]
    public async Task Client_tls_is_offered_with_the_generated_certificate()
    {
        await using var connection = await OpenAsync("pg", "SSL Mode=Require;Trust Server Certificate=true");
        await using var command = new NpgsqlCommand("SELECT 'over tls'", connection);
        (await command.ExecuteScalarAsync()).Should().Be("over tls");
        var plain = () => OpenAsync("pg", "SSL Mode=VerifyFull");
        await plain.Should().ThrowAsync<NpgsqlException>("the generated certificate is self-signed, so full verification must fail");
    }

    [Theory]
    [InlineData("pg")]
    [InlineData("pg-md5")]
    [InlineData("pg-clear")]
    [InlineData("pg-prefer")]
    [InlineData("pg-require")]
    [InlineData("pg-verify")]
    public async Task Upstream_authentication_and_tls_modes_work(string connectionName)
    {
        await using var connection = await OpenAsync(connectionName);
        await using var command = new NpgsqlCommand("SELECT current_user || ':' || coalesce((SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()), '?')", connection);
        var result = (string)(await command.ExecuteScalarAsync())!;
        var expectedUser = connectionName switch { "pg-md5" => "md5user", "pg-clear" => "clearuser", _ => "app" };
        var expectedTls = connectionName is "pg-prefer" or "pg-require" or "pg-verify" ? "true" : "false";
        result.Should().Be($"{expectedUser}:{expectedTls}");
    }

    [Fact]
    public async Task Verify_full_refuses_an_untrusted_upstream_certificate()
    {
        var act = () => OpenAsync("pg-verify-untrusted");
        var error = (await act.Should().ThrowAsync<PostgresException>()).Which;
        error.SqlState.Should().Be("08006");
        error.MessageText.Should().StartWith("vigil:").And.Contain("pg-verify-untrusted");
    }

    [Fact]
    public async Task Upstream_password_never_reaches_the_client()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('application_name')", connection);
        await command.ExecuteScalarAsync();
        var wrong = () => OpenAsync("pg-wrong-password");
        var error = (await wrong.Should().ThrowAsync<PostgresException>()).Which;
        error.SqlState.Should().Be("08006");
        error.MessageText.Should().Contain("pg-wrong-password").And.NotContain("not-the-password");
    }
}
