using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Analysis;

/// <summary>
/// Proxied PostgreSQL statements under an analyzer rule (static analysis, no provider): refusals are ErrorResponse
/// 42501 with the title in the message and the explanation as detail, the session stays usable, extended-protocol
/// batches skip to Sync, and each statement's verdict is recorded.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class NativeAnalysisTests(GatewayFixture gateway)
{
    private string Url(string connection) => $"postgresql://someone:{GatewayFixture.Token}@127.0.0.1:{gateway.PgPort}/{connection}?sslmode=disable";

    private string ConnectionString(string connection) => gateway.ProxyConnectionString(connection, "Include Error Detail=true");

    [Fact]
    public async Task Psql_simple_query_refusal_names_the_analyzer_and_the_session_continues()
    {
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync();
        var result = await Processes.RunAsync("psql", [Url(connection), "-X"],
            stdin: "SELECT 'before';\nTRUNCATE items;\nSELECT 'after refusal';\n");
        result.Stderr.Should().Contain("ERROR:  vigil: blocked by AI session analyzer: ").And.Contain("DETAIL:  ");
        result.Stdout.Should().Contain("before").And.Contain("after refusal");

        var session = await gateway.LatestSessionAsync(connection);
        session.AiAnalysis!.RiskLevel.Should().Be("high");
        session.AiAnalysis.Action.Should().Be("block");
        var blocked = session.Events!.Single(e => e.Kind == "blocked");
        blocked.Text.Should().Be("TRUNCATE items;");
        blocked.AiAnalysis!.RiskLevel.Should().Be("high");
        session.Events!.Where(e => e.Kind == "statement").Should().OnlyContain(e => e.AiAnalysis != null && e.AiAnalysis.RiskLevel == "low");
        await using var direct = new NpgsqlConnection(gateway.DirectConnectionString());
        await direct.OpenAsync();
        (await new NpgsqlCommand("SELECT count(*) FROM items", direct).ExecuteScalarAsync()).Should().Be(100L);
    }

    [Fact]
    public async Task Npgsql_gets_42501_with_the_explanation_as_detail_and_the_connection_stays_usable()
    {
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync();
        await using var conn = new NpgsqlConnection(ConnectionString(connection));
        await conn.OpenAsync();
        var refused = await FluentActions.Awaiting(() => new NpgsqlCommand("DELETE FROM items", conn).ExecuteNonQueryAsync())
            .Should().ThrowAsync<PostgresException>();
        refused.Which.SqlState.Should().Be("42501");
        refused.Which.MessageText.Should().StartWith("vigil: blocked by AI session analyzer: ");
        refused.Which.Detail.Should().NotBeNullOrEmpty();
        (await new NpgsqlCommand("SELECT count(*) FROM items WHERE id > @min", conn) { Parameters = { new NpgsqlParameter<int>("min", 0) } }.ExecuteScalarAsync()).Should().Be(100L);
        await conn.CloseAsync();

        var session = await gateway.LatestSessionAsync(connection);
        var executed = session.Events!.Single(e => e.Kind == "statement" && e.Text == "SELECT count(*) FROM items WHERE id > $1");
        executed.ParameterCount.Should().Be(1);
        executed.AiAnalysis!.RiskLevel.Should().Be("low", "an Execute is recorded with its Parse's analysis");
        session.Events!.Where(e => e.Kind == "statement").Should().OnlyContain(e => e.AiAnalysis != null, "Npgsql's catalog queries are analyzed too");
    }

    [Fact]
    public async Task A_refused_statement_in_an_extended_protocol_batch_skips_to_sync()
    {
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync();
        await using var conn = new NpgsqlConnection(ConnectionString(connection));
        await conn.OpenAsync();
        await using var batch = new NpgsqlBatch(conn)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT 1"),
                new NpgsqlBatchCommand("UPDATE items SET name = 'gone'"),
                new NpgsqlBatchCommand("SELECT 2"),
            },
        };
        var refused = await FluentActions.Awaiting(() => batch.ExecuteNonQueryAsync()).Should().ThrowAsync<PostgresException>();
        refused.Which.SqlState.Should().Be("42501");
        (await new NpgsqlCommand("SELECT count(*) FROM items WHERE name = 'gone'", conn).ExecuteScalarAsync()).Should().Be(0L);
        (await new NpgsqlCommand("SELECT 3", conn).ExecuteScalarAsync()).Should().Be(3);
    }

    [Fact]
    public async Task Require_approval_refuses_with_the_review_id()
    {
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync();
        await using var conn = new NpgsqlConnection(ConnectionString(connection));
        await conn.OpenAsync();
        var refused = await FluentActions.Awaiting(() => new NpgsqlCommand("INSERT INTO items (id, name) VALUES (9100, 'x')", conn).ExecuteNonQueryAsync())
            .Should().ThrowAsync<PostgresException>();
        refused.Which.SqlState.Should().Be("42501");
        refused.Which.MessageText.Should().MatchRegex("^vigil: approval required by AI session analyzer: .+ \\(review ([0-9a-f-]{36}): http://\\S+/api/reviews/\\1\\)$");
    }

    [Fact]
    public async Task Native_analysis_off_lets_statements_through_unanalyzed()
    {
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync(new() { ["native_analysis"] = "off" });
        await using (var conn = new NpgsqlConnection(ConnectionString(connection)))
        {
            await conn.OpenAsync();
            await new NpgsqlCommand("CREATE TEMP TABLE scratch (v int); DROP TABLE scratch", conn).ExecuteNonQueryAsync();
        }
        var session = await gateway.LatestSessionAsync(connection);
        session.AiAnalysis.Should().BeNull();
        session.Events!.Should().OnlyContain(e => e.Kind == "statement" && e.AiAnalysis == null);

        var exec = await gateway.Http.PostAsync("/api/sessions", System.Net.Http.Json.JsonContent.Create(new { connection, script = "DROP TABLE items" }));
        (await exec.Content.ReadAsStringAsync()).Should().Contain("\"status\":\"blocked\"", "exec commands are analyzed whatever native_analysis says");
    }
}
