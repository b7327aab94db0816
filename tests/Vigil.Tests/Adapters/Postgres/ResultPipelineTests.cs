using System.Net.Http.Json;
using Npgsql;
using Vigil.Postgres.Protocol;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>
/// Results through the proxy's result chain with real clients: masking in psql's text results, Npgsql's binary results
/// (text, text[], jsonb), COPY TO STDOUT in CSV, a unique violation's DETAIL; output guardrails stopping a result
/// mid-way and failing its transaction; input guardrails; and the recorded response of each statement.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ResultPipelineTests(GatewayFixture gateway)
{
    private const string Email = "ada.lovelace@example.com";
    private const string Card = "4111 1111 1111 1111";
    private static readonly SemaphoreSlim s_setup = new(1, 1);
    private static bool s_created;

    private string Url(string connection) => $"postgresql://someone:{GatewayFixture.Token}@127.0.0.1:{gateway.PgPort}/{connection}?sslmode=disable";

    private Task<Processes.Result> PsqlAsync(string connection, params string[] arguments) =>
        Processes.RunAsync("psql", [Url(connection), "-X", .. arguments]);

    /// <summary>A table of people with PII in the shared test database (created once).</summary>
    private async Task CreateTableAsync()
    {
        await s_setup.WaitAsync();
        try
        {
            if (s_created)
            {
                return;
            }
            await using var direct = new NpgsqlConnection(gateway.DirectConnectionString());
            await direct.OpenAsync();
            await using var create = new NpgsqlCommand($"""
                DROP TABLE IF EXISTS pii_people;
                CREATE TABLE pii_people (id int PRIMARY KEY, email text UNIQUE, card text, phone text, notes text);
                INSERT INTO pii_people VALUES
                  (1, '{Email}', '{Card}', '+1 415 555 0100', 'call me
                at home, or mail {Email}'),
                  (2, 'grace@example.org', NULL, NULL, 'no card');
                GRANT ALL ON pii_people TO app;
                """, direct);
            await create.ExecuteNonQueryAsync();
            s_created = true;
        }
        finally
        {
            s_setup.Release();
        }
    }

    private async Task<string> MaskedConnectionAsync()
    {
        await CreateTableAsync();
        var connection = await gateway.CreateConnectionAsync([]);
        var response = await gateway.Http.PostAsJsonAsync("/api/datamasking-rules", new
        {
            name = Identities.Unique("mask"),
            connection_names = new[] { connection },
            supported_entity_types = new object[]
            {
                new { name = "contact", entity_types = new[] { "EMAIL_ADDRESS" } },
                new { name = "cards", entity_types = new[] { "CREDIT_CARD" }, strategy = "partial" },
            },
            columns = new object[] { new { table_pattern = "public.pii_people", column_pattern = "phone", strategy = "redact" } },
        });
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
        return connection;
    }

    [Fact]
    public async Task Psql_text_results_are_masked_and_the_masked_rows_are_recorded()
    {
        var connection = await MaskedConnectionAsync();

        var psql = await PsqlAsync(connection, "-c", "SELECT id, email, card, phone FROM pii_people ORDER BY id");

        psql.ExitCode.Should().Be(0, psql.Stderr);
        psql.Stdout.Should().NotContain(Email).And.NotContain("4111 1111 1111 1111").And.NotContain("555 0100");
        psql.Stdout.Should().Contain("<EMAIL_ADDRESS>").And.Contain("1111").And.Contain("<COLUMN>");
        var session = await gateway.LatestSessionAsync(connection);
        var statement = session.Events!.Single(e => e.Kind == "statement" && e.Text!.StartsWith("SELECT id, email", StringComparison.Ordinal));
        statement.Result!.Columns.Select(c => c.Name).Should().Equal("id", "email", "card", "phone");
        statement.Result.Columns[1].Type.Should().Be("text");
        statement.Result.RowCount.Should().Be(2);
        statement.Result.Truncated.Should().BeFalse();
        statement.Result.Rows[0][0].Should().Be("1");
        statement.Result.Rows[0][1].Should().Be("<EMAIL_ADDRESS>");
        statement.Result.Rows[1][2].Should().BeNull();
        session.MaskingInfo["EMAIL_ADDRESS"].Should().Be(2);
        session.MaskingInfo.Should().ContainKey("CREDIT_CARD");
    }

    [Fact]
    public async Task Npgsql_binary_text_arrays_and_jsonb_are_masked()
    {
        var connection = await MaskedConnectionAsync();
        await using var client = new NpgsqlConnection(gateway.ProxyConnectionString(connection));
        await client.OpenAsync();

        await using (var reader = await new NpgsqlCommand("SELECT email, ARRAY[email, 'x'], jsonb_build_object('mail', email), notes FROM pii_people WHERE id = $1", client)
        { Parameters = { new NpgsqlParameter { Value = 1 } } }.ExecuteReaderAsync())
        {
            (await reader.ReadAsync()).Should().BeTrue();
            reader.GetString(0).Should().Be("<EMAIL_ADDRESS>");
            reader.GetFieldValue<string[]>(1).Should().Equal("<EMAIL_ADDRESS>", "x");
            reader.GetString(2).Should().Be("""{"mail": "<EMAIL_ADDRESS>"}""");
            reader.GetString(3).Should().NotContain(Email).And.Contain("<EMAIL_ADDRESS>");
        }
        // Untouched where nothing matches: the session stays consistent for further statements.
        (await new NpgsqlCommand("SELECT count(*) FROM pii_people", client).ExecuteScalarAsync()).Should().Be(2L);
    }

    [Fact]
    public async Task A_unique_violation_detail_and_a_csv_copy_are_masked()
    {
        var connection = await MaskedConnectionAsync();
        await using (var client = new NpgsqlConnection(gateway.ProxyConnectionString(connection, "Include Error Detail=true")))
        {
            await client.OpenAsync();
            var violation = await FluentActions.Awaiting(() => new NpgsqlCommand($"INSERT INTO pii_people (id, email) VALUES (9, '{Email}')", client).ExecuteNonQueryAsync())
                .Should().ThrowAsync<PostgresException>();
            violation.Which.SqlState.Should().Be("23505");
            violation.Which.Detail.Should().Contain("<EMAIL_ADDRESS>").And.NotContain(Email);
        }

        var copy = await PsqlAsync(connection, "-c", "COPY (SELECT id, email, notes FROM pii_people ORDER BY id) TO STDOUT WITH (FORMAT csv)");

        // The connection's column rule (phone) cannot be applied to COPY data, which names no columns: refused.
        copy.ExitCode.Should().NotBe(0);
        copy.Stderr.Should().Contain("vigil: COPY TO STDOUT is refused on a connection with column masking rules");
        copy.Stdout.Should().NotContain(Email);

        var contentOnly = await gateway.CreateConnectionAsync([]);
        (await gateway.Http.PostAsJsonAsync("/api/datamasking-rules", new
        {
            name = Identities.Unique("mask"),
            connection_names = new[] { contentOnly },
            supported_entity_types = new object[] { new { name = "contact", entity_types = new[] { "EMAIL_ADDRESS" } } },
        })).EnsureSuccessStatusCode();
        var csv = await PsqlAsync(contentOnly, "-c", "COPY (SELECT id, email, notes FROM pii_people ORDER BY id) TO STDOUT WITH (FORMAT csv)");
        csv.ExitCode.Should().Be(0, csv.Stderr);
        csv.Stdout.Should().NotContain(Email);
        csv.Stdout.Should().StartWith("1,<EMAIL_ADDRESS>,\"call me\n").And.Contain("2,<EMAIL_ADDRESS>,no card\n");
    }

    [Fact]
    public async Task Guardrails_refuse_input_and_stop_a_result_at_the_first_match_failing_its_transaction()
    {
        await CreateTableAsync();
        var connection = await gateway.CreateConnectionAsync([]);
        var guardrail = Identities.Unique("guard");
        var created = await gateway.Http.PostAsJsonAsync("/api/guardrails", new
        {
            name = guardrail,
            connection_names = new[] { connection },
            input = new { rules = new object[] { new { type = "deny_words_list", words = new[] { "pg_read_file" }, name = "no-files", message = "reading server files is not allowed" } } },
            output = new { rules = new object[] { new { type = "pattern_match", pattern_regex = @"TOPSECRET-\d+", name = "secrets" } } },
        });
        created.IsSuccessStatusCode.Should().BeTrue(await created.Content.ReadAsStringAsync());
        await using var client = new NpgsqlConnection(gateway.ProxyConnectionString(connection));
        await client.OpenAsync();

        var refused = await FluentActions.Awaiting(() => new NpgsqlCommand("SELECT pg_read_file('/etc/passwd')", client).ExecuteScalarAsync())
            .Should().ThrowAsync<PostgresException>();
        refused.Which.SqlState.Should().Be("42501");
        refused.Which.MessageText.Should().Be($"vigil: blocked by guardrail {guardrail}: reading server files is not allowed");

        await using var transaction = await client.BeginTransactionAsync();
        var rows = new List<string>();
        var stopped = await FluentActions.Awaiting(async () =>
        {
            await using var reader = await new NpgsqlCommand("SELECT 'row ' || i || CASE WHEN i = 3 THEN ' TOPSECRET-42' ELSE '' END FROM generate_series(1, 5) i", client).ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
        }).Should().ThrowAsync<PostgresException>();
        stopped.Which.SqlState.Should().Be("42501");
        stopped.Which.MessageText.Should().StartWith($"vigil: blocked by guardrail {guardrail}");
        rows.Should().Equal("row 1", "row 2");
        // As after a server error: the block is failed for the client and for the target.
        (await FluentActions.Awaiting(() => new NpgsqlCommand("SELECT 1", client).ExecuteScalarAsync()).Should().ThrowAsync<PostgresException>())
            .Which.SqlState.Should().Be("25P02");
        await transaction.RollbackAsync();
        (await new NpgsqlCommand("SELECT 7", client).ExecuteScalarAsync()).Should().Be(7);
        await client.CloseAsync();

        var session = await gateway.LatestSessionAsync(connection);
        session.GuardrailsInfo.Select(g => g.Direction).Should().Equal("input", "output");
        session.GuardrailsInfo[0].Matched.Should().Be("pg_read_file");
        session.GuardrailsInfo[1].Matched.Should().Be("TOPS… (12 characters)", "what an output rule caught is not recorded whole");
        session.Events!.Should().Contain(e => e.Kind == "statement" && e.Sqlstate == "42501" && e.Text!.Contains("generate_series"));
    }

    [Fact]
    public async Task A_non_utf8_session_and_a_row_too_large_to_hold_are_masked_without_corrupting_other_bytes()
    {
        var connection = await MaskedConnectionAsync();
        await using var client = new NpgsqlConnection(gateway.ProxyConnectionString(connection, "Command Timeout=120"));
        await client.OpenAsync();

        // SQL_ASCII lets the server send bytes that are not UTF-8; the value goes through unchanged (nothing to mask).
        await using (var latin = new NpgsqlCommand("SET client_encoding = 'SQL_ASCII'", client))
        {
            await latin.ExecuteNonQueryAsync();
        }
        var psql = await Processes.RunAsync("psql", [Url(connection), "-X", "-At", "-c", "SET client_encoding = 'SQL_ASCII'", "-c", $"SELECT convert_from('\\xe9'::bytea, 'LATIN1') || ' {Email}', NULL::text"]);
        psql.ExitCode.Should().Be(0, psql.Stderr);
        psql.Stdout.Should().Contain("é <EMAIL_ADDRESS>").And.NotContain(Email);

        await using var reset = new NpgsqlCommand("RESET client_encoding", client);
        await reset.ExecuteNonQueryAsync();
        // A DataRow far larger than the gateway holds whole: streamed through, bytes intact.
        const int bytes = 40 * 1024 * 1024;
        await using var big = new NpgsqlCommand($"SELECT decode(repeat('ab', {bytes}), 'hex'), repeat('x', 3000000) || ' {Email}'", client);
        await using var reader = await big.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();
        var value = reader.GetFieldValue<byte[]>(0);
        value.Length.Should().Be(bytes);
        value.Should().OnlyContain(b => b == 0xab);
        // The row's length went out before its values were scanned: a match in a streamed row is overwritten in place.
        var text = reader.GetString(1);
        text.Length.Should().Be(3_000_001 + Email.Length);
        text.EndsWith(" " + new string('*', Email.Length), StringComparison.Ordinal).Should().BeTrue("the e-mail is blanked, same length");
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_result_leaves_the_gateway_serving_and_the_statement_recorded()
    {
        var connection = await MaskedConnectionAsync();
        await using (var client = await RawPgClient.ConnectAsync(gateway.PgPort))
        {
            await client.LoginAsync(connection, GatewayFixture.Token);
            await client.SendAsync(w => FrontendMessageWriter.WriteQuery(w, $"SELECT i, '{Email}' FROM generate_series(1, 2000000) i"));
            (await client.ReadAsync()).Code.Should().Be(BackendMessageCode.RowDescription);
            for (var i = 0; i < 10; i++)
            {
                var row = await client.ReadAsync();
                row.Code.Should().Be(BackendMessageCode.DataRow);
                System.Text.Encoding.UTF8.GetString(row.Body).Should().Contain("<EMAIL_ADDRESS>").And.NotContain(Email);
            }
        } // the socket closes mid-result
        var session = await gateway.LatestSessionAsync(connection);
        session.Events!.Should().Contain(e => e.Kind == "statement" && e.Text!.Contains("generate_series"));
        (await PsqlAsync(connection, "-At", "-c", "SELECT email FROM pii_people WHERE id = 2")).Stdout.Should().Be("<EMAIL_ADDRESS>\n");
    }
}
