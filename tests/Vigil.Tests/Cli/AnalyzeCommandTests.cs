using System.Diagnostics;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Cli;

/// <summary>
/// <c>vigil analyze</c> as a pipe: one JSON line out per non-empty JSON line in, error lines for bad input, exit code 1
/// when any line failed; offline without any gateway, online through <c>/analyze</c>. Only the shape and the source
/// are asserted: the risk levels belong to the static analyzer's own tests.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AnalyzeCommandTests(GatewayFixture gateway) : IDisposable
{
    private readonly CliRunner _cli = new(gateway);

    private static readonly string[] Levels = ["low", "medium", "high"];

    private static List<JsonObject> Lines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();

    private static void ShouldBeAnalysis(JsonObject line, string source)
    {
        line["risk_level"]!.GetValue<string>().Should().BeOneOf(Levels);
        line["title"]!.GetValue<string>().Should().NotBeEmpty();
        line["explanation"]!.GetValue<string>().Should().NotBeEmpty();
        line["source"]!.GetValue<string>().Should().Be(source);
        line["action"]!.GetValue<string>().Should().BeOneOf("allow", "require_approval", "block");
        line.ContainsKey("evidence").Should().BeTrue();
    }

    [Fact]
    public async Task Offline_writes_one_line_per_input_with_error_lines_and_needs_no_gateway()
    {
        var stdin = string.Join('\n',
            """{"type":"postgres","input":"SELECT id FROM users WHERE id = 1"}""",
            "",
            "{not json",
            """{"type":"shell","input":"ls -la /tmp"}""",
            """{"type":"nope","input":"x"}""",
            """{"input":"DELETE FROM orders"}""",
            """{"type":"kubernetes"}""") + "\n";
        // No token and nothing listening: offline must not try the gateway.
        var result = await _cli.RunAsync(["analyze", "--offline"], stdin, token: "", gatewayUrl: "http://127.0.0.1:9");

        result.ExitCode.Should().Be(1, result.Stderr);
        var lines = Lines(result.Stdout);
        lines.Should().HaveCount(6, "the empty line is skipped and every other line answers once");
        ShouldBeAnalysis(lines[0], "static");
        lines[1]["error"]!.GetValue<string>().Should().StartWith("line 3: invalid JSON");
        ShouldBeAnalysis(lines[2], "static");
        lines[3]["error"]!.GetValue<string>().Should().StartWith("line 5: unknown type");
        ShouldBeAnalysis(lines[4], "static");
        lines[5]["error"]!.GetValue<string>().Should().StartWith("line 7: missing field 'input'");
    }

    [Fact]
    public async Task Offline_with_only_good_lines_exits_0()
    {
        var result = await _cli.RunAsync(["analyze", "--offline", "--type", "shell"], """{"input":"echo hi"}""" + "\n", token: "", gatewayUrl: "http://127.0.0.1:9");
        result.ExitCode.Should().Be(0, result.Stderr);
        ShouldBeAnalysis(Lines(result.Stdout).Should().ContainSingle().Which, "static");
    }

    [Fact]
    public async Task Online_asks_the_gateway_which_without_a_provider_answers_static()
    {
        var stdin = """{"type":"postgres","input":"SELECT 1"}""" + "\n" + """{"input":"UPDATE t SET a = 1"}""" + "\n";
        foreach (var args in new[] { new[] { "analyze" }, ["analyze", "--connection", "pg-md5"] })
        {
            var result = await _cli.RunAsync(args, stdin);
            result.ExitCode.Should().Be(0, result.Stderr);
            var lines = Lines(result.Stdout);
            lines.Should().HaveCount(2);
            lines.ForEach(l => ShouldBeAnalysis(l, "static"));
            lines.Should().OnlyContain(l => l.ContainsKey("latency_ms"), "online lines are the gateway's ai_analysis");
        }
    }

    [Fact]
    public async Task Online_with_an_unreachable_gateway_fails_with_a_clear_error()
    {
        var result = await _cli.RunAsync(["analyze"], """{"input":"SELECT 1"}""" + "\n", gatewayUrl: "http://127.0.0.1:9");
        result.ExitCode.Should().Be(1);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Should().StartWith("vigil: cannot reach the gateway at http://127.0.0.1:9");
    }

    [Fact]
    public async Task Answers_each_line_before_the_next_is_written_so_it_works_as_a_coprocess()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Processes.VigilDll, "analyze", "--offline" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["VIGIL_TOKEN"] = "";
        start.Environment["VIGIL_GATEWAY_URL"] = "http://127.0.0.1:9";
        using var process = Process.Start(start)!;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            foreach (var input in new[] { "SELECT 1", "SELECT 2" })
            {
                await process.StandardInput.WriteLineAsync($$"""{"input":"{{input}}"}""");
                await process.StandardInput.FlushAsync(timeout.Token);
                // stdin stays open: the answer must arrive without EOF.
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                ShouldBeAnalysis(JsonNode.Parse(line!)!.AsObject(), "static");
            }
            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
            process.ExitCode.Should().Be(0, await process.StandardError.ReadToEndAsync(timeout.Token));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    public void Dispose() => _cli.Dispose();
}
