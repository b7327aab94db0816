using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Analysis;

/// <summary><c>/api/ai/session-analyzer/providers</c>: one provider, key encrypted at rest and never returned, admins only.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ProviderApiTests(GatewayFixture gateway)
{
    private const string Providers = "/api/ai/session-analyzer/providers";
    private const string Key = "sk-test-Secret-provider-key-7f3a9c";

    [Fact]
    public async Task Set_show_replace_delete_with_the_key_masked_and_encrypted_at_rest()
    {
        try
        {
            var created = await gateway.Http.PostAsJsonAsync(Providers, new { provider = "custom", model = "local-model", api_key = Key, api_url = "http://127.0.0.1:9/v1" });
            created.StatusCode.Should().Be(HttpStatusCode.Created);
            var body = await created.Content.ReadAsStringAsync();
            body.Should().NotContain(Key);
            var shown = await gateway.Http.GetFromJsonAsync<JsonNode>(Providers);
            shown!["provider"]!.GetValue<string>().Should().Be("custom");
            shown["model"]!.GetValue<string>().Should().Be("local-model");
            shown["api_url"]!.GetValue<string>().Should().Be("http://127.0.0.1:9/v1");
            shown["api_key"]!.GetValue<string>().Should().Be("****" + Key[^4..]);
            shown.ToJsonString().Should().NotContain(Key[..12]);

            var replaced = await gateway.Http.PostAsJsonAsync(Providers, new { provider = "anthropic", model = "claude-test", api_key = Key });
            replaced.StatusCode.Should().Be(HttpStatusCode.OK);
            (await gateway.Http.GetFromJsonAsync<JsonNode>(Providers))!["provider"]!.GetValue<string>().Should().Be("anthropic");

            foreach (var file in Directory.GetFiles(gateway.DataDirectory, "vigil.db*"))
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var reader = new StreamReader(stream, Encoding.Latin1);
                (await reader.ReadToEndAsync()).Should().NotContain(Key, $"{Path.GetFileName(file)} must hold the key encrypted");
            }
            var audit = await gateway.Http.GetFromJsonAsync<JsonNode>("/api/audit/logs?resource_type=ai/session-analyzer/providers&page_size=5");
            audit!["data"]!.AsArray().Should().NotBeEmpty();
            audit.ToJsonString().Should().NotContain(Key).And.Contain("[REDACTED]");
            var events = await gateway.Http.GetFromJsonAsync<JsonNode>("/api/analytics/events?type=ai.provider.updated&page_size=1");
            events!["data"]![0]!["data"]!["model"]!.GetValue<string>().Should().Be("claude-test");
            events.ToJsonString().Should().NotContain(Key);
        }
        finally
        {
            await gateway.Http.DeleteAsync(Providers);
        }
        (await gateway.Http.GetAsync(Providers)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.DeleteAsync(Providers)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"provider":"gemini","model":"m","api_key":"k"}""", "provider")]
    [InlineData("""{"provider":"openai","api_key":"k"}""", "model")]
    [InlineData("""{"provider":"openai","model":"m"}""", "api_key")]
    [InlineData("""{"provider":"azure-openai","model":"m","api_key":"k"}""", "api_url")]
    [InlineData("""{"provider":"custom","model":"m","api_key":"k"}""", "api_url")]
    [InlineData("""{"provider":"custom","model":"m","api_key":"k","api_url":"not a url"}""", "api_url")]
    [InlineData("""{"provider":"openai","model":"m","api_key":"k","api_url":"ftp://example.com"}""", "api_url")]
    [InlineData("""[1,2""", "invalid JSON")]
    public async Task Bad_provider_settings_are_400_naming_the_field(string body, string field)
    {
        var response = await gateway.Http.PostAsync(Providers, new StringContent(body, Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain(field);
        (await gateway.Http.GetAsync(Providers)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_admins_may_see_or_change_the_provider()
    {
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        var standard = await gateway.CreateUserAsync([]);
        foreach (var token in new[] { auditor.Token, standard.Token })
        {
            using var client = gateway.ClientFor(token);
            (await client.GetAsync(Providers)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await client.PostAsJsonAsync(Providers, new { provider = "openai", model = "m", api_key = "k" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await client.DeleteAsync(Providers)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
        using var anonymous = gateway.ClientFor(null);
        (await anonymous.GetAsync(Providers)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
