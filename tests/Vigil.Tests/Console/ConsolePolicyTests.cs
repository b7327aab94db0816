using System.Net.Http.Json;
using Microsoft.Playwright;
using Vigil.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Vigil.Tests.WebConsole;

/// <summary>The policies page's analyzer "try it" in a real browser.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ConsolePolicyTests(GatewayFixture gateway, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
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
