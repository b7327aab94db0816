using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Vigil.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Vigil.Tests.WebConsole;

/// <summary>Users, service accounts, groups and tokens in the console in a real browser.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ConsoleIdentityTests(GatewayFixture gateway, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task An_admin_creates_a_group_and_a_user_in_it_then_disables_the_user()
    {
        var admin = await gateway.CreateUserAsync(["admin"]);
        await gateway.SetPasswordAsync(admin);
        var group = Identities.Unique("grp");
        var email = Identities.Unique("person") + "@example.com";
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(admin.Name, "/groups");
        await page.GetByLabel("Group name").FillAsync("Not A Group");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await Expect(page.Locator("#f-name-error")).ToContainTextAsync("field 'name' must be 1-63 lower-case letters");
        await page.GetByLabel("Group name").FillAsync(group);
        await page.GetByLabel("Description").FillAsync("made in the console");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create group" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToHaveTextAsync($"Created group {group}.");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Identities" }).GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "New user" }).ClickAsync();
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Groups").FillAsync($"{group}, no-such-group-x");
        await page.GetByLabel("Password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(page.Locator("#f-groups-error")).ToContainTextAsync("unknown group(s) 'no-such-group-x'");
        await Expect(page.GetByLabel("Password")).ToHaveValueAsync("");
        await page.GetByLabel("Groups").FillAsync(group);
        await page.GetByLabel("Password").FillAsync(ConsoleBrowser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToBeVisibleAsync();
        await Expect(page.GetByText("(set; leave empty to keep it)")).ToBeVisibleAsync();
        var id = new Uri(page.Url).AbsolutePath.Split('/')[^1];
        var stored = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/users/{id}"))!;
        stored["groups"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Equal([group]);
        stored["has_password"]!.GetValue<bool>().Should().BeTrue();

        // Disable: the account can no longer sign in.
        await page.GetByLabel("Status").SelectOptionAsync("inactive");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToBeVisibleAsync();
        (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/users/{id}"))!["status"]!.GetValue<string>().Should().Be("inactive");
        await page.GotoAsync("/users");
        await Expect(page.Locator("table.accounts tr").Filter(new() { HasText = email })).ToContainTextAsync("inactive");
        await page.ScreenshotAsync("users");
        await page.GotoAsync("/groups");
        await Expect(page.Locator("table.groups tr").Filter(new() { HasText = group })).ToContainTextAsync(email);
        await page.ScreenshotAsync("groups");

        await using var other = await chromium.NewContextAsync(gateway.HttpAddress);
        var login = await other.NewPageAsync();
        await login.GotoAsync("/login");
        await login.GetByLabel("E-mail").FillAsync(email);
        await login.GetByLabel("Password").FillAsync(ConsoleBrowser.Password);
        await login.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(login.Locator("p.error")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_token_secret_is_shown_once_and_the_token_can_be_revoked()
    {
        var connection = await gateway.CreateConnectionAsync([await gateway.CreateGroupAsync()]);
        var user = await gateway.CreateUserAsync([]);
        await gateway.SetPasswordAsync(user);
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(user.Name, "/tokens");
        // Standard users make tokens for themselves only: no owner fields.
        await Expect(page.GetByLabel("For service account")).ToHaveCountAsync(0);
        await page.GetByLabel("Token name").FillAsync("console test");
        await page.GetByLabel("Expires in").FillAsync("soon");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        await Expect(page.Locator("#f-expires-in-error")).ToContainTextAsync("field 'expires_in' must be a duration");
        await page.GetByLabel("Expires in").FillAsync("1h");
        await page.GetByLabel("Only these connections").FillAsync(connection);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var secret = await page.GetByLabel("Token", new() { Exact = true }).InputValueAsync();
        secret.Should().StartWith("vgl_");
        await Expect(page.Locator("table.tokens")).ToContainTextAsync("console test");
        await page.ScreenshotAsync("tokens");

        using var api = new HttpClient { BaseAddress = new Uri(gateway.HttpAddress) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        (await api.GetAsync("/api/userinfo")).StatusCode.Should().Be(HttpStatusCode.OK);

        // Never again: the list, a reload, the API.
        await page.GotoAsync("/tokens");
        (await page.ContentAsync()).Should().NotContain(secret);
        await Expect(page.GetByLabel("Token", new() { Exact = true })).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke token console test" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToContainTextAsync("Revoked token");
        await Expect(page.Locator("table.tokens tr").Filter(new() { HasText = "console test" })).ToHaveCountAsync(0);
        (await api.GetAsync("/api/userinfo")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Identity_pages_are_for_admins_only_as_in_the_api()
    {
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        await gateway.SetPasswordAsync(auditor);
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(auditor.Name, "/tokens");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Users" })).ToHaveCountAsync(0);
        foreach (var path in new[] { "/users", "/users/new", "/service-accounts", "/groups" })
        {
            (await page.GotoAsync(path))!.Status.Should().Be(403, path);
        }
        var csrf = (await context.CookiesAsync()).Single(c => c.Name == "vigil_csrf").Value;
        var name = Identities.Unique("forged");
        foreach (var path in new[] { "/users", "/service-accounts", "/groups" })
        {
            var form = page.APIRequest.CreateFormData();
            form.Set("csrf_token", csrf);
            form.Set("email", name + "@example.com");
            form.Set("name", name);
            form.Set("groups", "admin");
            var forged = await page.APIRequest.PostAsync(path, new() { Form = form });
            forged.Status.Should().Be(403, path);
        }
        (await gateway.Http.GetAsync($"/api/groups/{name}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.GetAsync($"/api/serviceaccounts/{name}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_new_pages_fit_a_phone_and_every_field_has_a_label()
    {
        var admin = await gateway.CreateUserAsync(["admin"]);
        await gateway.SetPasswordAsync(admin);
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress, width: 390, height: 844);
        var page = await context.SignInAsync(admin.Name, "/tokens");
        foreach (var path in new[]
        {
            "/policies/masking-rules/new", "/policies/analyzer-rules/new", "/policies/guardrails/new", "/policies/provider",
            "/users", "/users/new", "/service-accounts/new", "/groups", "/tokens",
        })
        {
            (await page.GotoAsync(path))!.Status.Should().Be(200, path);
            (await page.EvaluateAsync<string>(
                "() => Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.parentElement.closest('.table-wrap')).map(e => e.tagName + '.' + e.className).join(' ')"))
                .Should().BeEmpty($"nothing on {path} sticks out sideways on a phone");
            (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).Should().BeTrue($"{path} does not scroll sideways on a phone");
            (await page.EvaluateAsync<string[]>(
                "() => Array.from(document.querySelectorAll('main input:not([type=hidden]), main select, main textarea')).filter(e => e.labels.length === 0).map(e => e.name)"))
                .Should().BeEmpty($"every field of {path} has a label");
        }
        // Keyboard: from the first field, Tab walks the form in order.
        await page.GotoAsync("/policies/masking-rules/new");
        await page.GetByLabel("Name").FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("Description")).ToBeFocusedAsync();
    }
}
