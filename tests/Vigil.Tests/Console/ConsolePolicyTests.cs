using System.Net.Http.Json;
using Microsoft.Playwright;
using Vigil.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Vigil.Tests.WebConsole;

/// <summary>The connections page (what the caller may use, secrets as set/unset) and the policies page's analyzer "try it" in a real browser.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ConsolePolicyTests(GatewayFixture gateway, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task A_user_sees_the_connections_they_may_use_with_secrets_only_as_set()
    {
        var group = await gateway.CreateGroupAsync();
        var mine = await gateway.CreateConnectionAsync([group]);
        var notMine = await gateway.CreateConnectionAsync([await gateway.CreateGroupAsync()]);
        var user = await gateway.CreateUserAsync([group]);
        await gateway.SetPasswordAsync(user);

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(user.Name, "/connections");
        var row = page.Locator("table.connections tbody tr").Filter(new() { HasText = mine });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("password set");
        await Expect(row).ToContainTextAsync(group);
        await Expect(page.Locator("table.connections")).Not.ToContainTextAsync(notMine);
        (await page.ContentAsync()).Should().NotContain(GatewayFixture.AppPassword);
        await page.ScreenshotAsync("connections");
    }

    [Fact]
    public async Task An_admin_creates_and_edits_a_connection_and_an_auditor_cannot()
    {
        var admin = await gateway.CreateUserAsync(["admin"]);
        await gateway.SetPasswordAsync(admin);
        var group = await gateway.CreateGroupAsync();
        var reviewers = await gateway.CreateGroupAsync();
        var member = await gateway.CreateUserAsync([group]);
        var name = Identities.Unique("console-conn");

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(admin.Name, "/connections");
        await page.GetByRole(AriaRole.Link, new() { Name = "New connection" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Host").FillAsync("127.0.0.1");
        await page.GetByLabel("Port").FillAsync("not-a-port");
        await page.GetByLabel("Database").FillAsync("app");
        await page.GetByLabel("User name").FillAsync("app");
        await page.GetByLabel("Password").FillAsync(GatewayFixture.AppPassword);
        await page.GetByLabel("TLS to the target").SelectOptionAsync("disable");
        await page.GetByLabel("Groups who may use it").FillAsync(group);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create connection" }).ClickAsync();
        // Refused with the field named; what was typed (but the password) is still there.
        await Expect(page.Locator("p.error")).ToHaveTextAsync("field 'port' must be a whole number");
        await Expect(page.GetByLabel("Host")).ToHaveValueAsync("127.0.0.1");
        await Expect(page.GetByLabel("Password")).ToHaveValueAsync("");
        await page.GetByLabel("Port").FillAsync(gateway.Postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Password").FillAsync(GatewayFixture.AppPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create connection" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToHaveTextAsync("Saved.");
        await Expect(page.GetByLabel("Password")).ToHaveValueAsync("");
        (await page.ContentAsync()).Should().NotContain(GatewayFixture.AppPassword);

        // Edit: reviewers and approvals change; the empty password field keeps the stored password.
        await page.GetByLabel("Reviewer groups").FillAsync(reviewers);
        await page.GetByLabel("Approvals needed").FillAsync("2");
        await page.GetByLabel("Every one-off command is reviewed").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Test connectivity" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToContainTextAsync("Connected: PostgreSQL ");
        await page.ScreenshotAsync("connection");
        var stored = (await gateway.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/connections/{name}"))!;
        stored["min_approvals"]!.GetValue<int>().Should().Be(2);
        stored["review_groups"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Equal([reviewers]);
        stored["require_review_for_exec"]!.GetValue<bool>().Should().BeTrue();
        stored["has_password"]!.GetValue<bool>().Should().BeTrue();
        await using (var db = new Npgsql.NpgsqlConnection(gateway.ProxyConnectionStringFor(name, member.Token)))
        {
            await db.OpenAsync();
            (await new Npgsql.NpgsqlCommand("SELECT count(*) FROM items WHERE id = 1", db).ExecuteScalarAsync()).Should().Be(1L, "the kept password still logs in");
        }

        var auditor = await gateway.CreateUserAsync(["auditor"]);
        await gateway.SetPasswordAsync(auditor);
        await gateway.Http.PatchAsJsonAsync($"/api/connections/{name}", new { access_groups = new[] { group, "auditor" } });
        await using var auditorContext = await chromium.NewContextAsync(gateway.HttpAddress);
        var auditorPage = await auditorContext.SignInAsync(auditor.Name, $"/connections/{name}");
        await Expect(auditorPage.GetByRole(AriaRole.Button, new() { Name = "Save changes" })).ToHaveCountAsync(0);
        await Expect(auditorPage.GetByLabel("Host")).ToBeDisabledAsync();
        var csrf = (await auditorContext.CookiesAsync()).Single(c => c.Name == "vigil_csrf").Value;
        var form = auditorPage.APIRequest.CreateFormData();
        form.Set("csrf_token", csrf);
        form.Set("host", "evil.example");
        var forged = await auditorPage.APIRequest.PostAsync($"/connections/{name}", new() { Form = form });
        forged.Status.Should().Be(403);
        (await gateway.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/connections/{name}"))!["host"]!.GetValue<string>().Should().Be("127.0.0.1");

        // A target that refuses: the test says why.
        await using var adminAgain = await chromium.NewContextAsync(gateway.HttpAddress);
        var broken = await adminAgain.SignInAsync(admin.Name, "/connections/pg-wrong-password");
        await broken.GetByRole(AriaRole.Button, new() { Name = "Test connectivity" }).ClickAsync();
        await Expect(broken.Locator("p.error")).ToContainTextAsync("Connection test failed:");
    }

    [Fact]
    public async Task Try_it_classifies_a_command_without_running_it_and_auditors_also_see_the_rules()
    {
        var (connection, rule) = await gateway.CreateRuleOnNewConnectionAsync();
        var group = await gateway.CreateGroupAsync();
        await ReviewScenario.PatchConnectionAsync(gateway, connection, new { access_groups = new[] { group } });
        var hidden = await gateway.CreateConnectionAsync([]);
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        await gateway.SetPasswordAsync(auditor);
        var member = await gateway.CreateUserAsync([group]);
        await gateway.SetPasswordAsync(member);

        await using (var context = await chromium.NewContextAsync(gateway.HttpAddress))
        {
            var page = await context.SignInAsync(auditor.Name, "/policies");
            await Expect(page.Locator("#rules-title + .table-wrap tr").Filter(new() { HasText = rule })).ToContainTextAsync(connection);
            await page.GetByLabel("Command").FillAsync("DROP TABLE items");
            await page.GetByLabel("Static analyzer only (no AI provider)").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Analyze" }).ClickAsync();
            await Expect(page.Locator(".verdict-result .badge.risk-high")).ToBeVisibleAsync();
            await Expect(page.GetByLabel("Command")).ToHaveValueAsync("DROP TABLE items");
            await page.ScreenshotAsync("policies");
        }
        await using (var context = await chromium.NewContextAsync(gateway.HttpAddress))
        {
            var page = await context.SignInAsync(member.Name, "/policies");
            await Expect(page.Locator("#rules-title")).ToHaveCountAsync(0);
            await page.GetByLabel("Command").FillAsync("DROP TABLE items");
            await page.GetByLabel("Connection (its rule and type)").SelectOptionAsync(connection);
            await page.GetByLabel("Static analyzer only (no AI provider)").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Analyze" }).ClickAsync();
            var verdict = page.Locator(".verdict-result");
            await Expect(verdict.Locator(".badge.risk-high")).ToBeVisibleAsync();
            await Expect(verdict).ToContainTextAsync("block");
            await Expect(verdict).ToContainTextAsync(rule);
            await Expect(page.Locator("#try-connection option")).Not.ToContainTextAsync([hidden]);
            // A connection the user may not see is refused as the API refuses it.
            var csrf = (await context.CookiesAsync()).Single(c => c.Name == "vigil_csrf").Value;
            var form = page.APIRequest.CreateFormData();
            form.Set("csrf_token", csrf);
            form.Set("input", "SELECT 1");
            form.Set("connection", hidden);
            var refused = await page.APIRequest.PostAsync("/policies/try", new() { Form = form });
            refused.Status.Should().Be(404);
        }
        // Nothing ran: the table is still there.
        await using var db = new Npgsql.NpgsqlConnection(gateway.DirectConnectionString());
        await db.OpenAsync();
        (await new Npgsql.NpgsqlCommand("SELECT to_regclass('items') IS NOT NULL", db).ExecuteScalarAsync()).Should().Be(true);
    }
}
