using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Api;

/// <summary>The HTTP API contract: auth, problem details, conflicts, secrets, sessions listing and export.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ApiTests(GatewayFixture gateway)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<JsonNode> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer vgl_not_a_real_token")]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    public async Task Missing_or_bad_token_is_401(string? authorization)
    {
        using var client = new HttpClient { BaseAddress = new Uri(gateway.HttpAddress) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/connections");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        var response = await client.SendAsync(request);
        await ProblemAsync(response, HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().StartWith("Bearer");
        (await client.GetAsync("/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("{", "invalid JSON")]
    [InlineData("{\"name\": 5}", "name")]
    [InlineData("[]", "invalid JSON")]
    [InlineData("{\"type\":\"postgres\",\"host\":\"h\",\"database\":\"d\",\"username\":\"u\"}", "missing field 'name'")]
    [InlineData("{\"name\":\"x\",\"host\":\"h\",\"database\":\"d\",\"username\":\"u\"}", "missing field 'type'")]
    [InlineData("{\"name\":\"x\",\"type\":\"postgres\",\"database\":\"d\",\"username\":\"u\"}", "missing field 'host'")]
    [InlineData("{\"name\":\"x\",\"type\":\"postgres\",\"host\":\"h\",\"username\":\"u\"}", "missing field 'database'")]
    [InlineData("{\"name\":\"x\",\"type\":\"postgres\",\"host\":\"h\",\"database\":\"d\"}", "missing field 'username'")]
    [InlineData("{\"name\":\"x\",\"type\":\"mongodb\",\"host\":\"h\",\"database\":\"d\",\"username\":\"u\"}", "field 'type'")]
    [InlineData("{\"name\":\"x\",\"type\":\"postgres\",\"host\":\"h\",\"database\":\"d\",\"username\":\"u\",\"ssl_mode\":\"maybe\"}", "field 'ssl_mode'")]
    [InlineData("{\"name\":\"bad name!\",\"type\":\"postgres\",\"host\":\"h\",\"database\":\"d\",\"username\":\"u\"}", "field 'name'")]
    [InlineData("{\"name\":\"x\",\"type\":\"postgres\",\"host\":\"h\",\"port\":70000,\"database\":\"d\",\"username\":\"u\"}", "field 'port'")]
    public async Task Invalid_connection_bodies_are_400_naming_the_field(string body, string expected)
    {
        var problem = await ProblemAsync(await gateway.Http.PostAsync("/api/connections", Json(body)), HttpStatusCode.BadRequest);
        problem["detail"]!.GetValue<string>().Should().Contain(expected);
    }

    [Fact]
    public async Task Duplicate_is_409_unknown_is_404_and_delete_works()
    {
        var body = new { name = "dup-probe", type = "postgres", host = "127.0.0.1", port = 5432, database = "d", username = "u", password = "dup-Secret-pw" };
        (await gateway.Http.PostAsJsonAsync("/api/connections", body)).StatusCode.Should().Be(HttpStatusCode.Created);
        await ProblemAsync(await gateway.Http.PostAsJsonAsync("/api/connections", body), HttpStatusCode.Conflict);
        await ProblemAsync(await gateway.Http.GetAsync("/api/connections/no-such"), HttpStatusCode.NotFound);
        await ProblemAsync(await gateway.Http.DeleteAsync("/api/connections/no-such"), HttpStatusCode.NotFound);
        await ProblemAsync(await gateway.Http.GetAsync("/api/sessions/no-such"), HttpStatusCode.NotFound);
        (await gateway.Http.DeleteAsync("/api/connections/dup-probe")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        await ProblemAsync(await gateway.Http.GetAsync("/api/connections/dup-probe"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Secrets_never_appear_in_output_and_are_encrypted_at_rest()
    {
        var list = await gateway.Http.GetStringAsync("/api/connections?page_size=100");
        var one = await gateway.Http.GetStringAsync("/api/connections/pg");
        foreach (var text in new[] { list, one })
        {
            text.Should().NotContain(GatewayFixture.AppPassword).And.NotContain("\"password\"");
        }
        JsonNode.Parse(one)!["has_password"]!.GetValue<bool>().Should().BeTrue();
        JsonNode.Parse(list)!["pages"]!["total"]!.GetValue<long>().Should().BeGreaterThanOrEqualTo(9);

        // Replace keeps the stored password when none is sent, and still never shows it.
        var put = await gateway.Http.PutAsJsonAsync("/api/connections/pg", new
        {
            type = "postgres", host = "127.0.0.1", port = gateway.Postgres.Port, database = "app", username = "app", ssl_mode = "disable",
        });
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        (await put.Content.ReadAsStringAsync()).Should().NotContain(GatewayFixture.AppPassword);

        await gateway.FlushRecordingAsync();
        foreach (var file in Directory.GetFiles(gateway.DataDirectory, "vigil.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory);
            var bytes = memory.ToArray();
            foreach (var secret in new[] { GatewayFixture.AppPassword, GatewayFixture.Md5Password, GatewayFixture.ClearPassword, GatewayFixture.Token })
            {
                bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)).Should().Be(-1, $"{Path.GetFileName(file)} must not hold a secret in plaintext");
            }
        }
    }

    [Fact]
    public async Task Sessions_filter_page_and_export()
    {
        for (var i = 0; i < 3; i++)
        {
            (await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection = "pg-md5", script = $"SELECT {i} AS \"a,b\"" })).EnsureSuccessStatusCode();
        }
        await gateway.FlushRecordingAsync();
        var page = JsonNode.Parse(await gateway.Http.GetStringAsync("/api/sessions?connection=pg-md5&type=exec&page_size=2&page=1"))!;
        page["pages"]!["total"]!.GetValue<long>().Should().BeGreaterThanOrEqualTo(3);
        page["pages"]!["size"]!.GetValue<int>().Should().Be(2);
        var data = page["data"]!.AsArray();
        data.Should().HaveCount(2);
        var times = data.Select(d => d!["started_at"]!.GetValue<string>()).ToList();
        times.Should().BeInDescendingOrder();
        data.Should().OnlyContain(d => d!["connection"]!.GetValue<string>() == "pg-md5" && d["type"]!.GetValue<string>() == "exec");

        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        JsonNode.Parse(await gateway.Http.GetStringAsync($"/api/sessions?connection=pg-md5&start_date={future}"))!["data"]!.AsArray().Should().BeEmpty();
        await ProblemAsync(await gateway.Http.GetAsync("/api/sessions?start_date=yesterday"), HttpStatusCode.BadRequest);
        await ProblemAsync(await gateway.Http.GetAsync("/api/sessions?type=ssh"), HttpStatusCode.BadRequest);

        var id = data[0]!["id"]!.GetValue<string>();
        var json = await gateway.Http.GetAsync($"/api/sessions/{id}/export?format=json");
        json.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        JsonNode.Parse(await json.Content.ReadAsStringAsync())!["events"]!.AsArray().Should().HaveCount(3);
        var csv = await gateway.Http.GetAsync($"/api/sessions/{id}/export?format=csv");
        csv.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("session_id,seq,at,kind,text,parameter_count,duration_us,command_tag,rows,sqlstate,message,risk_level,title,action,source,result_row_count,result_truncated,result,notices");
        lines[1].Should().StartWith($"{id},1,").And.Contain(",input,\"SELECT 2 AS \"\"a,b\"\"\"");
        await ProblemAsync(await gateway.Http.GetAsync($"/api/sessions/{id}/export?format=xml"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Exec_api_validates_its_body()
    {
        (await ProblemAsync(await gateway.Http.PostAsync("/api/sessions", Json("{\"script\":\"select 1\"}")), HttpStatusCode.BadRequest))["detail"]!
            .GetValue<string>().Should().Contain("connection");
        (await ProblemAsync(await gateway.Http.PostAsync("/api/sessions", Json("{\"connection\":\"pg\"}")), HttpStatusCode.BadRequest))["detail"]!
            .GetValue<string>().Should().Contain("script");
        await ProblemAsync(await gateway.Http.PostAsync("/api/sessions", Json("{\"connection\":\"nope\",\"script\":\"select 1\"}")), HttpStatusCode.NotFound);
        await ProblemAsync(await gateway.Http.PostAsync("/api/sessions", Json("not json")), HttpStatusCode.BadRequest);
    }
}
