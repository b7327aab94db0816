using System.Buffers;
using System.Net.Http.Json;
using Npgsql;
using Vigil.Postgres.Protocol;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>
/// Issue 10 §1 end to end: with standard_conforming_strings off (startup option, SET, set_config) the string
/// <c>SELECT 'x\', ' ; DROP TABLE t; -- '</c> is two statements to the server, and the proxy now sees them too; client
/// encodings whose multibyte characters can hide a backslash are refused at startup and when the session switches to one.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SessionLexingThroughProxyTests(GatewayFixture gateway)
{
    private static readonly object BlockMediumAndHigh = new { low_risk_action = "allow", medium_risk_action = "block", high_risk_action = "block" };
    private static readonly object BlockHigh = new { low_risk_action = "allow", medium_risk_action = "allow", high_risk_action = "block" };

    private static string Smuggle(string table) => $"SELECT 'x\\', ' ; DROP TABLE {table}; -- '";

    private string Url(string connection) => $"postgresql://someone:{GatewayFixture.Token}@127.0.0.1:{gateway.PgPort}/{connection}?sslmode=disable";

    [Theory]
    [InlineData("startup option")]
    [InlineData("SET")]
    [InlineData("set_config")]
    public async Task Psql_cannot_smuggle_a_drop_past_the_analyzer_with_standard_conforming_strings_off(string how)
    {
        var table = await CreateVictimAsync();
        // set_config is itself Medium; the rule then lets Medium through so that the smuggled DROP is what is judged.
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync(new() { ["risk_evaluation"] = how == "set_config" ? BlockHigh : BlockMediumAndHigh });
        var arguments = new List<string> { Url(connection), "-X", "-v", "VERBOSITY=verbose" };
        var environment = new Dictionary<string, string>();
        switch (how)
        {
            case "startup option":
                environment["PGOPTIONS"] = "-c standard_conforming_strings=off";
                break;
            case "SET":
                arguments.AddRange(["-c", "SET standard_conforming_strings = off"]);
                break;
            default:
                arguments.AddRange(["-c", "SELECT set_config('standard_conforming_strings', 'off', false)"]);
                break;
        }
        arguments.AddRange(["-c", "SHOW standard_conforming_strings", "-c", Smuggle(table)]);

        var result = await Processes.RunAsync("psql", arguments, environment);

        result.Stdout.Should().Contain("off", "the session really has standard_conforming_strings off");
        result.Stderr.Should().Contain("ERROR:  42501: vigil: blocked by AI session analyzer: ");
        (await ExistsAsync(table)).Should().BeTrue("the DROP never reached the server");
        var session = await gateway.LatestSessionAsync(connection);
        var blocked = session.Events!.Single(e => e.Kind == "blocked");
        blocked.AiAnalysis!.RiskLevel.Should().Be("high");
    }

    [Fact]
    public async Task A_raw_client_with_the_setting_in_its_startup_packet_is_refused_too()
    {
        var table = await CreateVictimAsync();
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync(new() { ["risk_evaluation"] = BlockMediumAndHigh });
        await using var client = await RawPgClient.ConnectAsync(gateway.PgPort);
        await StartAsync(client, connection, new() { ["options"] = "-c standard_conforming_strings=off" });
        await client.SendAsync(w => FrontendMessageWriter.WriteQuery(w, Smuggle(table)));
        var error = await client.ReadErrorAsync();
        error.SqlState.Should().Be("42501");
        error.Message.Should().StartWith("vigil: blocked by AI session analyzer");
        (await ExistsAsync(table)).Should().BeTrue();
    }

    [Fact]
    public async Task Psql_with_a_refused_client_encoding_gets_a_fatal_naming_it()
    {
        var result = await Processes.RunAsync("psql", [Url("pg"), "-X", "-c", "SELECT 1"],
            new Dictionary<string, string> { ["PGCLIENTENCODING"] = "SJIS" });
        result.ExitCode.Should().NotBe(0);
        result.Stderr.Should().Contain("FATAL:  vigil: client_encoding \"SJIS\" is not supported");
    }

    [Fact]
    public async Task A_refused_encoding_set_on_the_target_role_is_refused_at_startup()
    {
        var role = "sjis_" + Guid.NewGuid().ToString("N")[..8];
        await DirectAsync($"CREATE ROLE {role} LOGIN PASSWORD '{GatewayFixture.AppPassword}'; ALTER ROLE {role} SET client_encoding = 'SJIS'");
        var connection = Identities.Unique("sjis");
        (await gateway.Http.PostAsJsonAsync("/api/connections", new
        {
            name = connection, type = "postgres", host = "127.0.0.1", port = gateway.Postgres.Port, database = "app", username = role,
            password = GatewayFixture.AppPassword, ssl_mode = "disable",
        })).EnsureSuccessStatusCode();

        // The raw client sends no client_encoding, so the role's setting is what the server reports.
        await using var client = await RawPgClient.ConnectAsync(gateway.PgPort);
        await client.SendAsync(w => FrontendMessageWriter.WriteStartupMessage(w, new Dictionary<string, string> { ["user"] = "raw", ["database"] = connection }));
        (await client.ReadAsync()).Code.Should().Be(BackendMessageCode.Authentication);
        await client.SendAsync(w => FrontendMessageWriter.WritePasswordMessage(w, GatewayFixture.Token));
        var error = await client.ReadErrorAsync();
        error.Severity.Should().Be("FATAL");
        error.Message.Should().Contain("client_encoding \"SJIS\" is not supported");
        (await client.IsClosedAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
    }

    [Theory]
    [InlineData("SET client_encoding TO 'SJIS'", "SJIS")]
    [InlineData("SET NAMES 'BIG5'", "BIG5")]
    [InlineData("SELECT set_config('client_encoding', 'GBK', false)", "GBK")]
    public async Task Switching_to_a_refused_encoding_ends_the_session_with_a_fatal_naming_it(string sql, string encoding)
    {
        // No rule on "pg": the statement reaches the server, and its ParameterStatus report ends the session.
        await using var client = await RawPgClient.ConnectAsync(gateway.PgPort);
        await client.LoginAsync("pg", GatewayFixture.Token);
        await client.SendAsync(w => FrontendMessageWriter.WriteQuery(w, sql));
        var error = await client.ReadErrorAsync();
        error.Severity.Should().Be("FATAL");
        error.Message.Should().Contain($"client_encoding \"{encoding}\" is not supported");
        (await client.IsClosedAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
    }

    [Fact]
    public async Task Under_a_rule_that_blocks_high_setting_a_refused_encoding_never_reaches_the_server()
    {
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync(new() { ["risk_evaluation"] = BlockHigh });
        await using var conn = new NpgsqlConnection(gateway.ProxyConnectionString(connection));
        await conn.OpenAsync();
        var refused = await FluentActions.Awaiting(() => new NpgsqlCommand("SET client_encoding TO 'SJIS'", conn).ExecuteNonQueryAsync())
            .Should().ThrowAsync<PostgresException>();
        refused.Which.SqlState.Should().Be("42501");
        refused.Which.MessageText.Should().Contain("Unsafe client encoding");
        (await new NpgsqlCommand("SHOW client_encoding", conn).ExecuteScalarAsync()).Should().Be("UTF8");
    }

    private static async Task StartAsync(RawPgClient client, string database, Dictionary<string, string> extra)
    {
        var parameters = new Dictionary<string, string>(extra) { ["user"] = "raw", ["database"] = database };
        await client.SendAsync(w => FrontendMessageWriter.WriteStartupMessage(w, parameters));
        (await client.ReadAsync()).Code.Should().Be(BackendMessageCode.Authentication);
        await client.SendAsync(w => FrontendMessageWriter.WritePasswordMessage(w, GatewayFixture.Token));
        while (true)
        {
            var (code, body) = await client.ReadAsync();
            if (code == BackendMessageCode.ErrorResponse)
            {
                throw new InvalidOperationException(ErrorResponseMessage.Parse(new ReadOnlySequence<byte>(body)).Message);
            }

            if (code == BackendMessageCode.ReadyForQuery)
            {
                return;
            }
        }
    }

    private async Task<string> CreateVictimAsync()
    {
        var table = "victim_" + Guid.NewGuid().ToString("N")[..8];
        await DirectAsync($"CREATE TABLE {table} (id int); ALTER TABLE {table} OWNER TO app");
        return table;
    }

    private async Task<bool> ExistsAsync(string table)
    {
        await using var direct = new NpgsqlConnection(gateway.DirectConnectionString());
        await direct.OpenAsync();
        return (bool)(await new NpgsqlCommand($"SELECT to_regclass('{table}') IS NOT NULL", direct).ExecuteScalarAsync())!;
    }

    private async Task DirectAsync(string sql)
    {
        await using var direct = new NpgsqlConnection(gateway.DirectConnectionString());
        await direct.OpenAsync();
        foreach (var statement in sql.Split("; "))
        {
            await new NpgsqlCommand(statement, direct).ExecuteNonQueryAsync();
        }
    }
}
