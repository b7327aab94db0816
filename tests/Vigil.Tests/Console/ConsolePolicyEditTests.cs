using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Vigil.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Vigil.Tests.WebConsole;

/// <summary>Editing policies in the console in a real browser: masking rules, analyzer rules, the AI provider; auditors read only.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ConsolePolicyEditTests(GatewayFixture gateway, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    private async Task<Identities.Created> UserAsync(string role)
    {
        var user = await gateway.CreateUserAsync([role]);
        await gateway.SetPasswordAsync(user);
        return user;
    }

    [Fact]
    public async Task An_admin_creates_edits_and_deletes_a_masking_rule_and_sees_a_refusal_next_to_the_field()
    {
        var connection = await gateway.CreateConnectionAsync([await gateway.CreateGroupAsync()]);
        var admin = await UserAsync("admin");
        var name = Identities.Unique("mask");
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(admin.Name, "/policies");
        await page.GetByRole(AriaRole.Link, new() { Name = "New masking rule" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Connections").FillAsync(connection);
        await page.GetByLabel("Supported entity types (JSON)").FillAsync("""[{"name": "contact", "entity_types": ["EMAIL_ADDRESS", "SHOE_SIZE"]}]""");
        var refused = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Create masking rule" }).ClickAsync(), r => r.Request.Method == "POST");
        refused.Status.Should().Be(400);
        // The API's own message, under the field it names, tied to it for screen readers; what was typed is kept.
        var error = page.Locator("#f-supported-entity-types-error");
        await Expect(error).ToContainTextAsync("unknown entity type 'SHOE_SIZE'");
        await Expect(page.GetByLabel("Supported entity types (JSON)")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Supported entity types (JSON)")).ToHaveAttributeAsync("aria-describedby", new System.Text.RegularExpressions.Regex("f-supported-entity-types-error"));
        await Expect(page.GetByLabel("Name")).ToHaveValueAsync(name);
        await Expect(page.Locator("p.error")).ToHaveTextAsync("Not saved: see Supported entity types (JSON).");
        await page.ScreenshotAsync("policy-error");

        // A number that is not one is refused next to its field too.
        await page.GetByLabel("Supported entity types (JSON)").FillAsync("""[{"name": "contact", "entity_types": ["EMAIL_ADDRESS"]}]""");
        await page.GetByLabel("Score threshold").FillAsync("high");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create masking rule" }).ClickAsync();
        await Expect(page.Locator("#f-score-threshold-error")).ToHaveTextAsync("field 'score_threshold' must be a number");

        await page.GetByLabel("Score threshold").FillAsync("0.5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create masking rule" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToHaveTextAsync("Saved.");
        var stored = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/datamasking-rules/{name}"))!;
        stored["connection_names"]!.AsArray().Select(c => c!.GetValue<string>()).Should().Equal([connection]);
        stored["score_threshold"]!.GetValue<double>().Should().Be(0.5);

        // Edit: the form shows the stored rule; a change is saved through the API's PUT.
        await Expect(page.GetByLabel("Kubernetes Secrets")).ToHaveValueAsync("redact");
        await page.GetByLabel("Strategy").SelectOptionAsync("hash");
        await page.GetByLabel("Kubernetes Secrets").SelectOptionAsync("reveal");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Strategy")).ToHaveValueAsync("hash");
        await Expect(page.GetByLabel("Kubernetes Secrets")).ToHaveValueAsync("reveal");
        var edited = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/datamasking-rules/{name}"))!;
        edited["strategy"]!.GetValue<string>().Should().Be("hash");
        edited["kubernetes_secrets"]!.GetValue<string>().Should().Be("reveal");
        await page.ScreenshotAsync("policy-masking-rule");

        await page.GotoAsync("/policies");
        await page.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToHaveTextAsync($"Deleted masking rule {name}.");
        (await gateway.Http.GetAsync($"/api/datamasking-rules/{name}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = name })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_admin_edits_an_analyzer_rule_whose_name_stays()
    {
        var (connection, rule) = await gateway.CreateRuleOnNewConnectionAsync();
        var admin = await UserAsync("admin");
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(admin.Name, $"/policies/analyzer-rules/{rule}");
        await Expect(page.GetByLabel("Name")).ToHaveAttributeAsync("readonly", "");
        await Expect(page.GetByLabel("Connections")).ToHaveValueAsync(connection);
        await page.GetByLabel("Medium risk").SelectOptionAsync("block");
        await page.GetByLabel("Provider timeout (ms)").FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("#f-timeout-ms-error")).ToContainTextAsync("field 'timeout_ms' must be between");
        await page.GetByLabel("Provider timeout (ms)").FillAsync("2000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToBeVisibleAsync();
        var stored = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/ai/session-analyzer/rules/{rule}"))!;
        stored["risk_evaluation"]!["medium_risk_action"]!.GetValue<string>().Should().Be("block");
        stored["timeout_ms"]!.GetValue<int>().Should().Be(2000);
    }

    [Fact]
    public async Task An_auditor_sees_the_policies_without_edit_controls_and_a_forged_post_is_refused()
    {
        var connection = await gateway.CreateConnectionAsync([await gateway.CreateGroupAsync()]);
        var name = Identities.Unique("mask");
        (await gateway.Http.PostAsJsonAsync("/api/datamasking-rules", new
        {
            name, connection_names = new[] { connection }, supported_entity_types = new[] { new { name = "contact", entity_types = new[] { "EMAIL_ADDRESS" } } },
            kubernetes_secrets = "reveal",
        })).EnsureSuccessStatusCode();
        var auditor = await UserAsync("auditor");
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(auditor.Name, "/policies");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = name })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "New masking rule" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Set the AI provider" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
        await Expect(page.GetByLabel("Name")).ToHaveValueAsync(name);
        await Expect(page.GetByLabel("Name")).ToBeDisabledAsync();
        await Expect(page.GetByLabel("Kubernetes Secrets")).ToHaveValueAsync("reveal");
        await Expect(page.GetByLabel("Kubernetes Secrets")).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save changes" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete" })).ToHaveCountAsync(0);

        var csrf = (await context.CookiesAsync()).Single(c => c.Name == "vigil_csrf").Value;
        foreach (var path in new[] { $"/policies/masking-rules/{name}", $"/policies/masking-rules/{name}/delete", "/policies/masking-rules", "/policies/provider" })
        {
            var form = page.APIRequest.CreateFormData();
            form.Set("csrf_token", csrf);
            form.Set("name", name);
            form.Set("strategy", "null");
            form.Set("connection_names", connection);
            form.Set("provider", "openai");
            form.Set("model", "m");
            form.Set("api_key", "sk-forged-key-0000000000");
            var forged = await page.APIRequest.PostAsync(path, new() { Form = form });
            forged.Status.Should().Be(403, path);
        }
        (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/datamasking-rules/{name}"))!["strategy"]!.GetValue<string>().Should().Be("redact");
        (await gateway.Http.GetAsync("/api/ai/session-analyzer/providers")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await page.GotoAsync("/policies/provider"))!.Status.Should().Be(403);
    }

    [Fact]
    public async Task The_ai_provider_key_is_write_only()
    {
        const string key = "sk-console-test-key-0123456789";
        var admin = await UserAsync("admin");
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(admin.Name, "/policies");
        try
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Set the AI provider" }).ClickAsync();
            await Expect(page.GetByText("(not set)")).ToBeVisibleAsync();
            await page.GetByLabel("Provider").SelectOptionAsync("custom");
            await page.GetByLabel("Model").FillAsync("test-model");
            await page.GetByLabel("API key").FillAsync(key);
            await page.GetByRole(AriaRole.Button, new() { Name = "Set provider" }).ClickAsync();
            // Refused next to the field the API names; the typed key is not sent back.
            await Expect(page.Locator("#f-api-url-error")).ToHaveTextAsync("api_url is required for custom");
            await Expect(page.GetByLabel("API key")).ToHaveValueAsync("");
            (await page.ContentAsync()).Should().NotContain(key);

            await page.GetByLabel("API URL").FillAsync("http://127.0.0.1:9/v1");
            await page.GetByLabel("API key").FillAsync(key);
            await page.GetByRole(AriaRole.Button, new() { Name = "Set provider" }).ClickAsync();
            await Expect(page.Locator("p.saved")).ToBeVisibleAsync();
            await Expect(page.GetByText("(set; leave empty to keep it)")).ToBeVisibleAsync();
            await Expect(page.GetByLabel("API key")).ToHaveValueAsync("");
            (await page.ContentAsync()).Should().NotContain(key).And.NotContain(key[^4..]);

            // Saving without a key keeps the stored one.
            await page.GetByLabel("Model").FillAsync("other-model");
            await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
            await Expect(page.Locator("p.saved")).ToBeVisibleAsync();
            var stored = (await gateway.Http.GetFromJsonAsync<JsonObject>("/api/ai/session-analyzer/providers"))!;
            stored["model"]!.GetValue<string>().Should().Be("other-model");
            stored["api_key"]!.GetValue<string>().Should().Be("****" + key[^4..]);
            await page.ScreenshotAsync("policy-provider");
            await page.GotoAsync("/policies");
            await Expect(page.Locator("section[aria-labelledby=provider-title]")).ToContainTextAsync("custom · other-model");

            await page.GotoAsync("/policies/provider");
            await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
            await Expect(page.Locator("p.saved")).ToHaveTextAsync("Deleted AI provider.");
        }
        finally
        {
            // The gateway is shared: never leave a provider that other tests' analyses would call.
            await gateway.Http.DeleteAsync("/api/ai/session-analyzer/providers");
        }
        (await gateway.Http.GetAsync("/api/ai/session-analyzer/providers")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
