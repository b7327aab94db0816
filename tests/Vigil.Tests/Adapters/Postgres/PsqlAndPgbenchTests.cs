using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>psql and pgbench, unmodified, through the proxy.</summary>
[Collection(GatewayCollection.Name)]
public sealed class PsqlAndPgbenchTests(GatewayFixture gateway)
{
    private string Url(string connection = "pg", string sslMode = "disable") =>
        $"postgresql://someone:{GatewayFixture.Token}@127.0.0.1:{gateway.PgPort}/{connection}?sslmode={sslMode}";

    private Task<Processes.Result> PsqlAsync(string url, params string[] arguments) =>
        Processes.RunAsync("psql", [url, "-X", "-v", "ON_ERROR_STOP=1", .. arguments]);

    [Fact]
    public async Task Psql_runs_queries_copy_and_transactions()
    {
        var result = await PsqlAsync(Url(), "-c", "SELECT count(*) AS n FROM items",
            "-c", "BEGIN; CREATE TEMP TABLE t (v int); INSERT INTO t VALUES (1), (2); COMMIT;",
            "-c", "\\copy (SELECT id FROM items WHERE id <= 3 ORDER BY id) TO STDOUT");
        result.Stderr.Should().BeEmpty();
        result.ExitCode.Should().Be(0);
        result.Stdout.Should().Contain("  n  \n-----\n 100\n(1 row)").And.Contain("COMMIT").And.Contain("1\n2\n3\n");
    }

    [Fact]
    public async Task Psql_copy_from_stdin_loads_rows()
    {
        await using (var setup = new NpgsqlConnection(gateway.ProxyConnectionString()))
        {
            await setup.OpenAsync();
            await using var create = new NpgsqlCommand("DROP TABLE IF EXISTS psql_copy; CREATE TABLE psql_copy (id int, v text)", setup);
            await create.ExecuteNonQueryAsync();
        }
        var rows = string.Concat(Enumerable.Range(1, 1000).Select(i => $"{i}\tvalue {i}\n"));
        var result = await Processes.RunAsync("psql", [Url(), "-X", "-v", "ON_ERROR_STOP=1", "-c", "\\copy psql_copy FROM STDIN"], stdin: rows);
        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Contain("COPY 1000");
    }

    [Fact]
    public async Task Psql_over_tls_and_refused_statement_keeps_session_usable()
    {
        var result = await Processes.RunAsync("psql", [Url(sslMode: "require"), "-X"],
            stdin: $"SELECT 'ssl=' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();\nSELECT '{MarkerBlockStage.Marker}';\nSELECT 'after refusal';\n");
        result.Stderr.Should().Contain("ERROR:  vigil: blocked by the test policy");
        result.Stdout.Should().Contain("after refusal");
        result.Stdout.Should().Contain("ssl=f", "the upstream leg of connection 'pg' is plain even when the client leg is TLS");
    }

    [Fact]
    public async Task Pgbench_runs_through_the_proxy()
    {
        var init = await Processes.RunAsync("pgbench", ["-i", "-s", "1", "-q", $"postgresql://postgres:{GatewayFixture.SuperuserPassword}@127.0.0.1:{gateway.Postgres.Port}/app"]);
        init.ExitCode.Should().Be(0, init.Stderr);
        await using (var grant = new NpgsqlConnection(gateway.DirectConnectionString()))
        {
            await grant.OpenAsync();
            await using var command = new NpgsqlCommand("GRANT ALL ON ALL TABLES IN SCHEMA public TO app", grant);
            await command.ExecuteNonQueryAsync();
        }
        foreach (var mode in new[] { "simple", "extended", "prepared" })
        {
            var run = await Processes.RunAsync("pgbench", ["-n", "-c", "4", "-j", "2", "-T", "3", "-M", mode, Url()]);
            run.ExitCode.Should().Be(0, run.Stderr);
            run.Stdout.Should().Contain("number of failed transactions: 0");
        }
        var session = await gateway.LatestSessionAsync("pg");
        session.Events!.Count(e => e.Text!.Contains("pgbench_accounts")).Should().BeGreaterThan(10);
    }
}
