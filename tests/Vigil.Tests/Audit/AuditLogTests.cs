using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Vigil.Hosting;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Audit;

/// <summary>The audit log over the real gateway: what state-changing calls record, redaction, filters, paging, export, access.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AuditLogTests(GatewayFixture gateway)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private string AdminEmail => gateway.App.Services.GetRequiredService<GatewayOptions>().AdminEmail;

    private async Task<JsonNode> LogsAsync(string query, HttpClient? client = null)
    {
        var response = await (client ?? gateway.Http).GetAsync($"/api/audit/logs?{query}");
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!;
    }

    private static JsonArray Data(JsonNode page) => page["data"]!.AsArray();

    private static string Text(JsonNode? node, string name) => node![name]!.GetValue<string>();

    private async Task<(string Name, string Secret, DateTimeOffset Before, DateTimeOffset After)> ConnectionLifecycleAsync()
    {
        var name = Identities.Unique("audited");
        var secret = "audit-Secret-" + Guid.NewGuid().ToString("N");
        var before = DateTimeOffset.UtcNow.AddMilliseconds(-5);
        var body = new { name, type = "postgres", host = "127.0.0.1", port = gateway.Postgres.Port, database = "app", username = "app", password = secret, ssl_mode = "disable" };
        (await gateway.Http.PostAsJsonAsync("/api/connections", body)).StatusCode.Should().Be(HttpStatusCode.Created);
        (await gateway.Http.PutAsJsonAsync($"/api/connections/{name}", body)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await gateway.Http.PatchAsJsonAsync($"/api/connections/{name}", new { port = 5433, credentials = new { user = "x", secret } }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await gateway.Http.DeleteAsync($"/api/connections/{name}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var after = DateTimeOffset.UtcNow;
        await Task.Delay(10);
        return (name, secret, before, after);
    }

    [Fact]
    public async Task Connection_create_update_delete_are_recorded_with_secrets_redacted()
    {
        var (name, secret, _, _) = await ConnectionLifecycleAsync();

        var response = await gateway.Http.GetAsync($"/api/audit/logs?resource_type=connections&resource={name}");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        text.Should().NotContain(secret).And.NotContain("audit-Secret-");
        var page = JsonNode.Parse(text)!;
        page["pages"]!["total"]!.GetValue<long>().Should().Be(4);
        var data = Data(page);
        data.Select(e => Text(e, "action")).Should().Equal("delete", "update", "update", "create");
        data.Select(e => e!["status_code"]!.GetValue<int>()).Should().Equal(204, 200, 200, 201);
        data.Select(e => e!["id"]!.GetValue<long>()).Should().BeInDescendingOrder();
        data.Select(e => Text(e, "at")).Should().BeInDescendingOrder();
        foreach (var entry in data)
        {
            Text(entry, "outcome").Should().Be("success");
            Text(entry, "actor").Should().Be(AdminEmail);
            Text(entry, "actor_id").Should().NotBeNullOrEmpty();
            Text(entry, "resource_type").Should().Be("connections");
            Text(entry, "resource").Should().Be(name);
            Text(entry, "source_address").Should().Be("127.0.0.1");
            Rfc3339Check(Text(entry, "at"));
        }
        var create = data[3]!["request"]!.AsObject();
        create["password"]!.GetValue<string>().Should().Be("[REDACTED]");
        create["name"]!.GetValue<string>().Should().Be(name);
        create["host"]!.GetValue<string>().Should().Be("127.0.0.1");
        create["port"]!.GetValue<int>().Should().Be(gateway.Postgres.Port);
        var patch = data[1]!["request"]!.AsObject();
        patch["port"]!.GetValue<int>().Should().Be(5433);
        patch["credentials"]!.GetValue<string>().Should().Be("[REDACTED]", "a property whose name contains 'credential' is redacted whole");
        data[0]!["request"].Should().BeNull("a DELETE has no body");
    }

    private static void Rfc3339Check(string at) =>
        at.Should().MatchRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$");

    [Fact]
    public async Task Bad_request_and_bad_token_are_recorded_as_failures()
    {
        var name = Identities.Unique("audit-bad");
        var secret = "bad-Secret-" + Guid.NewGuid().ToString("N");
        var invalid = await gateway.Http.PostAsync("/api/connections",
            Json($$"""{"name":"{{name}}","type":"mongodb","host":"h","database":"d","username":"u","password":"{{secret}}","nested":[{"api_key":"{{secret}}"}]}"""));
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        using var stranger = gateway.ClientFor("vgl_not_a_real_token");
        var unauthorized = await stranger.PostAsync("/api/connections", Json($$"""{"name":"{{name}}","password":"{{secret}}"}"""));
        unauthorized.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        using var nobody = gateway.ClientFor(null);
        (await nobody.DeleteAsync($"/api/connections/{name}")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var text = await gateway.Http.GetStringAsync($"/api/audit/logs?resource={name}");
        text.Should().NotContain(secret);
        var data = Data(JsonNode.Parse(text)!);
        data.Should().HaveCount(2, "the unauthenticated create carries no resource of its own: its body is not kept");
        data.Should().OnlyContain(e => Text(e, "outcome") == "failure" && Text(e, "resource_type") == "connections");

        var deleted = data[0]!;
        Text(deleted, "action").Should().Be("delete");
        deleted["status_code"]!.GetValue<int>().Should().Be(401);
        Text(deleted, "actor").Should().Be("anonymous");

        var anonymous = Data(JsonNode.Parse(await gateway.Http.GetStringAsync("/api/audit/logs?actor=anonymous&action=create&resource_type=connections&page_size=1"))!)[0]!;
        anonymous["status_code"]!.GetValue<int>().Should().Be(401);
        anonymous["actor_id"].Should().BeNull();
        anonymous["request"].Should().BeNull("a stranger's body is not stored");

        var bad = data[1]!;
        bad["status_code"]!.GetValue<int>().Should().Be(400);
        Text(bad, "actor").Should().Be(AdminEmail);
        Text(bad, "resource").Should().Be(name, "a failed create names what it tried to create");
        bad["request"]!["type"]!.GetValue<string>().Should().Be("mongodb");
        bad["request"]!["nested"]![0]!["api_key"]!.GetValue<string>().Should().Be("[REDACTED]");
    }

    [Fact]
    public async Task Filters_and_paging()
    {
        var (name, _, before, after) = await ConnectionLifecycleAsync();
        (await gateway.Http.DeleteAsync($"/api/connections/{name}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var resource = $"resource={name}";

        Data(await LogsAsync($"{resource}&action=update")).Should().HaveCount(2).And.OnlyContain(e => Text(e, "action") == "update");
        Data(await LogsAsync($"{resource}&action=delete&outcome=failure")).Select(e => e!["status_code"]!.GetValue<int>()).Should().Equal(404);
        Data(await LogsAsync($"{resource}&outcome=success")).Should().HaveCount(4);
        Data(await LogsAsync($"{resource}&resource_type=users")).Should().BeEmpty();
        Data(await LogsAsync($"{resource}&actor={Uri.EscapeDataString(AdminEmail)}")).Should().HaveCount(5);
        Data(await LogsAsync($"{resource}&actor=anonymous")).Should().BeEmpty();

        string Time(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O"));
        Data(await LogsAsync($"{resource}&start_date={Time(before)}&end_date={Time(after)}")).Should().HaveCount(4, "the 404 came after 'after'");
        Data(await LogsAsync($"{resource}&start_date={Time(after)}")).Select(e => e!["status_code"]!.GetValue<int>()).Should().Equal(404);
        Data(await LogsAsync($"{resource}&end_date={Time(before)}")).Should().BeEmpty();
        // Offsets other than Z are RFC 3339 too.
        Data(await LogsAsync($"{resource}&start_date={Time(before.ToOffset(TimeSpan.FromHours(2)))}")).Should().HaveCount(5);

        var first = await LogsAsync($"{resource}&page_size=2&page=1");
        first["pages"]!.ToJsonString().Should().Be("""{"total":5,"page":1,"size":2}""");
        var third = await LogsAsync($"{resource}&page_size=2&page=3");
        Data(third).Should().HaveCount(1);
        Text(Data(third)[0], "action").Should().Be("create", "newest first, so the create is last");
        var all = Data(await LogsAsync(resource)).Select(e => e!["id"]!.GetValue<long>()).ToList();
        var second = Data(await LogsAsync($"{resource}&page_size=2&page=2")).Select(e => e!["id"]!.GetValue<long>());
        second.Should().Equal(all[2], all[3]);

        foreach (var bad in new[] { "start_date=yesterday", "end_date=2026-13-01T00:00:00Z", "outcome=maybe" })
        {
            var response = await gateway.Http.GetAsync($"/api/audit/logs?{bad}");
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            (await response.Content.ReadAsStringAsync()).Should().Contain(bad.Split('=')[0]);
        }
    }

    [Fact]
    public async Task Export_csv_and_json()
    {
        var (name, secret, _, _) = await ConnectionLifecycleAsync();

        var csv = await gateway.Http.GetAsync($"/api/audit/logs/export?format=csv&resource={name}");
        csv.StatusCode.Should().Be(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        csv.Content.Headers.ContentDisposition!.FileNameStar.Should().Be("audit-logs.csv");
        var text = await csv.Content.ReadAsStringAsync();
        text.Should().NotContain(secret);
        var lines = text.Split("\r\n");
        lines[0].Should().Be("id,at,actor,actor_id,action,resource_type,resource,outcome,status_code,source_address,request");
        lines[^1].Should().BeEmpty("every record ends with CRLF");
        lines.Should().HaveCount(6);
        lines[1].Should().Contain($",{AdminEmail},").And.Contain($",delete,connections,{name},success,204,127.0.0.1,").And.EndWith(",");
        // The request column is JSON text: it holds commas and quotes, so it is quoted with its quotes doubled.
        lines[4].Should().Contain(",create,connections,").And.Contain("\"{\"\"name\"\":\"\"" + name + "\"\",").And.Contain("\"\"password\"\":\"\"[REDACTED]\"\"");
        lines[4].Should().EndWith("}\"");

        var json = await gateway.Http.GetAsync($"/api/audit/logs/export?format=json&resource={name}&action=create");
        json.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        json.Content.Headers.ContentDisposition!.FileNameStar.Should().Be("audit-logs.json");
        var exported = JsonNode.Parse(await json.Content.ReadAsStringAsync())!.AsArray();
        exported.Should().HaveCount(1);
        Text(exported[0], "resource").Should().Be(name);
        exported[0]!["request"]!["password"]!.GetValue<string>().Should().Be("[REDACTED]");

        var everything = JsonNode.Parse(await gateway.Http.GetStringAsync("/api/audit/logs/export"))!.AsArray();
        var total = (await LogsAsync("page_size=1"))["pages"]!["total"]!.GetValue<long>();
        everything.Count.Should().BeGreaterThanOrEqualTo((int)total, "the export is not paged (and JSON is the default format)");
        everything.Select(e => e!["id"]!.GetValue<long>()).Should().BeInDescendingOrder();

        (await gateway.Http.GetAsync("/api/audit/logs/export?format=xml")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await gateway.Http.GetAsync("/api/audit/logs/export?start_date=nope")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Bodies_that_are_not_json_are_recorded_without_content_and_long_ones_are_cut()
    {
        var before = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMilliseconds(-5).ToString("O"));
        var secret = "form-Secret-" + Guid.NewGuid().ToString("N");
        var form = $"name=x&password={secret}&pad={new string('p', 37)}";
        var response = await gateway.Http.PostAsync("/api/connections", new StringContent(form, Encoding.UTF8, "text/plain"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var name = Identities.Unique("audit-long");
        var big = new string('x', 40_000);
        var longBody = $$"""{"name":"{{name}}","type":"postgres","description":"{{big}}","password":"{{secret}}"}""";
        (await gateway.Http.PostAsync("/api/connections", Json(longBody))).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var text = await gateway.Http.GetStringAsync($"/api/audit/logs?action=create&outcome=failure&start_date={before}");
        text.Should().NotContain(secret).And.NotContain("name=x");
        var data = Data(JsonNode.Parse(text)!);
        data.Should().HaveCount(2);
        var unparsed = data.Single(e => e!["request"] is JsonObject o && o.ContainsKey("unparsed"))!;
        unparsed["request"]!.ToJsonString().Should().Be($$"""{"unparsed":true,"length":{{Encoding.UTF8.GetByteCount(form)}}}""");
        unparsed["status_code"]!.GetValue<int>().Should().Be(400);

        var cut = data.Single(e => e!["resource"]?.GetValue<string>() == name)!["request"]!;
        cut["truncated"]!.GetValue<bool>().Should().BeTrue();
        cut["length"]!.GetValue<long>().Should().Be(Encoding.UTF8.GetByteCount(longBody));
        cut["body"]!["name"]!.GetValue<string>().Should().Be(name);
        cut["body"]!.AsObject().ContainsKey("description").Should().BeFalse("a value cut in the middle is dropped");
        cut["body"]!.AsObject().ContainsKey("password").Should().BeFalse("it lies beyond the 16 KiB kept");
    }

    [Fact]
    public async Task Creates_of_users_and_tokens_name_the_new_resource_and_never_keep_the_token()
    {
        var user = await gateway.CreateUserAsync(["auditor"]);
        var userEntry = Data(await LogsAsync($"resource_type=users&resource={user.Id}")).Single()!;
        Text(userEntry, "action").Should().Be("create");
        userEntry["request"]!["email"]!.GetValue<string>().Should().Be(user.Name);

        var tokenEntry = Data(await LogsAsync($"resource_type=tokens&resource={user.TokenId}")).Single()!;
        Text(tokenEntry, "action").Should().Be("create");
        tokenEntry["status_code"]!.GetValue<int>().Should().Be(201);
        tokenEntry["request"]!["user"]!.GetValue<string>().Should().Be(user.Name);
        (await gateway.Http.GetStringAsync("/api/audit/logs/export?format=csv")).Should().NotContain(user.Token);
    }

    [Fact]
    public async Task Auditors_read_the_log_standard_users_get_403()
    {
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        var standard = await gateway.CreateUserAsync([]);

        using var auditorClient = gateway.ClientFor(auditor.Token);
        Data(await LogsAsync("page_size=5", auditorClient)).Should().NotBeEmpty();
        (await auditorClient.GetAsync("/api/audit/logs/export?format=csv")).StatusCode.Should().Be(HttpStatusCode.OK);
        // An auditor changes nothing; the refused attempt is recorded under its name.
        var name = Identities.Unique("auditor-try");
        (await auditorClient.PostAsJsonAsync("/api/connections", new { name, type = "postgres", host = "h", database = "d", username = "u" }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var attempt = Data(await LogsAsync($"resource={name}", auditorClient)).Single()!;
        Text(attempt, "actor").Should().Be(auditor.Name);
        Text(attempt, "actor_id").Should().Be(auditor.Id);
        Text(attempt, "outcome").Should().Be("failure");
        attempt["status_code"]!.GetValue<int>().Should().Be(403);

        using var standardClient = gateway.ClientFor(standard.Token);
        foreach (var path in new[] { "/api/audit/logs", "/api/audit/logs/export?format=json" })
        {
            var refused = await standardClient.GetAsync(path);
            refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }
        using var nobody = gateway.ClientFor(null);
        (await nobody.GetAsync("/api/audit/logs")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
