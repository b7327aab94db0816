using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Cli;

/// <summary>
/// <c>vigil ai rules|provider|system-prompt|cache</c> and the analyzer's answers reaching <c>vigil exec</c> (blocked:
/// exit 2 with the reason; waiting for review: exit 4 with the review id). Every rule and the provider are removed
/// again so the other tests of the shared gateway see none.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AiCommandTests(GatewayFixture gateway) : IDisposable
{
    private const string Connection = "pg-md5";

    private readonly CliRunner _cli = new(gateway);
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    private async Task<Processes.Result> OkAsync(params string[] args)
    {
        var result = await _cli.RunAsync(args);
        result.ExitCode.Should().Be(0, result.Stderr);
        return result;
    }

    private async Task<JsonNode> JsonAsync(params string[] args) => JsonNode.Parse((await OkAsync([.. args, "--json"])).Stdout)!;

    private static string Str(JsonNode? node) => node!.GetValue<string>();

    [Fact]
    public async Task Rules_round_trip_and_their_actions_reach_exec()
    {
        var rule = $"cli-rule-{_suffix}";
        try
        {
            var created = await JsonAsync("ai", "rules", "create", rule, "--connection", Connection, "--medium", "block", "--timeout-ms", "2000");
            Str(created["name"]).Should().Be(rule);
            created["connection_names"]!.AsArray().Select(Str).Should().Equal(Connection);
            Str(created["risk_evaluation"]!["low_risk_action"]).Should().Be("allow");
            Str(created["risk_evaluation"]!["medium_risk_action"]).Should().Be("block");
            Str(created["risk_evaluation"]!["high_risk_action"]).Should().Be("block");
            created["timeout_ms"]!.GetValue<int>().Should().Be(2000);

            var table = (await OkAsync("ai", "rules", "list", "--connection", Connection)).Stdout.Split('\n');
            table[0].Should().StartWith("NAME").And.Contain("LOW").And.Contain("HIGH");
            table.Should().ContainSingle(l => l.StartsWith(rule + " ") && l.Contains(Connection));
            (await OkAsync("ai", "rules", "list", "--connection", "pg-clear")).Stdout.Should().NotContain(rule);

            var shown = (await OkAsync("ai", "rules", "show", rule)).Stdout.Split('\n');
            shown.Should().Contain(l => l.StartsWith("medium ") && l.EndsWith(" block"));

            // A connection belongs to one rule: the 409 is printed readably.
            var clash = await _cli.RunAsync(["ai", "rules", "create", $"{rule}-2", "--connection", Connection]);
            clash.ExitCode.Should().NotBe(0);
            clash.Stderr.Should().StartWith("vigil: 409: ").And.Contain(Connection).And.Contain(rule);

            // Update changes only what is given: the connection and the timeout stay.
            var updated = await JsonAsync("ai", "rules", "update", rule, "--low", "block", "--description", "everything blocked");
            Str(updated["risk_evaluation"]!["low_risk_action"]).Should().Be("block");
            Str(updated["description"]).Should().Be("everything blocked");
            updated["connection_names"]!.AsArray().Select(Str).Should().Equal(Connection);
            updated["timeout_ms"]!.GetValue<int>().Should().Be(2000);

            // Every level blocks, whatever the analyzer says: exec exits 2 and says why on stderr.
            var blocked = await _cli.RunAsync(["exec", Connection, "-i", "SELECT 1"]);
            blocked.ExitCode.Should().Be(2, blocked.Stderr);
            blocked.Stdout.Should().BeEmpty();
            blocked.Stderr.Should().Contain("blocked by AI session analyzer");

            await OkAsync("ai", "rules", "update", rule, "--low", "require_approval", "--medium", "require_approval", "--high", "require_approval");
            var waiting = await _cli.RunAsync(["exec", Connection, "-i", "SELECT 1", "--no-wait"]);
            waiting.ExitCode.Should().Be(4, waiting.Stderr);
            waiting.Stderr.Should().MatchRegex(@"approval pending: review \S+");

            var sessions = await OkAsync("sessions", "list", "--connection", Connection, "--risk-level", "low");
            sessions.Stdout.Split('\n')[0].Should().Contain("RISK");

            var deleted = await OkAsync("ai", "rules", "delete", rule);
            deleted.Stdout.Should().Contain($"deleted rule {rule}");
            var gone = await _cli.RunAsync(["ai", "rules", "show", rule]);
            gone.ExitCode.Should().Be(1);
            gone.Stderr.Should().StartWith("vigil: 404: ");
        }
        finally
        {
            await _cli.RunAsync(["ai", "rules", "delete", rule]);
        }
    }

    [Fact]
    public async Task Rules_can_come_from_a_file_with_flags_overriding_it()
    {
        var rule = $"cli-file-{_suffix}";
        var file = Path.Combine(Path.GetTempPath(), $"{rule}.json");
        await File.WriteAllTextAsync(file, $$"""
            {"name":"{{rule}}","connection_names":["{{Connection}}"],"risk_evaluation":{"low_risk_action":"allow_execution","high_risk_action":"block_execution"},"native_analysis":"off"}
            """);
        try
        {
            var created = await JsonAsync("ai", "rules", "create", "--file", file, "--high", "require_approval");
            Str(created["name"]).Should().Be(rule);
            Str(created["native_analysis"]).Should().Be("off");
            Str(created["risk_evaluation"]!["high_risk_action"]).Should().Be("require_approval");
            Str(created["risk_evaluation"]!["medium_risk_action"]).Should().Be("require_approval");
        }
        finally
        {
            await _cli.RunAsync(["ai", "rules", "delete", rule]);
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Provider_key_is_read_from_stdin_and_only_ever_shown_masked()
    {
        const string key = "sk-cli-test-0123456789-SECRETKEY-WXYZ";
        try
        {
            var set = await _cli.RunAsync(
                ["ai", "provider", "set", "--provider", "custom", "--model", "test-model", "--api-url", "http://127.0.0.1:9/v1", "--api-key-stdin"], key + "\n");
            set.ExitCode.Should().Be(0, set.Stderr);
            set.Stdout.Should().NotContain(key);

            var shown = await OkAsync("ai", "provider", "show");
            shown.Stdout.Should().Contain("custom").And.Contain("test-model").And.Contain("****WXYZ").And.NotContain(key);
            Str((await JsonAsync("ai", "provider", "show"))["api_key"]).Should().Be("****WXYZ");

            (await OkAsync("ai", "provider", "delete")).Stdout.Should().Contain("deleted the provider");
            var none = await _cli.RunAsync(["ai", "provider", "show"]);
            none.ExitCode.Should().Be(1);
            none.Stderr.Should().StartWith("vigil: 404: ");
        }
        finally
        {
            await _cli.RunAsync(["ai", "provider", "delete"]);
        }
    }

    [Fact]
    public async Task Provider_set_without_a_key_refuses_before_calling_the_gateway()
    {
        var result = await _cli.RunAsync(["ai", "provider", "set", "--provider", "custom", "--model", "m"], environment: new Dictionary<string, string> { ["VIGIL_AI_API_KEY"] = "" });
        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Contain("--api-key-stdin").And.Contain("VIGIL_AI_API_KEY");
    }

    [Fact]
    public async Task System_prompt_and_cache_are_shown()
    {
        var prompt = await JsonAsync("ai", "system-prompt");
        prompt.AsObject().Should().ContainKeys("system_prompt", "sha256");
        var missing = await _cli.RunAsync(["ai", "system-prompt", "--rule", $"nope-{_suffix}"]);
        missing.ExitCode.Should().Be(1);
        missing.Stderr.Should().StartWith("vigil: 404: ");

        (await JsonAsync("ai", "cache")).AsObject().Should().ContainKeys("entries", "capacity", "hits", "misses");
        (await OkAsync("ai", "cache", "--clear")).Stdout.Should().Contain("emptied");
    }

    public void Dispose() => _cli.Dispose();
}
