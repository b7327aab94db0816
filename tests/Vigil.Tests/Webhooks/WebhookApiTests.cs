using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Webhooks;

/// <summary>The <c>/api/webhooks</c> management API on the shared gateway: CRUD, validation, admin-only, secrets shown once.</summary>
[Collection(GatewayCollection.Name)]
public sealed class WebhookApiTests(GatewayFixture gateway)
{
    private static object Body(string url = "https://hooks.example.com/vigil", string[]? types = null, string? format = null, string? description = null) =>
        new { url, event_types = types ?? ["review.created"], format, description };

    private async Task<JsonObject> CreateAsync(object body)
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/webhooks", body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    [Fact]
    public async Task Create_list_show_update_and_delete()
    {
        var created = await CreateAsync(Body(types: ["review.created", "review.approved", "review.created"], description: "on-call"));
        var id = created["id"]!.GetValue<string>();
        created["url"]!.GetValue<string>().Should().Be("https://hooks.example.com/vigil");
        created["event_types"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal("review.created", "review.approved");
        created["format"]!.GetValue<string>().Should().Be("standard", "standard is the default");
        created["description"]!.GetValue<string>().Should().Be("on-call");
        created["created_at"]!.GetValue<string>().Should().EndWith("Z");
        var secret = created["secret"]!.GetValue<string>();
        secret.Should().StartWith("whsec_");
        Convert.FromBase64String(secret["whsec_".Length..]).Should().HaveCount(32);

        var shown = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/webhooks/{id}"))!;
        shown.ContainsKey("secret").Should().BeFalse();
        shown["url"]!.GetValue<string>().Should().Be("https://hooks.example.com/vigil");

        var list = (await gateway.Http.GetFromJsonAsync<JsonObject>("/api/webhooks?page_size=1000"))!;
        list["pages"]!["total"]!.GetValue<long>().Should().BeGreaterThanOrEqualTo(1);
        var listed = list["data"]!.AsArray().Single(w => w!["id"]!.GetValue<string>() == id)!.AsObject();
        listed.ContainsKey("secret").Should().BeFalse();
        list.ToJsonString().Should().NotContain("whsec_");

        var updated = await gateway.Http.PutAsJsonAsync($"/api/webhooks/{id}", Body("http://chat.example.com/x", ["*"], "slack"));
        updated.StatusCode.Should().Be(HttpStatusCode.OK);
        var after = (await updated.Content.ReadFromJsonAsync<JsonObject>())!;
        after["format"]!.GetValue<string>().Should().Be("slack");
        after["event_types"]!.AsArray().Select(t => t!.GetValue<string>()).Should().Equal("*");
        after["description"].Should().BeNull();
        after.ContainsKey("secret").Should().BeFalse();

        (await gateway.Http.DeleteAsync($"/api/webhooks/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await gateway.Http.GetAsync($"/api/webhooks/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.DeleteAsync($"/api/webhooks/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.PutAsJsonAsync($"/api/webhooks/{id}", Body())).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.PostAsync($"/api/webhooks/{id}/rotate-secret", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.GetAsync($"/api/webhooks/{id}/deliveries")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"event_types":["review.created"]}""", "field 'url' is required")]
    [InlineData("""{"url":"/relative","event_types":["review.created"]}""", "absolute http:// or https://")]
    [InlineData("""{"url":"ftp://example.com/x","event_types":["review.created"]}""", "absolute http:// or https://")]
    [InlineData("""{"url":"https://example.com/x"}""", "field 'event_types' must list at least one")]
    [InlineData("""{"url":"https://example.com/x","event_types":[]}""", "field 'event_types' must list at least one")]
    [InlineData("""{"url":"https://example.com/x","event_types":["review.created","user.deleted"]}""", "unknown event type 'user.deleted'")]
    [InlineData("""{"url":"https://example.com/x","event_types":["review.created"],"format":"discord"}""", "field 'format' must be one of standard, slack, teams")]
    [InlineData("""{"url":"https://example.com/x","event_types":"review.created"}""", "invalid JSON at field 'event_types'")]
    public async Task Invalid_bodies_are_400_problems_naming_the_field(string body, string detail)
    {
        var response = await gateway.Http.PostAsync("/api/webhooks", new StringContent(body, Encoding.UTF8, "application/json"));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>().Should().Contain(detail);
    }

    [Fact]
    public async Task A_url_longer_than_2048_characters_is_refused()
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/webhooks", Body("https://example.com/" + new string('a', 2040)));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>().Should().Contain("at most 2048");
    }

    [Fact]
    public async Task Only_admins_may_manage_webhooks()
    {
        var id = (await CreateAsync(Body()))["id"]!.GetValue<string>();
        var user = await gateway.CreateUserAsync([]);
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        foreach (var token in new[] { user.Token, auditor.Token })
        {
            using var client = gateway.ClientFor(token);
            (await client.PostAsJsonAsync("/api/webhooks", Body())).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await client.GetAsync("/api/webhooks")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await client.GetAsync($"/api/webhooks/{id}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await client.PutAsJsonAsync($"/api/webhooks/{id}", Body())).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await client.DeleteAsync($"/api/webhooks/{id}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await client.PostAsync($"/api/webhooks/{id}/rotate-secret", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await client.GetAsync($"/api/webhooks/{id}/deliveries")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            var replay = await client.PostAsync($"/api/webhooks/{id}/deliveries/msg_x/replay", null);
            replay.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await replay.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>().Should().Contain("only admins");
        }
        using var anonymous = gateway.ClientFor(null);
        (await anonymous.GetAsync("/api/webhooks")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await gateway.Http.GetAsync($"/api/webhooks/{id}")).StatusCode.Should().Be(HttpStatusCode.OK, "nothing changed");
    }

    [Fact]
    public async Task Secrets_are_shown_once_encrypted_at_rest_and_never_audited()
    {
        var created = await CreateAsync(Body());
        var id = created["id"]!.GetValue<string>();
        var first = created["secret"]!.GetValue<string>();

        var rotated = await gateway.Http.PostAsync($"/api/webhooks/{id}/rotate-secret", null);
        rotated.StatusCode.Should().Be(HttpStatusCode.OK);
        var second = (await rotated.Content.ReadFromJsonAsync<JsonObject>())!["secret"]!.GetValue<string>();
        second.Should().StartWith("whsec_").And.NotBe(first);
        (await gateway.Http.GetStringAsync($"/api/webhooks/{id}")).Should().NotContain("whsec_");

        var audit = await gateway.Http.GetStringAsync("/api/audit/logs?resource_type=webhooks&page_size=1000");
        audit.Should().Contain(id, "webhook changes are audited").And.Contain("rotate-secret");
        audit.Should().NotContain(first).And.NotContain(second).And.NotContain("whsec_");

        foreach (var file in Directory.GetFiles(gateway.DataDirectory, "vigil.db*"))
        {
            var bytes = await ReadSharedAsync(file);
            foreach (var secret in new[] { first, second })
            {
                bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)).Should().Be(-1, $"{Path.GetFileName(file)} must not hold a secret in clear");
                bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret["whsec_".Length..])).Should().Be(-1);
            }
        }
    }

    [Fact]
    public async Task A_chat_webhook_url_is_a_credential_masked_in_answers_and_encrypted_at_rest()
    {
        const string url = "https://hooks.slack.example/services/T0001/B0002/xoxbSecretPath123456";
        var response = await gateway.Http.PostAsJsonAsync("/api/webhooks", new { url, event_types = new[] { "review.created" }, format = "slack" });
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        try
        {
            var shown = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/webhooks/{id}"))!;
            shown["url"]!.GetValue<string>().Should().Be("https://hooks.slack.example/…");
            (await gateway.Http.GetStringAsync("/api/webhooks?page_size=1000")).Should().NotContain("xoxbSecretPath");
            (await gateway.Http.GetStringAsync("/api/audit/logs?resource_type=webhooks&page_size=1000")).Should().NotContain("xoxbSecretPath");
            foreach (var file in Directory.GetFiles(gateway.DataDirectory, "vigil.db*"))
            {
                (await ReadSharedAsync(file)).AsSpan().IndexOf("xoxbSecretPath"u8).Should().Be(-1, $"{Path.GetFileName(file)} must not hold the URL in clear");
            }
        }
        finally
        {
            await gateway.Http.DeleteAsync($"/api/webhooks/{id}");
        }
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
