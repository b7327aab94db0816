using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Cli;

/// <summary><c>vigil masking create|list|show|update|delete</c> through the real binary against the shared gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed class MaskingCommandTests(GatewayFixture gateway) : IDisposable
{
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
    public async Task Rules_round_trip_through_the_flags()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var rule = $"cli-mask-{_suffix}";
        var created = await JsonAsync(
            "masking", "create", rule, "-c", connection, "--entity", "EMAIL_ADDRESS,PHONE_NUMBER", "--entity", "CREDIT_CARD=partial",
            "--custom", @"EMPLOYEE_ID=\bE-\d{6}\b", "--deny", "CODENAME=falcon, osprey", "--column", "public.customers.full_name=redact,PERSON",
            "--column", "ssn*", "--strategy", "hash", "--threshold", "0.4", "--description", "customers");
        Str(created["name"]).Should().Be(rule);
        Str(created["strategy"]).Should().Be("hash");
        created["score_threshold"]!.GetValue<double>().Should().Be(0.4);
        created["supported_entity_types"]!.ToJsonString().Should().Be(
            """[{"name":"DEFAULT","entity_types":["EMAIL_ADDRESS","PHONE_NUMBER"],"strategy":null},{"name":"PARTIAL","entity_types":["CREDIT_CARD"],"strategy":"partial"}]""");
        created["custom_entity_types"]!.ToJsonString().Should().Be(
            """[{"name":"EMPLOYEE_ID","regex":"\\bE-\\d{6}\\b","deny_list":[],"score":1,"strategy":null},{"name":"CODENAME","regex":null,"deny_list":["falcon","osprey"],"score":1,"strategy":null}]""");
        created["columns"]!.ToJsonString().Should().Be(
            """[{"table_pattern":"public.customers","column_pattern":"full_name","entity_type":"PERSON","strategy":"redact"},{"table_pattern":"*","column_pattern":"ssn*","entity_type":"COLUMN","strategy":null}]""");

        var table = (await OkAsync("masking", "list", "--connection", connection)).Stdout.Split('\n');
        table[0].Should().StartWith("NAME").And.Contain("ENTITY_TYPES").And.Contain("COLUMNS");
        table.Should().ContainSingle(l => l.StartsWith(rule + " ") && l.Contains(connection) && l.Contains("CREDIT_CARD=partial"));

        var shown = (await OkAsync("masking", "show", Str(created["id"]))).Stdout.Split('\n');
        shown.Should().Contain(l => l.StartsWith("columns ") && l.EndsWith("public.customers.full_name=redact,PERSON; *.ssn*"));
        shown.Should().Contain(l => l.StartsWith("custom ") && l.EndsWith(@"EMPLOYEE_ID=/\bE-\d{6}\b/; CODENAME=[falcon,osprey]"));

        // Update keeps what is not given; a list flag replaces that list.
        var updated = await JsonAsync("masking", "update", rule, "--column", "email=null", "--strategy", "redact");
        Str(updated["strategy"]).Should().Be("redact");
        updated["columns"]!.AsArray().Select(c => Str(c!["column_pattern"])).Should().Equal("email");
        updated["custom_entity_types"]!.AsArray().Should().HaveCount(2);
        updated["connection_names"]!.AsArray().Select(Str).Should().Equal(connection);
        Str(updated["description"]).Should().Be("customers");

        // The gateway's 400 is printed readably.
        var bad = await _cli.RunAsync(["masking", "create", $"{rule}-bad", "-c", connection, "--custom", "TICKET=T-(\\d+"]);
        bad.ExitCode.Should().Be(1);
        bad.Stderr.Should().StartWith("vigil: 400: ").And.Contain("field 'custom_entity_types[0].regex' does not compile");
        var syntax = await _cli.RunAsync(["masking", "create", $"{rule}-bad", "-c", connection, "--deny", "nowords"]);
        syntax.ExitCode.Should().Be(1);
        syntax.Stderr.Should().Contain("--deny 'nowords': expected NAME=WORD,WORD");

        (await OkAsync("masking", "delete", rule)).Stdout.Should().Contain($"deleted masking rule {rule}");
        var gone = await _cli.RunAsync(["masking", "show", rule]);
        gone.ExitCode.Should().Be(1);
        gone.Stderr.Should().Contain("404");
    }

    [Fact]
    public async Task A_rule_file_gives_the_api_shape_and_flags_override_it()
    {
        var file = Path.Combine(_cli.Home, "rule.json");
        Directory.CreateDirectory(_cli.Home);
        var rule = $"cli-file-{_suffix}";
        await File.WriteAllTextAsync(file, $$"""
            {"name":"{{rule}}","connection_names":["pg"],"custom_entity_types":[{"name":"TICKET","regex":"T-\\d+","score":0.7}],"score_threshold":0.9}
            """);
        var created = await JsonAsync("masking", "create", "--file", file, "--threshold", "0.5");
        Str(created["name"]).Should().Be(rule);
        created["score_threshold"]!.GetValue<double>().Should().Be(0.5);
        created["custom_entity_types"]![0]!["score"]!.GetValue<double>().Should().Be(0.7);
        await OkAsync("masking", "delete", Str(created["id"]));
    }

    [Fact]
    public async Task Kubernetes_secrets_is_a_flag_an_update_keeps_unless_given()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var rule = $"cli-reveal-{_suffix}";

        var created = await JsonAsync("masking", "create", rule, "-c", connection, "--kubernetes-secrets", "reveal");
        var kept = await JsonAsync("masking", "update", rule, "--description", "prod secrets readable");
        var listed = (await OkAsync("masking", "list", "--connection", connection)).Stdout.Split('\n');
        var redacted = await JsonAsync("masking", "update", rule, "--kubernetes-secrets", "redact", "--column", "email");
        var bad = await _cli.RunAsync(["masking", "update", rule, "--kubernetes-secrets", "show"]);

        Str(created["kubernetes_secrets"]).Should().Be("reveal");
        Str(kept["kubernetes_secrets"]).Should().Be("reveal", "an update without the flag keeps the stored choice");
        listed[0].Should().Contain("KUBERNETES_SECRETS");
        listed.Should().ContainSingle(l => l.StartsWith(rule + " ") && l.Contains(" reveal "));
        Str(redacted["kubernetes_secrets"]).Should().Be("redact");
        bad.ExitCode.Should().NotBe(0);
        bad.Stderr.Should().Contain("'show' not recognized").And.Contain("'reveal'");
        await OkAsync("masking", "delete", rule);
    }

    public void Dispose() => _cli.Dispose();
}
