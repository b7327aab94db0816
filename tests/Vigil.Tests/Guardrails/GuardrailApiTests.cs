using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Vigil.Guardrails;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Guardrails;

/// <summary><c>/api/guardrails</c> on the shared gateway: the upstream shape, validation, roles, audit, and the compiled set it reloads.</summary>
[Collection(GatewayCollection.Name)]
public sealed class GuardrailApiTests(GatewayFixture gateway)
{
    private const string Guardrails = "/api/guardrails";

    private static string Str(JsonNode? node) => node!.GetValue<string>();

    private async Task<JsonNode> CreateAsync(object body)
    {
        var response = await gateway.Http.PostAsJsonAsync(Guardrails, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task Create_show_list_replace_and_delete_round_trip_in_the_upstream_shape()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var name = Identities.Unique("no-ddl");
        var created = await CreateAsync(new
        {
            name,
            description = "No schema changes on production",
            connection_ids = new[] { connection },
            input = new { rules = new object[]
            {
                new { type = "deny_words_list", words = new[] { "drop", " truncate " }, name = "ddl", message = "schema changes go through migrations", match_in = "code" },
                new { type = "pattern_match", pattern_regex = @"pg_sleep\s*\(", words = Array.Empty<string>() },
            } },
            output = new { rules = new[] { new { type = "pattern_match", pattern_regex = @"\b\d{3}-\d{2}-\d{4}\b", pattern = "" } } },
        });
        var id = Str(created["id"]);
        Guid.TryParse(id, out _).Should().BeTrue();
        created["connection_names"]!.AsArray().Select(Str).Should().Equal(connection);
        created["input"]!["rules"]!.ToJsonString().Should().Be(
            """[{"type":"deny_words_list","name":"ddl","message":"schema changes go through migrations","words":["drop","truncate"],"pattern_regex":null,"match_in":"code"},"""
            + """{"type":"pattern_match","name":null,"message":null,"words":[],"pattern_regex":"pg_sleep\\s*\\(","match_in":"all"}]""");
        Str(created["output"]!["rules"]![0]!["type"]).Should().Be("pattern_match");

        Str((await gateway.Http.GetFromJsonAsync<JsonNode>($"{Guardrails}/{name}"))!["id"]).Should().Be(id);
        Str((await gateway.Http.GetFromJsonAsync<JsonNode>($"{Guardrails}/{id}"))!["name"]).Should().Be(name);
        var listed = await gateway.Http.GetFromJsonAsync<JsonNode>($"{Guardrails}?connection={connection}");
        listed!["data"]!.AsArray().Select(g => Str(g!["name"])).Should().Equal(name);
        listed["pages"]!["total"]!.GetValue<int>().Should().Be(1);
        listed["pages"]!["size"]!.GetValue<int>().Should().Be(50);

        var checker = gateway.App.Services.GetRequiredService<GuardrailSet>().ForConnection(connection);
        checker!.CheckInput("postgres", "DROP TABLE t")!.RefusalMessage.Should().Be($"blocked by guardrail {name}: schema changes go through migrations");
        checker.CheckInput("postgres", "select 'drop'").Should().BeNull("match_in code");
        checker.CreateOutputScanner()!.ScanValue("ssn 078-05-1120")!.Matched.Should().Be("078-05-1120");

        var renamed = Identities.Unique("no-ddl-renamed");
        var replaced = await gateway.Http.PutAsJsonAsync($"{Guardrails}/{id}", new
        {
            name = renamed,
            connection_names = new[] { connection },
            input = new { rules = new[] { new { type = "deny_words_list", words = new[] { "delete" } } } },
        });
        replaced.StatusCode.Should().Be(HttpStatusCode.OK, await replaced.Content.ReadAsStringAsync());
        var updated = JsonNode.Parse(await replaced.Content.ReadAsStringAsync())!;
        Str(updated["id"]).Should().Be(id);
        Str(updated["name"]).Should().Be(renamed);
        updated["description"].Should().BeNull();
        updated["output"]!["rules"]!.AsArray().Should().BeEmpty();
        Str(updated["created_at"]).Should().Be(Str(created["created_at"]));
        checker = gateway.App.Services.GetRequiredService<GuardrailSet>().ForConnection(connection);
        checker!.CheckInput("postgres", "DROP TABLE t").Should().BeNull("the change applies at once");
        checker.CheckInput("postgres", "delete from t")!.Guardrail.Should().Be(renamed);
        checker.HasOutputRules.Should().BeFalse();

        // A PUT without a name keeps it.
        (await gateway.Http.PutAsJsonAsync($"{Guardrails}/{renamed}", new { connection_names = new[] { connection } })).StatusCode.Should().Be(HttpStatusCode.OK);
        Str((await gateway.Http.GetFromJsonAsync<JsonNode>($"{Guardrails}/{id}"))!["name"]).Should().Be(renamed);

        (await gateway.Http.DeleteAsync($"{Guardrails}/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await gateway.Http.GetAsync($"{Guardrails}/{renamed}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.DeleteAsync($"{Guardrails}/{renamed}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.PutAsJsonAsync($"{Guardrails}/{renamed}", new { })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        gateway.App.Services.GetRequiredService<GuardrailSet>().ForConnection(connection).Should().BeNull();
    }

    [Fact]
    public async Task A_connection_may_carry_several_guardrails_and_one_without_any_costs_nothing()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var bare = await gateway.CreateConnectionAsync([]);
        var first = Identities.Unique("a");
        var second = Identities.Unique("b");
        await CreateAsync(new { name = first, connection_names = new[] { connection }, input = new { rules = new[] { new { type = "deny_words_list", words = new[] { "truncate" } } } } });
        await CreateAsync(new { name = second, connection_names = new[] { connection }, output = new { rules = new[] { new { type = "deny_words_list", words = new[] { "secret" } } } } });
        // No rules at all: the connection stays without a checker.
        await CreateAsync(new { name = Identities.Unique("empty"), connection_names = new[] { bare } });

        var set = gateway.App.Services.GetRequiredService<GuardrailSet>();
        var checker = set.ForConnection(connection)!;
        checker.Guardrails.Should().Equal(first, second);
        checker.CheckInput("postgres", "truncate t")!.Guardrail.Should().Be(first);
        checker.CreateOutputScanner()!.ScanValue("top secret")!.Guardrail.Should().Be(second);
        set.ForConnection(bare).Should().BeNull();
        set.ForConnection("no-such-connection").Should().BeNull();

        // Deleting the connection drops it from its guardrails.
        (await gateway.Http.DeleteAsync($"/api/connections/{connection}")).EnsureSuccessStatusCode();
        (await gateway.Http.GetFromJsonAsync<JsonNode>($"{Guardrails}/{first}"))!["connection_names"]!.AsArray().Should().BeEmpty();
        set.ForConnection(connection).Should().BeNull();
    }

    [Theory]
    [InlineData("""{"connection_names":[]}""", "missing field 'name'")]
    [InlineData("""{"name":"bad name!"}""", "field 'name' must be")]
    [InlineData("""{"name":"g1","input":{"rules":[{"type":"block_everything","words":["x"]}]}}""", "field 'input.rules[0].type': unknown type 'block_everything' (deny_words_list, pattern_match)")]
    [InlineData("""{"name":"g1","input":{"rules":[{"words":["x"]}]}}""", "missing field 'input.rules[0].type'")]
    [InlineData("""{"name":"g1","input":{"rules":[{"type":"deny_words_list","words":[]}]}}""", "field 'input.rules[0].words' must list at least one word")]
    [InlineData("""{"name":"g1","output":{"rules":[{"type":"deny_words_list"}]}}""", "field 'output.rules[0].words' must list at least one word")]
    [InlineData("""{"name":"g1","input":{"rules":[{"type":"deny_words_list","words":["ok","  "]}]}}""", "field 'input.rules[0].words[1]' is empty")]
    [InlineData("""{"name":"g1","input":{"rules":[{"type":"pattern_match","pattern_regex":"(unclosed"}]}}""", "field 'input.rules[0].pattern_regex' does not compile")]
    [InlineData("""{"name":"g1","output":{"rules":[{"type":"deny_words_list","words":["a"]},{"type":"pattern_match"}]}}""", "missing field 'output.rules[1].pattern_regex'")]
    [InlineData("""{"name":"g1","input":{"rules":[{"type":"deny_words_list","words":["a"],"match_in":"strings"}]}}""", "field 'input.rules[0].match_in': unknown value 'strings' (code, all)")]
    [InlineData("""{"name":"g1","output":{"rules":[{"type":"deny_words_list","words":["a"],"match_in":"code"}]}}""", "field 'output.rules[0].match_in': 'code' applies to deny_words_list input rules only")]
    [InlineData("""{"name":"g1","input":{"rules":[{"type":"pattern_match","pattern_regex":"a","match_in":"code"}]}}""", "field 'input.rules[0].match_in': 'code' applies to deny_words_list input rules only")]
    [InlineData("""{"name":"g1","input":{"rules":[null]}}""", "field 'input.rules[0]' must be an object")]
    [InlineData("""{"name":"g1","connection_names":["no-such-connection"]}""", "field 'connection_names': connection 'no-such-connection' not found")]
    [InlineData("""{"name":"g1","connection_ids":[""]}""", "field 'connection_ids' has an empty name")]
    [InlineData("""{"name":"g1","input":{"rules":{"type":"x"}}}""", "invalid JSON at field 'input.rules'")]
    [InlineData("""not json""", "invalid JSON")]
    public async Task Bad_guardrails_are_400_naming_the_field(string body, string message)
    {
        var response = await gateway.Http.PostAsync(Guardrails, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
        text.Should().Contain(message);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Over_long_words_and_patterns_are_400()
    {
        var longWord = new string('x', GuardrailRequest.MaxWordChars + 1);
        var words = await gateway.Http.PostAsJsonAsync(Guardrails, new { name = "g1", input = new { rules = new[] { new { type = "deny_words_list", words = new[] { longWord } } } } });
        words.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await words.Content.ReadAsStringAsync()).Should().Contain("field 'input.rules[0].words[0]' is longer than 200 characters");
        var pattern = await gateway.Http.PostAsJsonAsync(Guardrails, new { name = "g1", input = new { rules = new[] { new { type = "pattern_match", pattern_regex = new string('a', GuardrailRegex.MaxPatternChars + 1) } } } });
        (await pattern.Content.ReadAsStringAsync()).Should().Contain("field 'input.rules[0].pattern_regex' is longer than 1000 characters");
    }

    [Fact]
    public async Task A_taken_name_is_a_conflict_on_create_and_rename()
    {
        var first = Identities.Unique("dup");
        var second = Identities.Unique("dup");
        await CreateAsync(new { name = first });
        await CreateAsync(new { name = second });
        var duplicate = await gateway.Http.PostAsJsonAsync(Guardrails, new { name = first });
        duplicate.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await duplicate.Content.ReadAsStringAsync()).Should().Contain($"guardrail '{first}' already exists");
        var rename = await gateway.Http.PutAsJsonAsync($"{Guardrails}/{second}", new { name = first });
        rename.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Admins_write_auditors_read_standard_users_neither()
    {
        var name = Identities.Unique("roles");
        await CreateAsync(new { name });
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        var standard = await gateway.CreateUserAsync([]);
        using var asAuditor = gateway.ClientFor(auditor.Token);
        using var asStandard = gateway.ClientFor(standard.Token);
        (await asAuditor.GetAsync($"{Guardrails}/{name}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await asAuditor.GetAsync(Guardrails)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await asAuditor.PostAsJsonAsync(Guardrails, new { name = Identities.Unique("x") })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asAuditor.PutAsJsonAsync($"{Guardrails}/{name}", new { })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asAuditor.DeleteAsync($"{Guardrails}/{name}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asStandard.GetAsync($"{Guardrails}/{name}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asStandard.GetAsync(Guardrails)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asStandard.PostAsJsonAsync(Guardrails, new { name = "x" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asStandard.DeleteAsync($"{Guardrails}/{name}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await gateway.Http.GetAsync($"{Guardrails}/{name}")).StatusCode.Should().Be(HttpStatusCode.OK, "nothing was deleted");
    }

    [Fact]
    public async Task Writes_are_in_the_audit_log()
    {
        var name = Identities.Unique("audited");
        await CreateAsync(new { name, input = new { rules = new[] { new { type = "deny_words_list", words = new[] { "drop" } } } } });
        (await gateway.Http.PutAsJsonAsync($"{Guardrails}/{name}", new { description = "changed" })).EnsureSuccessStatusCode();
        (await gateway.Http.DeleteAsync($"{Guardrails}/{name}")).EnsureSuccessStatusCode();
        var page = await gateway.Http.GetFromJsonAsync<JsonNode>($"/api/audit/logs?resource_type=guardrails&resource={name}");
        var entries = page!["data"]!.AsArray();
        entries.Select(e => Str(e!["action"])).Should().Equal("delete", "update", "create");
        entries.Select(e => e!["status_code"]!.GetValue<int>()).Should().Equal(204, 200, 201);
        entries.Last()!["request"]!["input"]!["rules"]![0]!["words"]![0]!.GetValue<string>().Should().Be("drop");
    }
}
