using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Masking;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Masking;

/// <summary><c>/api/datamasking-rules</c> on the real gateway: the upstream shape, column rules, validation, roles, audit, and the live masker.</summary>
[Collection(GatewayCollection.Name)]
public sealed class MaskingRuleApiTests(GatewayFixture gateway)
{
    private const string Rules = "/api/datamasking-rules";

    private static string Str(JsonNode? node) => node!.GetValue<string>();

    private async Task<JsonNode> CreateAsync(object body)
    {
        var response = await gateway.Http.PostAsJsonAsync(Rules, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task Create_show_list_replace_and_delete_round_trip_by_name_and_by_id()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var name = Identities.Unique("pii");
        var response = await gateway.Http.PostAsJsonAsync(Rules, new
        {
            name,
            description = "customer data",
            connection_names = new[] { connection },
            supported_entity_types = new object[] { new { name = "PII", entity_types = new[] { "EMAIL_ADDRESS", "PHONE_NUMBER" } }, new { name = "CARDS", entity_types = new[] { "CREDIT_CARD" }, strategy = "partial" } },
            custom_entity_types = new object[] { new { name = "EMPLOYEE_ID", regex = @"\bE-\d{6}\b", score = 0.8 }, new { name = "CODENAME", deny_list = new[] { "falcon", "osprey" } } },
            score_threshold = 0.6,
            strategy = "hash",
            columns = new object[] { new { table_pattern = "public.customers", column_pattern = "full_name", entity_type = "PERSON", strategy = "redact" }, new { column_pattern = "ssn*" } },
        });
        var created = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        response.StatusCode.Should().Be(HttpStatusCode.Created, created.ToJsonString());
        var id = Str(created["id"]);
        response.Headers.Location!.ToString().Should().Be($"/api/datamasking-rules/{id}");
        Guid.TryParse(id, out _).Should().BeTrue();
        Str(created["strategy"]).Should().Be("hash");
        created["score_threshold"]!.GetValue<double>().Should().Be(0.6);
        created["connection_names"]!.AsArray().Select(Str).Should().Equal(connection);
        created["connection_ids"]!.AsArray().Select(Str).Should().Equal(connection);
        created["supported_entity_types"]!.ToJsonString().Should().Be(
            """[{"name":"PII","entity_types":["EMAIL_ADDRESS","PHONE_NUMBER"],"strategy":null},{"name":"CARDS","entity_types":["CREDIT_CARD"],"strategy":"partial"}]""");
        created["custom_entity_types"]!.ToJsonString().Should().Be(
            """[{"name":"EMPLOYEE_ID","regex":"\\bE-\\d{6}\\b","deny_list":[],"score":0.8,"strategy":null},{"name":"CODENAME","regex":null,"deny_list":["falcon","osprey"],"score":1,"strategy":null}]""");
        created["columns"]!.ToJsonString().Should().Be(
            """[{"table_pattern":"public.customers","column_pattern":"full_name","entity_type":"PERSON","strategy":"redact"},{"table_pattern":"*","column_pattern":"ssn*","entity_type":"COLUMN","strategy":null}]""");

        (await gateway.Http.GetFromJsonAsync<JsonNode>($"{Rules}/{name}"))!.ToJsonString().Should().Be(created.ToJsonString());
        (await gateway.Http.GetFromJsonAsync<JsonNode>($"{Rules}/{id}"))!.ToJsonString().Should().Be(created.ToJsonString());
        var listed = await gateway.Http.GetFromJsonAsync<JsonNode>($"{Rules}?connection={connection}");
        listed!["data"]!.AsArray().Select(r => Str(r!["name"])).Should().Equal(name);
        listed["pages"]!["total"]!.GetValue<int>().Should().Be(1);
        var paged = await gateway.Http.GetFromJsonAsync<JsonNode>($"{Rules}?page=1&page_size=1");
        paged!["data"]!.AsArray().Should().HaveCount(1);
        paged["pages"]!["size"]!.GetValue<int>().Should().Be(1);

        // PUT replaces the whole rule and may rename it; the id and creation time stay.
        var renamed = name + "-v2";
        var replaced = await gateway.Http.PutAsJsonAsync($"{Rules}/{id}", new
        {
            name = renamed,
            connection_ids = new[] { connection },
            supported_entity_types = new[] { new { name = "PII", entity_types = new[] { "EMAIL_ADDRESS" } } },
        });
        var updated = JsonNode.Parse(await replaced.Content.ReadAsStringAsync())!;
        replaced.StatusCode.Should().Be(HttpStatusCode.OK, updated.ToJsonString());
        Str(updated["id"]).Should().Be(id);
        Str(updated["name"]).Should().Be(renamed);
        Str(updated["strategy"]).Should().Be("redact");
        updated["score_threshold"]!.GetValue<double>().Should().Be(0);
        updated["custom_entity_types"]!.AsArray().Should().BeEmpty();
        Str(updated["created_at"]).Should().Be(Str(created["created_at"]));
        (await gateway.Http.GetAsync($"{Rules}/{name}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        (await gateway.Http.DeleteAsync($"{Rules}/{renamed}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await gateway.Http.GetAsync($"{Rules}/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.DeleteAsync($"{Rules}/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.PutAsJsonAsync($"{Rules}/{id}", new { name })).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_rule_masks_its_connections_from_the_next_result_and_stops_when_deleted()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var other = await gateway.CreateConnectionAsync([]);
        var set = gateway.App.Services.GetRequiredService<MaskingSet>();
        set.ForConnection(connection).Should().BeNull();
        var rule = await CreateAsync(new
        {
            name = Identities.Unique("live"),
            connection_names = new[] { connection },
            supported_entity_types = new[] { new { name = "PII", entity_types = new[] { "EMAIL_ADDRESS" } } },
            columns = new[] { new { table_pattern = "*.customers", column_pattern = "card*", strategy = "null" } },
        });
        var masker = set.ForConnection(connection)!;
        var tally = new MaskingTally();
        masker.Mask("owner: bob@example.com", tally).Should().Be("owner: <EMAIL_ADDRESS>");
        masker.MaskColumn(masker.ForColumn("public.customers", "card_number")!, "4111111111111111", tally).Should().BeNull();
        tally.Counts.Should().Equal(new Dictionary<string, long> { ["EMAIL_ADDRESS"] = 1, ["COLUMN"] = 1 });
        set.ForConnection(other).Should().BeNull();

        // A second rule on the same connection adds to the first.
        var second = await CreateAsync(new
        {
            name = Identities.Unique("live2"),
            connection_names = new[] { connection, other },
            custom_entity_types = new[] { new { name = "CODENAME", deny_list = new[] { "falcon" } } },
        });
        set.ForConnection(connection)!.Mask("falcon by bob@example.com", null).Should().Be("<CODENAME> by <EMAIL_ADDRESS>");
        set.ForConnection(other)!.Mask("falcon by bob@example.com", null).Should().Be("<CODENAME> by bob@example.com");

        (await gateway.Http.DeleteAsync($"{Rules}/{Str(rule["id"])}")).EnsureSuccessStatusCode();
        (await gateway.Http.DeleteAsync($"{Rules}/{Str(second["id"])}")).EnsureSuccessStatusCode();
        set.ForConnection(connection).Should().BeNull();
        set.ForConnection(other).Should().BeNull();
    }

    [Fact]
    public async Task Kubernetes_secrets_is_redact_by_default_reveal_alone_makes_a_rule_and_each_write_is_audited_with_it()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var set = gateway.App.Services.GetRequiredService<MaskingSet>();
        var plain = await CreateAsync(new { name = Identities.Unique("plain"), connection_names = new[] { connection }, columns = new[] { new { column_pattern = "email" } } });
        Str(plain["kubernetes_secrets"]).Should().Be("redact");
        set.KubernetesSecretsRevealedBy(connection).Should().BeNull();

        // A rule that only reveals is a rule: the explicit allowance, with nothing else to mask.
        var name = Identities.Unique("reveal");
        var reveal = await CreateAsync(new { name, connection_names = new[] { connection }, kubernetes_secrets = "reveal" });
        var id = Str(reveal["id"]);
        Str(reveal["kubernetes_secrets"]).Should().Be("reveal");
        Str((await gateway.Http.GetFromJsonAsync<JsonNode>($"{Rules}/{name}"))!["kubernetes_secrets"]).Should().Be("reveal");
        set.KubernetesSecretsRevealedBy(connection).Should().Be(name);

        // A replace without the field goes back to the default; with "redact" too.
        var replaced = await gateway.Http.PutAsJsonAsync($"{Rules}/{id}", new { connection_names = new[] { connection }, kubernetes_secrets = "redact", columns = new[] { new { column_pattern = "ssn" } } });
        Str(JsonNode.Parse(await replaced.Content.ReadAsStringAsync())!["kubernetes_secrets"]).Should().Be("redact");
        set.KubernetesSecretsRevealedBy(connection).Should().BeNull();
        (await gateway.Http.PutAsJsonAsync($"{Rules}/{id}", new { connection_names = new[] { connection }, kubernetes_secrets = "reveal" })).EnsureSuccessStatusCode();
        set.KubernetesSecretsRevealedBy(connection).Should().Be(name);

        var audited = JsonNode.Parse(await gateway.Http.GetStringAsync($"/api/audit/logs?resource_type=datamasking-rules&resource={id}"))!["data"]!.AsArray();
        audited.Select(e => e!["request"]?["kubernetes_secrets"]?.GetValue<string>()).Should().BeEquivalentTo(["reveal", "redact", "reveal"],
            "who chose to reveal Secrets is what the log is for: the field is policy, not a secret to hide");

        (await gateway.Http.DeleteAsync($"{Rules}/{id}")).EnsureSuccessStatusCode();
        set.KubernetesSecretsRevealedBy(connection).Should().BeNull();
        (await gateway.Http.DeleteAsync($"{Rules}/{Str(plain["id"])}")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Deleting_a_connection_drops_it_from_its_rules()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var rule = await CreateAsync(new { name = Identities.Unique("gone"), connection_names = new[] { connection }, columns = new[] { new { column_pattern = "email" } } });
        (await gateway.Http.DeleteAsync($"/api/connections/{connection}")).EnsureSuccessStatusCode();
        var shown = await gateway.Http.GetFromJsonAsync<JsonNode>($"{Rules}/{Str(rule["id"])}");
        shown!["connection_names"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task A_name_taken_by_another_rule_is_a_409()
    {
        var name = Identities.Unique("dup");
        await CreateAsync(new { name, connection_names = new[] { "pg" }, columns = new[] { new { column_pattern = "email" } } });
        var duplicate = await gateway.Http.PostAsJsonAsync(Rules, new { name, connection_names = new[] { "pg" }, columns = new[] { new { column_pattern = "x" } } });
        duplicate.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await duplicate.Content.ReadAsStringAsync()).Should().Contain($"field 'name': a data masking rule named '{name}' already exists");
        var other = await CreateAsync(new { name = name + "-b", connection_names = new[] { "pg" }, columns = new[] { new { column_pattern = "email" } } });
        var rename = await gateway.Http.PutAsJsonAsync($"{Rules}/{Str(other["id"])}", new { name, connection_names = new[] { "pg" }, columns = new[] { new { column_pattern = "x" } } });
        rename.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await gateway.Http.DeleteAsync($"{Rules}/{name}")).EnsureSuccessStatusCode();
        (await gateway.Http.DeleteAsync($"{Rules}/{name}-b")).EnsureSuccessStatusCode();
    }

    private const string Ok = """ "connection_names":["pg"],"columns":[{"column_pattern":"email"}] """;

    [Theory]
    [InlineData("""{"connection_names":["pg"],"columns":[{"column_pattern":"email"}]}""", "missing field 'name'")]
    [InlineData("""{"name":"bad/name",%OK%}""", "field 'name' must be")]
    [InlineData("""{"name":"r","columns":[{"column_pattern":"email"}]}""", "field 'connection_names' must name at least one connection")]
    [InlineData("""{"name":"r","connection_names":["no-such-connection"],"columns":[{"column_pattern":"email"}]}""", "field 'connection_names': connection 'no-such-connection' not found")]
    [InlineData("""{"name":"r","connection_ids":["no-such-id"],"columns":[{"column_pattern":"email"}]}""", "field 'connection_ids': connection 'no-such-id' not found")]
    [InlineData("""{"name":"r","connection_names":[""],"columns":[{"column_pattern":"email"}]}""", "field 'connection_names' has an empty name")]
    [InlineData("""{"name":"r","connection_names":["pg"]}""", "a rule must mask something")]
    [InlineData("""{"name":"r",%OK%,"supported_entity_types":[{"name":"PII","entity_types":["EMAIL"]}]}""", "field 'supported_entity_types[0].entity_types': unknown entity type 'EMAIL'")]
    [InlineData("""{"name":"r",%OK%,"supported_entity_types":[{"name":"PII","entity_types":[]}]}""", "field 'supported_entity_types[0].entity_types' must list at least one entity type")]
    [InlineData("""{"name":"r",%OK%,"supported_entity_types":[{"entity_types":["URL"]}]}""", "missing field 'supported_entity_types[0].name'")]
    [InlineData("""{"name":"r",%OK%,"supported_entity_types":[{"name":"A","entity_types":["URL"]},{"name":"B","entity_types":["URL"]}]}""", "field 'supported_entity_types[1].entity_types': entity type 'URL' is listed twice")]
    [InlineData("""{"name":"r",%OK%,"supported_entity_types":[{"name":"PII","entity_types":["URL"],"strategy":"scramble"}]}""", "field 'supported_entity_types[0].strategy': unknown strategy 'scramble'")]
    [InlineData("""{"name":"r",%OK%,"strategy":"blur"}""", "field 'strategy': unknown strategy 'blur' (redact, partial, hash, null)")]
    [InlineData("""{"name":"r",%OK%,"score_threshold":1.5}""", "field 'score_threshold' must be between 0 and 1")]
    [InlineData("""{"name":"r",%OK%,"score_threshold":-0.1}""", "field 'score_threshold' must be between 0 and 1")]
    [InlineData("""{"name":"r",%OK%,"custom_entity_types":[{"name":"TICKET","regex":"T-(\\d+","score":0.5}]}""", "field 'custom_entity_types[0].regex' does not compile")]
    [InlineData("""{"name":"r",%OK%,"custom_entity_types":[{"name":"TICKET","regex":"T-\\d+","score":2}]}""", "field 'custom_entity_types[0].score' must be between 0 and 1")]
    [InlineData("""{"name":"r",%OK%,"custom_entity_types":[{"name":"TICKET"}]}""", "field 'custom_entity_types[0]' must give either 'regex' or a non-empty 'deny_list'")]
    [InlineData("""{"name":"r",%OK%,"custom_entity_types":[{"name":"TICKET","regex":"x","deny_list":["y"]}]}""", "field 'custom_entity_types[0]' must give either 'regex' or a non-empty 'deny_list'")]
    [InlineData("""{"name":"r",%OK%,"custom_entity_types":[{"name":"TICKET","deny_list":["ok",""]}]}""", "field 'custom_entity_types[0].deny_list' has an empty word")]
    [InlineData("""{"name":"r",%OK%,"custom_entity_types":[{"name":"ticket","regex":"x"}]}""", "field 'custom_entity_types[0].name' must be 1-63 upper-case letters")]
    [InlineData("""{"name":"r",%OK%,"custom_entity_types":[{"name":"EMAIL_ADDRESS","regex":"x"}]}""", "field 'custom_entity_types[0].name': 'EMAIL_ADDRESS' is a built-in entity type")]
    [InlineData("""{"name":"r",%OK%,"custom_entity_types":[{"name":"T","regex":"x"},{"name":"T","regex":"y"}]}""", "field 'custom_entity_types[1].name': custom entity type 'T' is defined twice")]
    [InlineData("""{"name":"r",%OK%,"custom_entity_types":[{"name":"T","regex":"x","strategy":"rot13"}]}""", "field 'custom_entity_types[0].strategy': unknown strategy 'rot13'")]
    [InlineData("""{"name":"r","connection_names":["pg"],"columns":[{"table_pattern":"public.t"}]}""", "missing field 'columns[0].column_pattern'")]
    [InlineData("""{"name":"r","connection_names":["pg"],"columns":[{"column_pattern":"email","strategy":"shred"}]}""", "field 'columns[0].strategy': unknown strategy 'shred'")]
    [InlineData("""{"name":"r","connection_names":["pg"],"columns":[{"column_pattern":"email","entity_type":"EMAIL"}]}""", "field 'columns[0].entity_type': unknown entity type 'EMAIL'")]
    [InlineData("""{"name":"r","connection_names":["pg"],"columns":[{"column_pattern":"a\u0001b"}]}""", "field 'columns[0].column_pattern' must be 1-255 printable characters")]
    [InlineData("""{"name":"r","connection_names":["pg"],"columns":[null]}""", "field 'columns[0]' must be an object")]
    [InlineData("""{"name":"r","connection_names":["pg"],"score_threshold":"high","columns":[{"column_pattern":"email"}]}""", "invalid JSON at field 'score_threshold'")]
    [InlineData("""not json""", "invalid JSON")]
    [InlineData("""{"name":"r",%OK%,"kubernetes_secrets":"show"}""", "field 'kubernetes_secrets' must be 'redact' (the default) or 'reveal', not 'show'")]
    [InlineData("""{"name":"r",%OK%,"kubernetes_secrets":"REVEAL"}""", "field 'kubernetes_secrets' must be 'redact' (the default) or 'reveal', not 'REVEAL'")]
    [InlineData("""{"name":"r",%OK%,"kubernetes_secrets":true}""", "invalid JSON at field 'kubernetes_secrets'")]
    public async Task Bad_rules_are_400_naming_the_field(string body, string message)
    {
        var response = await gateway.Http.PostAsync(Rules, new StringContent(body.Replace("%OK%", Ok), System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
        text.Should().Contain(message);
    }

    [Fact]
    public async Task Column_entity_types_may_name_the_rules_own_custom_types_and_catastrophic_patterns_are_accepted_safely()
    {
        var rule = await CreateAsync(new
        {
            name = Identities.Unique("custom-col"),
            connection_names = new[] { "pg" },
            custom_entity_types = new object[] { new { name = "BADGE", regex = "(a+)+$" }, new { name = "ECHO", regex = @"(\w+) \1" } },
            columns = new[] { new { column_pattern = "badge_no", entity_type = "BADGE" } },
        });
        rule["columns"]![0]!["entity_type"]!.GetValue<string>().Should().Be("BADGE");
        (await gateway.Http.DeleteAsync($"{Rules}/{Str(rule["id"])}")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Admins_write_auditors_read_standard_users_neither()
    {
        var rule = await CreateAsync(new { name = Identities.Unique("roles"), connection_names = new[] { "pg" }, columns = new[] { new { column_pattern = "email" } } });
        var id = Str(rule["id"]);
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        var standard = await gateway.CreateUserAsync([]);
        using var asAuditor = gateway.ClientFor(auditor.Token);
        using var asStandard = gateway.ClientFor(standard.Token);
        (await asAuditor.GetAsync($"{Rules}/{id}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await asAuditor.GetAsync(Rules)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await asAuditor.DeleteAsync($"{Rules}/{id}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asAuditor.PutAsJsonAsync($"{Rules}/{id}", new { name = "x" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asAuditor.PostAsJsonAsync(Rules, new { name = "x" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asStandard.GetAsync($"{Rules}/{id}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asStandard.GetAsync(Rules)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asStandard.PostAsJsonAsync(Rules, new { name = "x" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await gateway.Http.GetAsync($"{Rules}/{id}")).StatusCode.Should().Be(HttpStatusCode.OK, "the refused delete changed nothing");
        (await gateway.Http.DeleteAsync($"{Rules}/{id}")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Writes_are_in_the_audit_log()
    {
        var name = Identities.Unique("audited");
        var rule = await CreateAsync(new { name, connection_names = new[] { "pg" }, columns = new[] { new { column_pattern = "email" } } });
        var id = Str(rule["id"]);
        (await gateway.Http.PutAsJsonAsync($"{Rules}/{id}", new { name, connection_names = new[] { "pg" }, columns = new[] { new { column_pattern = "phone" } } })).EnsureSuccessStatusCode();
        (await gateway.Http.DeleteAsync($"{Rules}/{name}")).EnsureSuccessStatusCode();
        var created = JsonNode.Parse(await gateway.Http.GetStringAsync($"/api/audit/logs?resource_type=datamasking-rules&resource={id}"))!["data"]!.AsArray();
        created.Select(e => Str(e!["action"])).Should().BeEquivalentTo(["create", "update"]);
        created.Should().OnlyContain(e => Str(e!["outcome"]) == "success");
        var deleted = JsonNode.Parse(await gateway.Http.GetStringAsync($"/api/audit/logs?resource_type=datamasking-rules&resource={name}"))!["data"]!.AsArray();
        deleted.Select(e => Str(e!["action"])).Should().Equal("delete");
    }
}
