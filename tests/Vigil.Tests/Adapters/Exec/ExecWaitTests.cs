using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Exec;

/// <summary><c>wait_seconds</c> on <c>POST /api/sessions</c>: a run that outlasts it answers 202 <c>running</c> and goes on to the end.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ExecWaitTests(GatewayFixture gateway)
{
    [Fact]
    public async Task A_command_longer_than_the_wait_answers_running_then_finishes_in_the_background()
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection = "pg", script = "select pg_sleep(1), 'late' as w", wait_seconds = 0.2 });

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["status"]!.GetValue<string>().Should().Be("running");
        body["exit_code"].Should().BeNull();
        var id = body["id"]!.GetValue<string>();
        response.Headers.Location!.ToString().Should().Be($"/api/sessions/{id}");
        (await gateway.Http.GetFromJsonAsync<JsonNode>($"/api/sessions/{id}"))!["status"]!.GetValue<string>().Should().Be("open");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        JsonNode session;
        do
        {
            await Task.Delay(200);
            await gateway.FlushRecordingAsync();
            session = (await gateway.Http.GetFromJsonAsync<JsonNode>($"/api/sessions/{id}"))!;
        }
        while (session["status"]!.GetValue<string>() == "open" && DateTime.UtcNow < deadline);
        session["status"]!.GetValue<string>().Should().Be("done", session.ToJsonString());
        session["output"]!.GetValue<string>().Should().Contain("late");
    }

    [Fact]
    public async Task A_command_within_the_wait_answers_as_usual()
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection = "pg", script = "select 1 as one", wait_seconds = 30 });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<JsonNode>())!["status"]!.GetValue<string>().Should().Be("done");
    }

    [Theory]
    [InlineData("{\"connection\":\"pg\",\"script\":\"select 1\",\"wait_seconds\":-1}", "wait_seconds")]
    [InlineData("{\"connection\":\"pg\",\"script\":\"select 1\",\"wait_seconds\":301}", "wait_seconds")]
    [InlineData("{\"connection\":\"pg\",\"script\":\"select 1\",\"type\":\"connect\"}", "type")]
    [InlineData("{\"connection\":\"pg\",\"script\":\"select 1\",\"tool\":\"exec\"}", "type mcp")]
    public async Task Bad_exec_options_are_refused_naming_the_field(string json, string named)
    {
        var response = await gateway.Http.PostAsync("/api/sessions", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain(named);
    }

    [Fact]
    public async Task A_client_address_header_without_the_gateways_own_secret_is_ignored()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = JsonContent.Create(new { connection = "pg", script = "select 'spoof' as s" }) };
        request.Headers.Add("Vigil-Internal", "guessed");
        request.Headers.Add("Vigil-Client-Address", "10.9.8.7:4242");

        var response = await gateway.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var id = (await response.Content.ReadFromJsonAsync<JsonNode>())!["id"]!.GetValue<string>();
        await gateway.FlushRecordingAsync();
        var session = (await gateway.Http.GetFromJsonAsync<JsonNode>($"/api/sessions/{id}"))!;
        session["client_address"]!.GetValue<string>().Should().StartWith("127.0.0.1:");
    }
}
