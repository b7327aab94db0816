using System.Net;
using System.Text.Json;
using ModelContextProtocol.Client;
using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Mcp;

/// <summary>
/// The admin tools (connections, analyzer, masking, guardrails, identities, tokens, webhooks, audit) driven by the MCP
/// SDK's client over <c>/api/mcp</c>: who sees which, that each maps onto the API, that secrets stay write-only, and that
/// refusals and bad arguments are tool errors.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AdminToolsTests(GatewayFixture gateway)
{
    /// <summary>The admin tools auditors see too: the reads the API allows them.</summary>
    public static readonly string[] AuditorTools =
        ["ai_rules_list", "ai_rule_get", "masking_rules_list", "masking_rule_get", "guardrails_list", "guardrail_get", "audit_log_list"];

    /// <summary>The admin-only tools.</summary>
    public static readonly string[] AdminOnlyTools =
    [
        "connection_create", "connection_update", "connection_delete", "connection_test",
        "ai_provider_get", "ai_provider_set", "ai_provider_delete", "ai_rule_create", "ai_rule_update", "ai_rule_delete",
        "masking_rule_create", "masking_rule_update", "masking_rule_delete", "guardrail_create", "guardrail_update", "guardrail_delete",
        "users_list", "user_get", "user_create", "user_update", "user_delete",
        "groups_list", "group_get", "group_create", "group_update", "group_delete",
        "service_accounts_list", "service_account_get", "service_account_create", "service_account_update", "service_account_delete",
        "tokens_list", "token_create", "token_revoke",
        "webhooks_list", "webhook_get", "webhook_create", "webhook_update", "webhook_delete", "webhook_secret_rotate", "webhook_deliveries_list",
    ];

    [Fact]
    public async Task Admins_see_every_admin_tool_auditors_only_the_reads_and_standard_identities_none()
    {
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        var standard = await gateway.CreateUserAsync([]);
        await using var adminClient = await gateway.ConnectHttpAsync(GatewayFixture.Token);
        await using var auditorClient = await gateway.ConnectHttpAsync(auditor.Token);
        await using var standardClient = await gateway.ConnectHttpAsync(standard.Token);

        var admin = await adminClient.ListToolsAsync();
        var seenByAdmin = admin.Select(t => t.Name).ToHashSet();
        var seenByAuditor = (await auditorClient.ListToolsAsync()).Select(t => t.Name).ToHashSet();
        var seenByStandard = (await standardClient.ListToolsAsync()).Select(t => t.Name).ToHashSet();

        seenByAdmin.Should().Contain(AuditorTools).And.Contain(AdminOnlyTools);
        seenByAuditor.Should().Contain(AuditorTools).And.NotContain(AdminOnlyTools);
        seenByStandard.Should().NotContain(AuditorTools).And.NotContain(AdminOnlyTools).And.Contain("exec");
        seenByStandard.Should().BeSubsetOf(seenByAuditor);
        seenByAuditor.Should().BeSubsetOf(seenByAdmin);

        var annotations = admin.ToDictionary(t => t.Name, t => t.ProtocolTool.Annotations!);
        annotations["audit_log_list"].ReadOnlyHint.Should().BeTrue();
        annotations["connection_delete"].DestructiveHint.Should().BeTrue();
        annotations["token_revoke"].DestructiveHint.Should().BeTrue();
        annotations["connection_create"].DestructiveHint.Should().BeFalse();
        annotations["connection_create"].ReadOnlyHint.Should().BeFalse();
        annotations["connection_test"].ReadOnlyHint.Should().BeTrue("a test reaches the target but changes nothing");
        var schema = admin.Single(t => t.Name == "connection_create").ProtocolTool.InputSchema;
        schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Should().BeEquivalentTo(["name", "type"]);
        schema.GetProperty("properties").GetProperty("type").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).Should().Equal("postgres", "http", "kubernetes", "ssh");
        schema.GetProperty("properties").TryGetProperty("host_key", out _).Should().BeTrue("ssh connections pin a host key");
        admin.Single(t => t.Name == "masking_rule_update").ProtocolTool.InputSchema.GetProperty("properties").GetProperty("kubernetes_secrets").GetProperty("enum")
            .EnumerateArray().Select(e => e.GetString()).Should().Equal("redact", "reveal");

        var refused = await standardClient.CallAsync("users_list");
        refused.IsError.Should().BeTrue();
        refused.Text.Should().Contain("users_list").And.Contain("admins only");
    }

    [Fact]
    public async Task An_admin_registers_a_connection_with_the_tool_uses_it_and_its_password_never_shows()
    {
        var role = "mcp_" + Guid.NewGuid().ToString("N")[..8];
        var password = "mcp-Secret-" + Guid.NewGuid().ToString("N");
        await using (var direct = new NpgsqlConnection(gateway.DirectConnectionString()))
        {
            await direct.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE ROLE {role} LOGIN PASSWORD '{password}'", direct);
            await create.ExecuteNonQueryAsync();
        }
        var name = Identities.Unique("mcp-conn");
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token);
        var results = new List<McpToolCalls.Answer>();

        var created = await client.CallAsync("connection_create", new
        {
            name, type = "postgres", host = "127.0.0.1", port = gateway.Postgres.Port, database = "app", username = role, password, ssl_mode = "disable",
        });
        results.Add(created);
        created.IsError.Should().NotBe(true, created.Text);
        created.Result.StructuredContent!.Value.GetProperty("has_password").GetBoolean().Should().BeTrue();

        var ran = await client.CallAsync("exec", new { connection = name, script = "select current_user as who" });
        results.Add(ran);
        ran.Result.StructuredContent!.Value.GetProperty("status").GetString().Should().Be("done", ran.Text);
        ran.Result.StructuredContent!.Value.GetProperty("output").GetString().Should().Contain(role);

        // A change without the password keeps it: the connection still logs in.
        var changed = await client.CallAsync("connection_update", new { name, min_approvals = 2 });
        results.Add(changed);
        changed.Result.StructuredContent!.Value.GetProperty("min_approvals").GetInt32().Should().Be(2, changed.Text);
        var again = await client.CallAsync("exec", new { connection = name, script = "select 1 as one" });
        results.Add(again);
        again.Result.StructuredContent!.Value.GetProperty("status").GetString().Should().Be("done", again.Text);

        var deleted = await client.CallAsync("connection_delete", new { name });
        results.Add(deleted);
        deleted.IsError.Should().NotBe(true, deleted.Text);
        (await gateway.Http.GetAsync($"/api/connections/{name}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        results.Should().AllSatisfy(r => r.Everything().Should().NotContain(password));
        (await gateway.Http.GetStringAsync("/api/audit/logs/export?format=json")).Should().NotContain(password);
        var calls = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/audit/logs?resource_type=mcp_tool&resource=connection_create&page_size=1000"))
            .RootElement.GetProperty("data").EnumerateArray()
            .Where(e => e.GetProperty("request").GetProperty("arguments").GetProperty("name").GetString() == name).ToList();
        calls.Should().ContainSingle();
        calls[0].GetProperty("request").GetProperty("arguments").GetProperty("password").GetString().Should().Be("[REDACTED]");
        calls[0].GetProperty("outcome").GetString().Should().Be("success");
    }

    [Fact]
    public async Task An_auditor_reads_policies_and_the_audit_log_but_a_write_tool_is_a_tool_error_that_changes_nothing()
    {
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        await using var client = await gateway.ConnectHttpAsync(auditor.Token);
        var name = Identities.Unique("guard");

        var refused = await client.CallAsync("guardrail_create", new
        {
            name, connection_names = new[] { "pg" }, input = new { rules = new[] { new { type = "deny_words_list", words = new[] { "truncate" } } } },
        });
        var deleteRefused = await client.CallAsync("connection_delete", new { name = "pg" });

        refused.IsError.Should().BeTrue();
        refused.Text.Should().Contain("guardrail_create").And.Contain("admins only");
        deleteRefused.IsError.Should().BeTrue();
        (await gateway.Http.GetAsync($"/api/guardrails/{name}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.GetAsync("/api/connections/pg")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await client.CallOkAsync("guardrails_list")).GetProperty("data").ValueKind.Should().Be(JsonValueKind.Array);
        var log = await client.CallOkAsync("audit_log_list", new { actor = auditor.Name, resource_type = "mcp_tool", outcome = "failure" });
        log.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("resource").GetString()).Should().Contain(["guardrail_create", "connection_delete"]);
    }

    [Fact]
    public async Task A_token_issued_with_the_tool_works_until_revoked_then_gets_401_and_vigil_mcp_will_not_start()
    {
        await using var admin = await gateway.ConnectHttpAsync(GatewayFixture.Token);
        var account = Identities.Unique("agent");
        await admin.CallOkAsync("service_account_create", new { name = account });

        var issued = await admin.CallAsync("token_create", new { serviceaccount = account, name = "issued by mcp" });
        issued.IsError.Should().NotBe(true, issued.Text);
        var token = issued.Result.StructuredContent!.Value.GetProperty("token").GetString()!;
        var id = issued.Result.StructuredContent!.Value.GetProperty("id").GetString()!;
        issued.Text.Should().Contain(token, "the secret is shown once, when issued");
        await using (var agent = await gateway.ConnectHttpAsync(token))
        {
            (await agent.CallOkAsync("me_get")).GetProperty("name").GetString().Should().Be(account);
        }
        var listed = await admin.CallAsync("tokens_list", new { owner = account });
        listed.Result.StructuredContent!.Value.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("id").GetString()).Should().Equal(id);
        listed.Everything().Should().NotContain(token);

        (await admin.CallOkAsync("token_revoke", new { id })).GetProperty("done").GetBoolean().Should().BeTrue();

        (await PostMcpAsync(token)).Should().Be(HttpStatusCode.Unauthorized);
        await ExpectVigilMcpRefusesAsync(token);
        await admin.CallOkAsync("service_account_delete", new { service_account = account });
    }

    [Fact]
    public async Task An_expired_token_gets_401_and_vigil_mcp_will_not_start()
    {
        await using var admin = await gateway.ConnectHttpAsync(GatewayFixture.Token);
        var account = Identities.Unique("agent");
        await admin.CallOkAsync("service_account_create", new { name = account });
        var token = (await admin.CallOkAsync("token_create", new { serviceaccount = account, expires_in = "1s" })).GetProperty("token").GetString()!;

        await Task.Delay(TimeSpan.FromSeconds(1.5));

        (await PostMcpAsync(token)).Should().Be(HttpStatusCode.Unauthorized);
        await ExpectVigilMcpRefusesAsync(token);
        await admin.CallOkAsync("service_account_delete", new { service_account = account });
    }

    [Fact]
    public async Task Bad_arguments_are_tool_errors_that_say_what_to_fix_and_the_session_goes_on()
    {
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token);
        var name = Identities.Unique("bad");
        var valid = new Dictionary<string, object> { ["name"] = name, ["type"] = "postgres", ["host"] = "127.0.0.1", ["database"] = "app", ["username"] = "app" };

        (await Error("connection_create", With(valid, "port", "5432"))).Should().Contain("/port: Value is \"string\" but should be \"integer\"");
        (await Error("connection_create", With(valid, "passwd", "x"))).Should().Contain("unknown argument 'passwd'");
        (await Error("connection_create", new { name })).Should().Contain("Required properties [\"type\"");
        (await Error("connection_create", With(valid, "type", "mysql"))).Should().Contain("/type: must be one of postgres, http, kubernetes");
        (await Error("connection_create", With(valid, "port", 70000))).Should().Contain("/port: 70000 should be at most 65535");
        (await Error("ai_rule_create", new { name, connection_names = new[] { "no-such-connection" }, risk_evaluation = new { high_risk_action = "block" } }))
            .Should().Contain("connection 'no-such-connection' not found (HTTP 400)");
        (await Error("masking_rule_create", new { name, connection_names = new[] { "pg" }, supported_entity_types = new[] { new { name = "x", entity_types = new[] { "NOT_A_TYPE" } } } }))
            .Should().Contain("/supported_entity_types/0/entity_types/0: \"NOT_A_TYPE\" is not one of the values");
        (await Error("user_get", new { user = "nobody-" + name + "@example.com" })).Should().Contain("not found (HTTP 404)");
        (await Error("group_delete", new { name = "admin" })).Should().Contain("built in");
        (await Error("user_get", new { user = ".." })).Should().Contain("'..' is not a valid name or id");
        (await Error("user_get", new { user = "" })).Should().Contain("'' is not a valid name or id");
        (await Error("group_get", new { name = "a/../../users" })).Should().Contain("not found (HTTP 404)", "the name stays one path segment");

        (await gateway.Http.GetAsync($"/api/connections/{name}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var failures = await client.CallOkAsync("audit_log_list", new { resource_type = "mcp_tool", resource = "connection_create", outcome = "failure", page_size = 1000 });
        failures.GetProperty("data").EnumerateArray().Count(e => e.GetProperty("request").GetProperty("arguments").GetProperty("name").GetString() == name)
            .Should().Be(5, "every refused call is audited as a failure");
        (await client.CallOkAsync("groups_list")).GetProperty("data").EnumerateArray().Should().Contain(g => g.GetProperty("name").GetString() == "admin");

        async Task<string> Error(string tool, object arguments)
        {
            var result = await client.CallAsync(tool, arguments);
            result.IsError.Should().BeTrue($"{tool} should refuse, but said: {result.Text}");
            return result.Text;
        }
    }

    [Fact]
    public async Task Policies_identities_and_webhooks_round_trip_through_the_tools()
    {
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token);
        var connection = await gateway.CreateConnectionAsync([]);
        var group = Identities.Unique("team");

        (await client.CallOkAsync("group_create", new { name = group, description = "first" })).GetProperty("name").GetString().Should().Be(group);
        (await client.CallOkAsync("group_update", new { name = group, description = "second" })).GetProperty("description").GetString().Should().Be("second");

        var email = Identities.Unique("person") + "@example.com";
        var password = "Pw-" + Guid.NewGuid().ToString("N");
        var user = await client.CallAsync("user_create", new { email, groups = new[] { group }, password });
        user.Result.StructuredContent!.Value.GetProperty("has_password").GetBoolean().Should().BeTrue(user.Text);
        user.Everything().Should().NotContain(password);
        (await client.CallOkAsync("user_update", new { user = email, status = "inactive" })).GetProperty("status").GetString().Should().Be("inactive");
        (await client.CallOkAsync("users_list", new { group })).GetProperty("data").EnumerateArray().Select(u => u.GetProperty("email").GetString()).Should().Equal(email);
        (await client.CallOkAsync("group_get", new { name = group })).GetProperty("members").EnumerateArray().Should().ContainSingle();
        await client.CallOkAsync("user_delete", new { user = email });

        var rule = Identities.Unique("rule");
        var created = await client.CallOkAsync("ai_rule_create", new { name = rule, connection_names = new[] { connection }, risk_evaluation = new { medium_risk_action = "block" }, hold_seconds = 5 });
        created.GetProperty("risk_evaluation").GetProperty("medium_risk_action").GetString().Should().Be("block");
        created.GetProperty("hold_seconds").GetInt32().Should().Be(5);
        var replaced = await client.CallOkAsync("ai_rule_update", new { name = rule, connection_names = new[] { connection }, risk_evaluation = new { low_risk_action = "require_approval" } });
        replaced.GetProperty("risk_evaluation").GetProperty("low_risk_action").GetString().Should().Be("require_approval");
        replaced.GetProperty("risk_evaluation").GetProperty("medium_risk_action").GetString().Should().Be("require_approval", "a replacement starts from the defaults");
        (await client.CallOkAsync("ai_rules_list", new { connection })).GetProperty("data").EnumerateArray().Select(r => r.GetProperty("name").GetString()).Should().Equal(rule);
        await client.CallOkAsync("ai_rule_delete", new { name = rule });
        (await gateway.Http.GetAsync($"/api/ai/session-analyzer/rules/{rule}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var masking = Identities.Unique("mask");
        await client.CallOkAsync("masking_rule_create", new
        {
            name = masking, connection_names = new[] { connection },
            supported_entity_types = new[] { new { name = "contact", entity_types = new[] { "EMAIL_ADDRESS" } } },
            columns = new[] { new { column_pattern = "*ssn*", strategy = "hash" } },
        });
        var renamed = await client.CallOkAsync("masking_rule_update", new
        {
            rule = masking, name = masking + "-2", connection_names = new[] { connection }, strategy = "partial",
            supported_entity_types = new[] { new { name = "contact", entity_types = new[] { "PHONE_NUMBER" } } }, kubernetes_secrets = "reveal",
        });
        renamed.GetProperty("strategy").GetString().Should().Be("partial");
        renamed.GetProperty("kubernetes_secrets").GetString().Should().Be("reveal");
        renamed.GetProperty("columns").GetArrayLength().Should().Be(0);
        (await client.CallOkAsync("masking_rule_get", new { rule = masking + "-2" })).GetProperty("supported_entity_types")[0].GetProperty("entity_types")[0].GetString().Should().Be("PHONE_NUMBER");
        (await client.CallOkAsync("masking_rules_list", new { connection })).GetProperty("data").EnumerateArray().Select(r => r.GetProperty("name").GetString()).Should().Equal(masking + "-2");
        await client.CallOkAsync("masking_rule_delete", new { rule = masking + "-2" });

        var guardrail = Identities.Unique("guard");
        await client.CallOkAsync("guardrail_create", new
        {
            name = guardrail, connection_names = new[] { connection },
            input = new { rules = new object[] { new { type = "deny_words_list", words = new[] { "truncate" }, match_in = "code" }, new { type = "pattern_match", pattern_regex = "select\\s+4242" } } },
        });
        var denied = await client.CallAsync("exec", new { connection, script = "select 4242" });
        denied.Result.StructuredContent!.Value.GetProperty("status").GetString().Should().Be("blocked", denied.Text);
        await client.CallOkAsync("guardrail_update", new { guardrail, connection_names = new[] { connection }, output = new { rules = new[] { new { type = "deny_words_list", words = new[] { "secret" } } } } });
        var kept = await client.CallOkAsync("guardrail_get", new { guardrail });
        kept.GetProperty("input").GetProperty("rules").GetArrayLength().Should().Be(0);
        kept.GetProperty("output").GetProperty("rules").GetArrayLength().Should().Be(1);
        (await client.CallOkAsync("guardrails_list", new { connection })).GetProperty("data").EnumerateArray().Should().ContainSingle();
        await client.CallOkAsync("guardrail_delete", new { guardrail });

        var webhook = await client.CallAsync("webhook_create", new { url = "https://hooks.example.com/vigil", event_types = new[] { "review.created" } });
        var hook = webhook.Result.StructuredContent!.Value;
        var id = hook.GetProperty("id").GetString()!;
        webhook.Text.Should().Contain(hook.GetProperty("secret").GetString()!, "the signing secret is shown once, when created");
        var changed = await client.CallOkAsync("webhook_update", new { id, url = "https://hooks.example.com/vigil2", event_types = new[] { "*" }, format = "slack" });
        changed.GetProperty("format").GetString().Should().Be("slack");
        changed.TryGetProperty("secret", out _).Should().BeFalse();
        var shown = await client.CallAsync("webhook_get", new { id });
        shown.Result.StructuredContent!.Value.GetProperty("url").GetString().Should().Be("https://hooks.example.com/…", "a chat webhook's URL path is its credential");
        shown.Everything().Should().NotContain("vigil2");
        (await client.CallOkAsync("webhooks_list")).GetProperty("data").EnumerateArray().Should().Contain(w => w.GetProperty("id").GetString() == id);
        var rotated = await client.CallAsync("webhook_secret_rotate", new { id });
        var secret = rotated.Result.StructuredContent!.Value.GetProperty("secret").GetString()!;
        secret.Should().StartWith("whsec_").And.NotBe(hook.GetProperty("secret").GetString());
        rotated.Text.Should().Contain(secret);
        (await client.CallOkAsync("webhook_deliveries_list", new { id, status = "failed" })).GetProperty("data").ValueKind.Should().Be(JsonValueKind.Array);
        (await client.CallAsync("webhook_deliveries_list", new { id, status = "lost" })).IsError.Should().BeTrue();
        await client.CallOkAsync("webhook_delete", new { id });

        await client.CallOkAsync("group_delete", new { name = group });
        (await gateway.Http.GetAsync($"/api/groups/{group}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_analyzer_provider_key_is_write_only()
    {
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token);
        var key = "sk-test-" + Guid.NewGuid().ToString("N");
        try
        {
            var set = await client.CallAsync("ai_provider_set", new { provider = "custom", model = "m", api_key = key, api_url = "http://127.0.0.1:1/v1" });
            set.Result.StructuredContent!.Value.GetProperty("api_key").GetString().Should().Be("****" + key[^4..], set.Text);
            var shown = await client.CallAsync("ai_provider_get");
            shown.Result.StructuredContent!.Value.GetProperty("provider").GetString().Should().Be("custom");
            set.Everything().Should().NotContain(key);
            shown.Everything().Should().NotContain(key);
        }
        finally
        {
            (await client.CallOkAsync("ai_provider_delete")).GetProperty("done").GetBoolean().Should().BeTrue();
        }
        (await client.CallAsync("ai_provider_get")).IsError.Should().BeTrue();
        (await gateway.Http.GetStringAsync("/api/audit/logs/export?format=json")).Should().NotContain(key);
    }

    [Fact]
    public async Task Over_stdio_an_admin_manages_groups_and_an_auditor_sees_only_the_read_tools()
    {
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        await using (var auditorClient = await gateway.ConnectStdioAsync(auditor.Token))
        {
            var seen = (await auditorClient.ListToolsAsync()).Select(t => t.Name).ToList();
            seen.Should().Contain(AuditorTools).And.NotContain(AdminOnlyTools);
        }
        await using var admin = await gateway.ConnectStdioAsync(GatewayFixture.Token);
        var group = Identities.Unique("stdio");

        (await admin.CallOkAsync("group_create", new { name = group })).GetProperty("name").GetString().Should().Be(group);
        (await gateway.Http.GetAsync($"/api/groups/{group}")).StatusCode.Should().Be(HttpStatusCode.OK);
        var bad = await admin.CallAsync("group_create", new { name = group, colour = "red" });
        bad.IsError.Should().BeTrue();
        bad.Text.Should().Contain("unknown argument 'colour'");
        await admin.CallOkAsync("group_delete", new { name = group });
        (await gateway.Http.GetAsync($"/api/groups/{group}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static Dictionary<string, object> With(Dictionary<string, object> arguments, string name, object value) =>
        new(arguments) { [name] = value };

    private async Task<HttpStatusCode> PostMcpAsync(string token)
    {
        using var http = gateway.ClientFor(token);
        using var content = new StringContent(
            """{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}""", System.Text.Encoding.UTF8, "application/json");
        http.DefaultRequestHeaders.Accept.ParseAdd("application/json, text/event-stream");
        using var response = await http.PostAsync("/api/mcp", content);
        return response.StatusCode;
    }

    private async Task ExpectVigilMcpRefusesAsync(string token)
    {
        var run = await Processes.RunAsync("dotnet", [Processes.VigilDll, "mcp"], new Dictionary<string, string>
        {
            ["VIGIL_GATEWAY_URL"] = gateway.HttpAddress,
            ["VIGIL_TOKEN"] = token,
            ["HOME"] = Path.Combine(Path.GetTempPath(), "vigil-mcp-home"),
        }, stdin: "", timeout: TimeSpan.FromSeconds(60));

        run.ExitCode.Should().Be(1, run.Stderr);
        run.Stdout.Should().BeEmpty("standard output carries only the protocol");
        run.Stderr.Split('\n').Should().Contain(line => line.StartsWith("vigil: ", StringComparison.Ordinal), run.Stderr);
    }

    [Fact]
    public async Task An_admin_registers_an_http_connection_whose_headers_are_write_only()
    {
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token);
        var name = Identities.Unique("api");
        const string key = "sekret-api-key-5c1e";

        var created = await client.CallAsync("connection_create", new { name, type = "http", url = "http://127.0.0.1:9/v1", headers = new Dictionary<string, string> { ["X-Api-Key"] = key } });

        created.IsError.Should().BeFalse(created.Text);
        created.Result.StructuredContent!.Value.GetProperty("header_names").EnumerateArray().Select(h => h.GetString()).Should().Equal("X-Api-Key");
        created.Everything().Should().NotContain(key);
        var shown = await client.CallAsync("connection_get", new { name });
        shown.Everything().Should().NotContain(key);
        (await gateway.Http.GetStringAsync("/api/audit/logs/export?format=json")).Should().NotContain(key);
        (await client.CallAsync("connection_delete", new { name })).IsError.Should().BeFalse();
    }

    [Fact]
    public async Task An_admin_tests_a_connection_and_a_refused_login_is_an_answer_not_a_tool_error()
    {
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token);

        var reached = await client.CallAsync("connection_test", new { name = "pg" });
        var refused = await client.CallAsync("connection_test", new { name = "pg-wrong-password" });
        var unknown = await client.CallAsync("connection_test", new { name = "no-such-connection" });

        reached.IsError.Should().BeFalse(reached.Text);
        reached.Json["ok"]!.GetValue<bool>().Should().BeTrue();
        reached.Text.Should().MatchRegex(@"^Connected: PostgreSQL \d+");
        refused.IsError.Should().BeFalse(refused.Text);
        refused.Str("failure").Should().Be("authentication");
        refused.Text.Should().StartWith("Connection test failed: ").And.Contain("28P01");
        refused.Everything().Should().NotContain("not-the-password");
        unknown.IsError.Should().BeTrue();
        unknown.Text.Should().Contain("connection_test failed").And.Contain("not found");
    }
}
