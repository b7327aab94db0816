using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Cli;

/// <summary>
/// <c>--json</c> on the list and show verbs that lacked it (sessions, connections), the readable default of
/// <c>sessions show</c>, and JSON that prints "+", "&lt;", "'" and non-ASCII text as they are (no <c>\u002B</c>).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class CliJsonTests(GatewayFixture gateway) : IDisposable
{
    private const string Script = "select 1 + 1 as \"<sum>\", 'l''été' as word";
    private readonly CliRunner _cli = new(gateway);

    public void Dispose() => _cli.Dispose();

    private async Task<string> OkAsync(params string[] args)
    {
        var result = await _cli.RunAsync(args);
        result.ExitCode.Should().Be(0, result.Stderr);
        return result.Stdout;
    }

    private async Task<string> ExecAsync()
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection = "pg", script = Script });
        response.EnsureSuccessStatusCode();
        await gateway.FlushRecordingAsync();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task Sessions_list_and_show_print_json_with_plus_signs_and_accents_unescaped()
    {
        var id = await ExecAsync();
        var list = await OkAsync("sessions", "list", "--connection", "pg", "--type", "exec", "--limit", "5", "--json");
        JsonNode.Parse(list)!["data"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).Should().Contain(id);

        var show = await OkAsync("sessions", "show", id, "--json");
        show.Should().Contain(Script.Replace("\"", "\\\"")).And.NotContain("\\u002B").And.NotContain("\\u0027").And.NotContain("\\u00E9");
        JsonNode.Parse(show)!["events"]!.AsArray().Select(e => e!["text"]?.GetValue<string>()).Should().Contain(Script);

        var exec = await OkAsync("exec", "pg", "-i", Script, "--json");
        exec.Should().Contain("<sum> | word").And.Contain("l'été");
    }

    [Fact]
    public async Task Sessions_show_is_readable_by_default_with_each_event_and_the_output()
    {
        var id = await ExecAsync();
        var show = await OkAsync("sessions", "show", id);
        show.Should().MatchRegex(@"(?m)^id\s+" + id + "$");
        show.Should().MatchRegex(@"(?m)^\[\d+\] statement  \S+  SELECT 1  [\d.]+ ms  risk low\nselect 1 \+ 1 as ""<sum>""");
        show.Should().Contain(" <sum> | word").And.Contain("l'été");
    }

    [Fact]
    public async Task Connections_list_and_show_take_json()
    {
        var list = JsonNode.Parse(await OkAsync("connections", "list", "--json"))!;
        list["data"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().Contain("pg");
        JsonNode.Parse(await OkAsync("connections", "show", "pg", "--json"))!["name"]!.GetValue<string>().Should().Be("pg");
        (await OkAsync("connections", "show", "pg")).Should().MatchRegex(@"(?m)^name\s+pg$");
    }
}
