using Microsoft.Playwright;
using Vigil.Hosting;
using Vigil.Identity.Oidc;
using Vigil.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Vigil.Tests.WebConsole;

/// <summary>
/// Single sign-on from the console's login page in a real browser: a gateway configured against the test OIDC
/// provider (which answers the authorization request at once, as a provider with a remembered login does).
/// </summary>
public sealed class ConsoleSingleSignOnTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "vigil-console-sso-" + Guid.NewGuid().ToString("N")[..8]);
    private OidcProvider _provider = null!;
    private WebApplication _app = null!;
    private string _gateway = "";

    public async Task InitializeAsync()
    {
        _provider = await OidcProvider.StartAsync();
        _app = GatewayHost.Build(new GatewayOptions
        {
            DataDirectory = _data, HttpListen = "127.0.0.1:0", PgListen = "127.0.0.1:0", SshListen = "127.0.0.1:0", AdminToken = GatewayFixture.Token,
            Oidc = new OidcOptions(new Uri(_provider.Issuer), "vigil") { KeyRefreshInterval = TimeSpan.Zero },
        });
        await GatewayHost.BootstrapAsync(_app, CancellationToken.None);
        await _app.StartAsync();
        _gateway = GatewayHost.HttpAddress(_app);
        _provider.Settings.RedirectUris.Add(_gateway + "/api/callback");
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _provider.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Signs_in_through_the_identity_provider_back_to_the_page_asked_for_and_out_again()
    {
        await using var context = await chromium.NewContextAsync(_gateway);
        var page = await context.NewPageAsync();
        // A review link from a chat message: the login page, then the provider, then that page.
        await page.GotoAsync("/reviews?status=pending");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with single sign-on" }).ClickAsync();
        await page.WaitForAddressAsync(url => new Uri(url).PathAndQuery == "/reviews?status=pending");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Reviews", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator(".who .user")).ToHaveTextAsync("ada@example.com");
        await Expect(page.Locator(".who .role")).ToHaveTextAsync("standard");

        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await page.WaitForAddressAsync(url => url.Contains("/login", StringComparison.Ordinal));
        await Expect(page.GetByLabel("E-mail")).ToBeVisibleAsync();
        (await context.CookiesAsync()).Should().NotContain(c => c.Name == "vigil_session");
        var again = await page.GotoAsync("/sessions");
        again!.Url.Should().Contain("/login?return_to=%2Fsessions");
    }

    [Theory]
    [InlineData("https://evil.example/reviews")]
    [InlineData("//evil.example/reviews")]
    [InlineData("/\t/evil.example/reviews")]
    public async Task A_single_sign_on_return_path_off_this_site_ends_on_the_overview(string returnTo)
    {
        await using var context = await chromium.NewContextAsync(_gateway);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login/sso?return_to=" + Uri.EscapeDataString(returnTo));
        await page.WaitForAddressAsync(url => new Uri(url).AbsolutePath == "/" && !url.Contains("/api/", StringComparison.Ordinal));
        new Uri(page.Url).Authority.Should().Be(new Uri(_gateway).Authority);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
    }
}
