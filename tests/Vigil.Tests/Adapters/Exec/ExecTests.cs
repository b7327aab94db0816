using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Exec;

/// <summary>One-off execution through the API and the vigil binary.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ExecTests(GatewayFixture gateway)
{
    private async Task<JsonNode> ExecAsync(string script, string connection = "pg")
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection, script });
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private Dictionary<string, string> ClientEnvironment => new()
    {
        ["VIGIL_GATEWAY_URL"] = gateway.HttpAddress,
        ["VIGIL_TOKEN"] = GatewayFixture.Token,
    };

    [Fact]
    public async Task Multi_statement_script_prints_each_result_like_psql()
    {
        var result = await ExecAsync("SELECT id, name FROM items WHERE id <= 2 ORDER BY id; CREATE TEMP TABLE e (v int); INSERT INTO e VALUES (1), (2); UPDATE e SET v = 3; SELECT count(*) FROM e");
        result["status"]!.GetValue<string>().Should().Be("done");
        result["exit_code"]!.GetValue<int>().Should().Be(0);
        result["output"]!.GetValue<string>().Should().Be(
            " id |  name  \n" +
            "----+--------\n" +
            "  1 | item 1\n" +
            "  2 | item 2\n" +
            "(2 rows)\n" +
            "CREATE TABLE\n" +
            "INSERT 0 2\n" +
            "UPDATE 2\n" +
            "\n count \n" +
            "-------\n" +
            "     2\n" +
            "(1 row)\n");
        var session = await gateway.LatestSessionAsync("pg", "exec");
        session.Events!.Select(e => e.Kind).Should().Equal("input", "statement", "statement", "statement", "statement", "statement", "output");
        session.Output.Should().Be(result["output"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_function_with_a_sql_standard_body_is_created_and_called()
    {
        var result = await ExecAsync(
            "CREATE FUNCTION pg_temp.vigil_atomic(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN a > 0 THEN a + 1 ELSE 0 END; END; "
            + "SELECT pg_temp.vigil_atomic(41) AS answer");
        result["status"]!.GetValue<string>().Should().Be("done", result["output"]?.ToString());
        result["output"]!.GetValue<string>().Should().Be("CREATE FUNCTION\n\n answer \n--------\n     42\n(1 row)\n");
    }

    [Fact]
    public async Task Each_exec_statement_is_recorded_with_the_servers_tag_and_row_count_like_a_native_session()
    {
        var result = await ExecAsync(
            "CREATE TEMP TABLE tagged (v int); INSERT INTO tagged SELECT generate_series(1, 3); SELECT v FROM tagged; " +
            "UPDATE tagged SET v = v + 1 WHERE v > 1; DELETE FROM tagged RETURNING v; BEGIN; COMMIT; SELECT 1/0");
        result["status"]!.GetValue<string>().Should().Be("failed");
        var session = await gateway.LatestSessionAsync("pg", "exec");
        var statements = session.Events!.Where(e => e.Kind == "statement").ToList();
        statements.Select(e => (e.Text, e.CommandTag, e.Rows)).Should().Equal(
            ("CREATE TEMP TABLE tagged (v int)", "CREATE TABLE", null),
            ("INSERT INTO tagged SELECT generate_series(1, 3)", "INSERT 0 3", 3),
            ("SELECT v FROM tagged", "SELECT 3", 3),
            ("UPDATE tagged SET v = v + 1 WHERE v > 1", "UPDATE 2", 2),
            ("DELETE FROM tagged RETURNING v", "DELETE 3", 3),
            ("BEGIN", "BEGIN", null),
            ("COMMIT", "COMMIT", null),
            ("SELECT 1/0", null, null));
        statements[^1].Sqlstate.Should().Be("22012");
        statements[^1].Message.Should().Be("division by zero");
        statements.Should().OnlyContain(e => e.AiAnalysis != null && e.DurationUs >= 0, "each statement carries the verdict that let the script run");
    }

    [Fact]
    public async Task Errors_fail_the_session_with_exit_code_1()
    {
        var result = await ExecAsync("SELECT 1; SELECT 1/0; SELECT 3");
        result["status"]!.GetValue<string>().Should().Be("failed");
        result["exit_code"]!.GetValue<int>().Should().Be(1);
        result["output"]!.GetValue<string>().Should().EndWith("ERROR:  division by zero\n").And.NotContain(" 3\n");
    }

    [Fact]
    public async Task Statement_timeout_is_enforced()
    {
        var started = DateTime.UtcNow;
        var result = await ExecAsync("SELECT pg_sleep(10)");
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(8));
        result["status"]!.GetValue<string>().Should().Be("failed");
        result["output"]!.GetValue<string>().Should().Contain("canceling statement due to statement timeout");
    }

    [Fact]
    public async Task Refused_exec_is_blocked_with_exit_code_2()
    {
        var result = await ExecAsync($"SELECT '{MarkerBlockStage.Marker}'");
        result["status"]!.GetValue<string>().Should().Be("blocked");
        result["exit_code"]!.GetValue<int>().Should().Be(2);
        var cli = await Processes.RunAsync("dotnet", [Processes.VigilDll, "exec", "pg", "-i", $"SELECT '{MarkerBlockStage.Marker}'"], ClientEnvironment);
        cli.ExitCode.Should().Be(2);
        cli.Stderr.Should().Contain("vigil: blocked by the test policy");
    }

    [Fact]
    public async Task Unreachable_target_fails_without_leaking_credentials()
    {
        var result = await ExecAsync("SELECT 1", "unreachable");
        result["status"]!.GetValue<string>().Should().Be("failed");
        result.ToJsonString().Should().Contain("unreachable").And.NotContain("unreachable-Secret-pw");
    }

    [Fact]
    public async Task Cli_exec_reads_input_file_and_stdin_and_prints_json()
    {
        var inline = await Processes.RunAsync("dotnet", [Processes.VigilDll, "exec", "pg", "-i", "select count(*) from items"], ClientEnvironment);
        inline.ExitCode.Should().Be(0, inline.Stderr);
        inline.Stdout.Should().Be(" count \n-------\n   100\n(1 row)\n");

        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "select 'from file' as source;");
        var fromFile = await Processes.RunAsync("dotnet", [Processes.VigilDll, "exec", "pg", "-f", file], ClientEnvironment);
        File.Delete(file);
        fromFile.Stdout.Should().Contain("from file");

        var fromStdin = await Processes.RunAsync("dotnet", [Processes.VigilDll, "exec", "pg", "--json"], ClientEnvironment, stdin: "select 'from stdin' as source");
        fromStdin.ExitCode.Should().Be(0, fromStdin.Stderr);
        var json = JsonNode.Parse(fromStdin.Stdout)!;
        json["status"]!.GetValue<string>().Should().Be("done");
        json["output"]!.GetValue<string>().Should().Contain("from stdin");

        var failed = await Processes.RunAsync("dotnet", [Processes.VigilDll, "exec", "pg", "-i", "select 1/0"], ClientEnvironment);
        failed.ExitCode.Should().Be(1);
        failed.Stderr.Should().Contain("division by zero");
    }

    [Fact]
    public async Task Cli_connections_and_sessions_verbs_work()
    {
        var list = await Processes.RunAsync("dotnet", [Processes.VigilDll, "connections", "list"], ClientEnvironment);
        list.ExitCode.Should().Be(0, list.Stderr);
        list.Stdout.Should().Contain("pg-md5").And.NotContain(GatewayFixture.Md5Password);

        var env = new Dictionary<string, string>(ClientEnvironment) { ["VIGIL_CONNECTION_PASSWORD"] = "cli-Secret-pw" };
        var create = await Processes.RunAsync("dotnet",
            [Processes.VigilDll, "connections", "create", "cli-made", "--host", "127.0.0.1", "--port", "5999", "--database", "d", "--username", "u"], env);
        create.ExitCode.Should().Be(0, create.Stderr);
        create.Stdout.Should().Contain("\"has_password\": true").And.NotContain("cli-Secret-pw");
        var show = await Processes.RunAsync("dotnet", [Processes.VigilDll, "connections", "show", "cli-made", "--json"], ClientEnvironment);
        show.Stdout.Should().Contain("\"port\": 5999");
        var delete = await Processes.RunAsync("dotnet", [Processes.VigilDll, "connections", "delete", "cli-made"], ClientEnvironment);
        delete.ExitCode.Should().Be(0);
        var missing = await Processes.RunAsync("dotnet", [Processes.VigilDll, "connections", "show", "cli-made"], ClientEnvironment);
        missing.ExitCode.Should().Be(1);
        missing.Stderr.Should().Contain("404");

        await ExecAsync("select 'for sessions list'");
        await gateway.FlushRecordingAsync();
        var sessions = await Processes.RunAsync("dotnet", [Processes.VigilDll, "sessions", "list", "--type", "exec", "--limit", "1"], ClientEnvironment);
        sessions.ExitCode.Should().Be(0, sessions.Stderr);
        var id = sessions.Stdout.Split('\n')[1].Split(' ')[0];
        var shown = await Processes.RunAsync("dotnet", [Processes.VigilDll, "sessions", "show", id], ClientEnvironment);
        shown.Stdout.Should().Contain("for sessions list");

        var unauthorized = await Processes.RunAsync("dotnet", [Processes.VigilDll, "sessions", "list"],
            new Dictionary<string, string> { ["VIGIL_GATEWAY_URL"] = gateway.HttpAddress, ["VIGIL_TOKEN"] = "wrong" });
        unauthorized.ExitCode.Should().Be(1);
        unauthorized.Stderr.Should().Contain("401");
    }
}
