using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Exec;

/// <summary>
/// Exec output passes the result stages statement by statement (<see cref="MarkerResultStage"/>, a real stage in the
/// gateway's pipeline): what is printed, returned and recorded is what the stages let through.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ExecResultStageTests(GatewayFixture gateway)
{
    private async Task<JsonNode> ExecAsync(string script)
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection = "pg", script });
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task Rows_notices_and_errors_are_printed_and_recorded_as_the_stages_rewrote_them()
    {
        var result = await ExecAsync(
            $"SELECT 'a' AS k, 'x {MarkerResultStage.Mask} y' AS v; "
            + $"DO $$ BEGIN RAISE NOTICE 'note {MarkerResultStage.Mask}'; END $$; "
            + $"DO $$ BEGIN RAISE EXCEPTION 'bad {MarkerResultStage.Mask}'; END $$; "
            + $"SELECT 'never {MarkerResultStage.Mask}'");

        // The table's widths follow the masked value: rendering comes after the stages.
        var output = result["output"]!.GetValue<string>();
        output.Should().Be(
            " k |      v       \n" +
            "---+--------------\n" +
            " a | x <MASKED> y\n" +
            "(1 row)\n" +
            "NOTICE:  note <MASKED>\n" +
            "DO\n" +
            "ERROR:  bad <MASKED>\n");
        result["status"]!.GetValue<string>().Should().Be("failed");
        result["exit_code"]!.GetValue<int>().Should().Be(1);
        result["reason"]!.GetValue<string>().Should().Be("ERROR:  bad <MASKED>");

        var session = await gateway.LatestSessionAsync("pg", "exec");
        session.Output.Should().Be(output);
        var statements = session.Events!.Where(e => e.Kind == "statement").ToList();
        statements.Should().HaveCount(3);
        statements[0].CommandTag.Should().Be("SELECT 1");
        statements[1].CommandTag.Should().Be("DO");
        statements[2].Sqlstate.Should().Be("P0001");
        statements[2].Message.Should().Be("bad <MASKED>");
    }

    [Fact]
    public async Task A_stopped_result_ends_the_session_blocked_with_what_was_let_through()
    {
        var script = $"SELECT 1 AS n; SELECT v FROM (VALUES ('one'), ('{MarkerResultStage.Stop}'), ('three')) t(v); SELECT 'never'";
        var cli = await Processes.RunAsync("dotnet", [Processes.VigilDll, "exec", "pg", "-i", script], new Dictionary<string, string>
        {
            ["VIGIL_GATEWAY_URL"] = gateway.HttpAddress,
            ["VIGIL_TOKEN"] = GatewayFixture.Token,
        });

        cli.ExitCode.Should().Be(2, cli.Stderr);
        var printed =
            " n \n---\n 1\n(1 row)\n" +
            "\n  v  \n-----\n one\n(1 row)\n" +
            $"ERROR:  vigil: {MarkerResultStage.StopReason}\n";
        cli.Stderr.Should().Be(printed);
        cli.Stdout.Should().BeEmpty();

        var session = await gateway.LatestSessionAsync("pg", "exec");
        session.Status.Should().Be("blocked");
        session.ExitCode.Should().Be(2);
        session.Reason.Should().Be(MarkerResultStage.StopReason);
        session.Output.Should().Be(printed);
        var statements = session.Events!.Where(e => e.Kind == "statement").ToList();
        statements.Should().HaveCount(2, "the rest of the script does not run");
        statements[1].Sqlstate.Should().Be("42501");
        statements[1].Rows.Should().Be(1, "one row was let through");
        statements[1].Message.Should().Be($"vigil: {MarkerResultStage.StopReason}");
    }

    [Fact]
    public async Task Stages_are_told_which_table_a_column_reads()
    {
        var result = await ExecAsync($"SELECT i.name, '{MarkerResultStage.TableProbe}' AS source FROM items i WHERE i.id = 1");
        result["output"]!.GetValue<string>().Should().Be(
            "  name  |    source    \n" +
            "--------+--------------\n" +
            " item 1 | public.items\n" +
            "(1 row)\n");
    }
}
