using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Analysis;

/// <summary><c>/api/ai/session-analyzer/rules</c>: the upstream shape, validation, one rule per connection, roles.</summary>
[Collection(GatewayCollection.Name)]
public sealed class RuleApiTests(GatewayFixture gateway)
{
    private const string Rules = "/api/ai/session-analyzer/rules";

    [Fact]
    public async Task Create_show_list_replace_and_delete_round_trip_in_the_upstream_shape()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var name = Identities.Unique("prod-postgres-policy");
        var created = await gateway.Http.PostAsJsonAsync(Rules, new
        {
            name,
            connection_names = new[] { connection },
            risk_evaluation = new { low_risk_action = "allow_execution", medium_risk_action = "require_access_request", high_risk_action = "block_execution" },
        });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var rule = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        rule["risk_evaluation"]!.ToJsonString().Should().Be("""{"low_risk_action":"allow","medium_risk_action":"require_approval","high_risk_action":"block"}""");
        rule["on_provider_error"]!.GetValue<string>().Should().Be("require_approval");
        rule["timeout_ms"]!.GetValue<int>().Should().Be(10000);
        rule["native_analysis"]!.GetValue<string>().Should().Be("static");
        rule["connection_names"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal(connection);

        var shown = await gateway.Http.GetFromJsonAsync<JsonNode>($"{Rules}/{name}");
        shown!["name"]!.GetValue<string>().Should().Be(name);
        var listed = await gateway.Http.GetFromJsonAsync<JsonNode>($"{Rules}?connection={connection}");
        listed!["data"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).Should().Equal(name);
        listed["pages"]!["total"]!.GetValue<int>().Should().Be(1);

        var replaced = await gateway.Http.PutAsJsonAsync($"{Rules}/{name}", new
        {
            connection_names = new[] { connection },
            risk_evaluation = new { low_risk_action = "allow", medium_risk_action = "allow", high_risk_action = "require_approval" },
            custom_prompt = "Treat anything touching the billing schema as high risk.",
            on_provider_error = "block",
            timeout_ms = 2500,
            native_analysis = "llm",
        });
        replaced.StatusCode.Should().Be(HttpStatusCode.OK);
        var updated = JsonNode.Parse(await replaced.Content.ReadAsStringAsync())!;
        updated["risk_evaluation"]!["high_risk_action"]!.GetValue<string>().Should().Be("require_approval");
        updated["custom_prompt"]!.GetValue<string>().Should().Contain("billing");
        updated["native_analysis"]!.GetValue<string>().Should().Be("llm");
        updated["created_at"]!.GetValue<string>().Should().Be(rule["created_at"]!.GetValue<string>());

        (await gateway.Http.DeleteAsync($"{Rules}/{name}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await gateway.Http.GetAsync($"{Rules}/{name}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.DeleteAsync($"{Rules}/{name}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_connection_belongs_to_at_most_one_rule()
    {
        var (connection, first) = await gateway.CreateRuleOnNewConnectionAsync();
        var second = await gateway.Http.PostAsJsonAsync(Rules, new
        {
            name = Identities.Unique("other"),
            connection_names = new[] { connection },
            risk_evaluation = new { low_risk_action = "allow", medium_risk_action = "allow", high_risk_action = "allow" },
        });
        second.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await second.Content.ReadAsStringAsync()).Should().Contain($"connection '{connection}' already belongs to rule '{first}'");

        var duplicate = await gateway.Http.PostAsJsonAsync(Rules, new { name = first, connection_names = new[] { connection }, risk_evaluation = new { } });
        duplicate.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await duplicate.Content.ReadAsStringAsync()).Should().Contain($"rule '{first}' already exists");
    }

    [Fact]
    public async Task Deleting_a_connection_drops_it_from_its_rule()
    {
        var (connection, rule) = await gateway.CreateRuleOnNewConnectionAsync();
        (await gateway.Http.DeleteAsync($"/api/connections/{connection}")).EnsureSuccessStatusCode();
        var shown = await gateway.Http.GetFromJsonAsync<JsonNode>($"{Rules}/{rule}");
        shown!["connection_names"]!.AsArray().Should().BeEmpty();
    }

    [Theory]
    [InlineData("""{"connection_names":["pg"],"risk_evaluation":{}}""", "missing field 'name'")]
    [InlineData("""{"name":"bad name!","connection_names":["pg"],"risk_evaluation":{}}""", "field 'name' must be")]
    [InlineData("""{"name":"r1","connection_names":[],"risk_evaluation":{}}""", "field 'connection_names' must name at least one connection")]
    [InlineData("""{"name":"r1","connection_names":["pg"]}""", "missing field 'risk_evaluation'")]
    [InlineData("""{"name":"r1","connection_names":["pg"],"risk_evaluation":{"low_risk_action":"maybe"}}""", "field 'risk_evaluation.low_risk_action': unknown action 'maybe'")]
    [InlineData("""{"name":"r1","connection_names":["pg"],"risk_evaluation":{},"on_provider_error":"shrug"}""", "field 'on_provider_error': unknown action 'shrug'")]
    [InlineData("""{"name":"r1","connection_names":["pg"],"risk_evaluation":{},"timeout_ms":5}""", "field 'timeout_ms' must be between 100 and 120000")]
    [InlineData("""{"name":"r1","connection_names":["pg"],"risk_evaluation":{},"native_analysis":"sometimes"}""", "field 'native_analysis': unknown mode 'sometimes'")]
    [InlineData("""{"name":"r1","connection_names":["no-such-connection"],"risk_evaluation":{}}""", "connection 'no-such-connection' not found")]
    [InlineData("""{"name":"r1","connection_names":["pg"],"risk_evaluation":{"low_risk_action":1}}""", "invalid JSON at field 'risk_evaluation.low_risk_action'")]
    [InlineData("""not json""", "invalid JSON")]
    public async Task Bad_rules_are_400_naming_the_field(string body, string message)
    {
        var response = await gateway.Http.PostAsync(Rules, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain(message);
    }

    [Fact]
    public async Task Admins_write_auditors_read_standard_users_neither()
    {
        var (_, rule) = await gateway.CreateRuleOnNewConnectionAsync();
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        var standard = await gateway.CreateUserAsync([]);
        using var asAuditor = gateway.ClientFor(auditor.Token);
        using var asStandard = gateway.ClientFor(standard.Token);
        (await asAuditor.GetAsync($"{Rules}/{rule}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await asAuditor.GetAsync("/api/ai/session-analyzer/system-prompt")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await asAuditor.DeleteAsync($"{Rules}/{rule}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asStandard.GetAsync($"{Rules}/{rule}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asStandard.GetAsync(Rules)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asStandard.PostAsJsonAsync(Rules, new { name = "x" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Rule_changes_are_analytics_events()
    {
        var (connection, rule) = await gateway.CreateRuleOnNewConnectionAsync();
        (await gateway.Http.DeleteAsync($"{Rules}/{rule}")).EnsureSuccessStatusCode();
        var events = await gateway.Http.GetFromJsonAsync<JsonNode>("/api/analytics/events?page_size=200");
        var mine = events!["data"]!.AsArray()
            .Where(e => e!["data"]!["name"]?.GetValue<string>() == rule)
            .Select(e => e!["type"]!.GetValue<string>()).ToList();
        mine.Should().Equal("ai.rule.deleted", "ai.rule.created");
        events["data"]!.AsArray().First(e => e!["type"]!.GetValue<string>() == "ai.rule.created" && e["data"]!["name"]!.GetValue<string>() == rule)!
            ["data"]!["connection_names"]![0]!.GetValue<string>().Should().Be(connection);
    }

    [Fact]
    public async Task System_prompt_shows_the_rubric_and_a_rules_custom_prompt_first()
    {
        var (_, rule) = await gateway.CreateRuleOnNewConnectionAsync(new() { ["custom_prompt"] = "Operator policy: the ledger table is append-only." });
        var plain = await gateway.Http.GetFromJsonAsync<JsonNode>("/api/ai/session-analyzer/system-prompt");
        var text = plain!["system_prompt"]!.GetValue<string>();
        foreach (var tool in new[] { "LowRiskAISessionAnalyzer", "MediumRiskAISessionAnalyzer", "HighRiskAISessionAnalyzer" })
        {
            text.Should().Contain(tool);
        }
        text.Should().NotContain("ledger");
        var withRule = await gateway.Http.GetFromJsonAsync<JsonNode>($"/api/ai/session-analyzer/system-prompt?rule={rule}");
        var custom = withRule!["system_prompt"]!.GetValue<string>();
        custom.IndexOf("ledger", StringComparison.Ordinal).Should().BeLessThan(custom.IndexOf("HighRiskAISessionAnalyzer", StringComparison.Ordinal));
        withRule["sha256"]!.GetValue<string>().Should().NotBe(plain["sha256"]!.GetValue<string>());
    }
}
