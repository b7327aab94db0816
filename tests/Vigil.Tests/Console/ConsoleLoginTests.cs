using Microsoft.Playwright;
using Vigil.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Vigil.Tests.WebConsole;

/// <summary>The password login's return path in a real browser: back to the page asked for, never to another site.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ConsoleLoginTests(GatewayFixture gateway, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task A_password_login_returns_to_the_page_asked_for()
    {
        var user = await gateway.CreateUserAsync([]);
        await gateway.SetPasswordAsync(user);
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(user.Name, "/reviews?status=pending");
        new Uri(page.Url).PathAndQuery.Should().Be("/reviews?status=pending");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Reviews", Exact = true })).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData("https://evil.example/reviews")]
    [InlineData("//evil.example/reviews")]
    [InlineData("/\t/evil.example/reviews")]
    public async Task A_password_login_never_returns_off_the_site(string returnTo)
    {
        var user = await gateway.CreateUserAsync([]);
        await gateway.SetPasswordAsync(user);
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login?return_to=" + Uri.EscapeDataString(returnTo));
        await page.GetByLabel("E-mail").FillAsync(user.Name);
        await page.GetByLabel("Password").FillAsync(ConsoleBrowser.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        page.Url.Should().Be(gateway.HttpAddress.TrimEnd('/') + "/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
    }
}
