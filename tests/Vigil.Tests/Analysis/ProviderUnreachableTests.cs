using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Cli;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Analysis;

/// <summary>
/// A provider that stops answering: the cause ("cannot reach provider at HOST:PORT") reaches everyone who reads the
/// outcome, not only <c>ai_analysis.error</c>: the exec answer and <c>vigil exec</c>'s output, the 42501 a psql user
/// sees, the review's title and explanation, and <c>vigil ai provider show</c> (last error with its time, last success).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ProviderUnreachableTests(GatewayFixture gateway) : IDisposable
{
    private const string Providers = "/api/ai/session-analyzer/providers";
    private const string Count = "select count(*) from items";
    private readonly CliRunner _cli = new(gateway);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task The_cause_is_said_in_the_exec_answer_the_cli_psql_the_review_and_the_provider()
    {
        var fake = await FakeLlmProvider.StartAsync("openai");
        var stopped = false;
        var authority = new Uri(fake.BaseUrl).Authority;
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync(new() { ["native_analysis"] = "llm", ["on_provider_error"] = "require_approval" });
        (await gateway.Http.PostAsJsonAsync(Providers, new { provider = "custom", model = "m", api_key = "sk-fake-key-0123456789", api_url = fake.BaseUrl })).EnsureSuccessStatusCode();
        try
        {
            var fresh = (await gateway.Http.GetFromJsonAsync<JsonObject>(Providers))!;
            fresh["last_success_at"].Should().BeNull();
            fresh["last_error"].Should().BeNull();
            var beforeSuccess = DateTimeOffset.UtcNow.AddSeconds(-1);
            (await ExecAsync(connection, "SELECT name FROM items WHERE id = 1"))["status"]!.GetValue<string>().Should().Be("done");
            await fake.DisposeAsync();
            stopped = true;

            var beforeError = DateTimeOffset.UtcNow.AddSeconds(-1);
            var body = await ExecAsync(connection, Count);
            body["status"]!.GetValue<string>().Should().Be("waiting_review");
            var cause = $"cannot reach provider at {authority}";
            body["reason"]!.GetValue<string>().Should().Contain(cause, "the refusal says why the provider did not decide");
            body["output"]!.GetValue<string>().Should().Contain(cause);
            body["ai_analysis"]!["title"]!.GetValue<string>().Should().Be("Analyzer provider failed", "not the static title of a harmless read");
            body["ai_analysis"]!["explanation"]!.GetValue<string>().Should().Contain(cause).And.Contain("Aggregate read");

            var review = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/reviews/{body["review"]!["id"]!.GetValue<string>()}"))!;
            review["ai_analysis"]!["title"]!.GetValue<string>().Should().Be("Analyzer provider failed");
            review["ai_analysis"]!["explanation"]!.GetValue<string>().Should().Contain(cause);

            var cli = await _cli.RunAsync(["exec", connection, "-i", Count, "--no-wait"]);
            cli.ExitCode.Should().Be(4, cli.Stderr);
            cli.Stderr.Should().Contain(cause);

            var psql = await Processes.RunAsync("psql", [$"postgresql://tester:{GatewayFixture.Token}@127.0.0.1:{gateway.PgPort}/{connection}?sslmode=disable", "-X", "-c", Count]);
            psql.ExitCode.Should().NotBe(0);
            psql.Stderr.Should().Contain("ERROR:  vigil: approval required by AI session analyzer: Analyzer provider failed: " + cause);

            var shown = (await gateway.Http.GetFromJsonAsync<JsonObject>(Providers))!;
            shown["last_error"]!.GetValue<string>().Should().StartWith(cause).And.NotContain("sk-fake-key");
            DateTimeOffset.Parse(shown["last_error_at"]!.GetValue<string>()).Should().BeAfter(beforeError);
            DateTimeOffset.Parse(shown["last_success_at"]!.GetValue<string>()).Should().BeAfter(beforeSuccess).And.BeBefore(beforeError.AddSeconds(1));
            var show = await _cli.RunAsync(["ai", "provider", "show"]);
            show.ExitCode.Should().Be(0, show.Stderr);
            show.Stdout.Should().Contain(cause).And.Contain("last_success_at");
        }
        finally
        {
            await gateway.Http.DeleteAsync(Providers);
            if (!stopped)
            {
                await fake.DisposeAsync();
            }
        }
    }

    private async Task<JsonNode> ExecAsync(string connection, string script)
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection, script });
        response.StatusCode.Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.Accepted);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }
}
