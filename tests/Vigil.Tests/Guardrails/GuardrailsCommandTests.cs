using System.Text.Json.Nodes;
using Vigil.Tests.Cli;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Guardrails;

/// <summary><c>vigil guardrails create|list|show|delete</c> with the real binary against the shared gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed class GuardrailsCommandTests(GatewayFixture gateway) : IDisposable
{
    private readonly CliRunner _cli = new(gateway);

    private async Task<Processes.Result> OkAsync(params string[] args)
    {
        var result = await _cli.RunAsync(args);
        result.ExitCode.Should().Be(0, result.Stderr);
        return result;
    }

    private async Task<JsonNode> JsonAsync(params string[] args) => JsonNode.Parse((await OkAsync([.. args, "--json"])).Stdout)!;

    private static string Str(JsonNode? node) => node!.GetValue<string>();

    [Fact]
    public async Task Flags_round_trip_through_create_show_list_and_delete()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var name = Identities.Unique("cli-guard");
        var created = await JsonAsync("guardrails", "create", name, "-c", connection, "--description", "prod rules",
            "--deny-input", "drop", "--deny-input", "truncate table", "--match-in", "code", "--input-pattern", @"pg_sleep\s*\(",
            "--deny-output", "secret", "--message", "not here");
        Str(created["name"]).Should().Be(name);
        created["connection_names"]!.AsArray().Select(Str).Should().Equal(connection);
        var input = created["input"]!["rules"]!.AsArray();
        input.Select(r => Str(r!["type"])).Should().Equal("deny_words_list", "pattern_match");
        input[0]!["words"]!.AsArray().Select(Str).Should().Equal("drop", "truncate table");
        Str(input[0]!["match_in"]).Should().Be("code");
        Str(input[1]!["pattern_regex"]).Should().Be(@"pg_sleep\s*\(");
        Str(input[1]!["message"]).Should().Be("not here");
        Str(created["output"]!["rules"]![0]!["words"]![0]).Should().Be("secret");

        var shown = (await OkAsync("guardrails", "show", name)).Stdout;
        shown.Should().Contain(@"deny drop,truncate table [code]; pattern /pg_sleep\s*\(/").And.Contain("deny secret");
        Str((await JsonAsync("guardrails", "show", Str(created["id"])))["name"]).Should().Be(name);

        var table = (await OkAsync("guardrails", "list", "-c", connection)).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        table[0].Should().StartWith("NAME").And.Contain("CONNECTION_NAMES").And.Contain("INPUT");
        table.Should().HaveCount(2);
        table[1].Should().StartWith(name).And.Contain(connection);
        (await JsonAsync("guardrails", "list", "-c", connection))["data"]!.AsArray().Should().ContainSingle();

        (await OkAsync("guardrails", "delete", name)).Stdout.Should().Contain($"deleted guardrail {name}");
        var missing = await _cli.RunAsync(["guardrails", "show", name]);
        missing.ExitCode.Should().Be(1);
        missing.Stderr.Should().StartWith("vigil: ").And.Contain($"guardrail '{name}' not found");
    }

    [Fact]
    public async Task A_file_gives_the_api_shape_and_flags_add_rules_to_it()
    {
        var name = Identities.Unique("cli-file");
        var file = Path.Combine(_cli.Home, "guardrail.json");
        Directory.CreateDirectory(_cli.Home);
        await File.WriteAllTextAsync(file, $$$$"""
            {"name":"{{{{name}}}}","input":{"rules":[{"type":"deny_words_list","words":["delete"],"name":"no-delete","message":"use soft deletes"}]}}
            """);
        var created = await JsonAsync("guardrails", "create", "--file", file, "--deny-input", "drop");
        Str(created["name"]).Should().Be(name);
        var rules = created["input"]!["rules"]!.AsArray();
        rules.Select(r => Str(r!["words"]![0])).Should().Equal("delete", "drop");
        Str(rules[0]!["name"]).Should().Be("no-delete");
        await OkAsync("guardrails", "delete", name);
    }

    [Fact]
    public async Task Bad_input_is_one_line_naming_the_field()
    {
        var badRegex = await _cli.RunAsync(["guardrails", "create", Identities.Unique("bad"), "--input-pattern", "(unclosed"]);
        badRegex.ExitCode.Should().Be(1);
        badRegex.Stderr.Should().StartWith("vigil: ").And.Contain("field 'input.rules[0].pattern_regex' does not compile");
        var unknown = await _cli.RunAsync(["guardrails", "create", Identities.Unique("bad"), "-c", "no-such-connection", "--deny-input", "x"]);
        unknown.ExitCode.Should().Be(1);
        unknown.Stderr.Should().Contain("connection 'no-such-connection' not found");
        var noName = await _cli.RunAsync(["guardrails", "create", "--deny-input", "x"]);
        noName.ExitCode.Should().Be(1);
        noName.Stderr.Should().Contain("no guardrail name");
        var matchIn = await _cli.RunAsync(["guardrails", "create", "x", "--match-in", "strings"]);
        matchIn.ExitCode.Should().Be(1);
        matchIn.Stderr.Should().StartWith("vigil: ");
    }

    /// <inheritdoc />
    public void Dispose() => _cli.Dispose();
}
