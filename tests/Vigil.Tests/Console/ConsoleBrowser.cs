using System.Net.Http.Json;
using Microsoft.Playwright;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.WebConsole;

/// <summary>Console test steps done the way a person does them: through the login form, links, buttons and labelled fields.</summary>
public static class ConsoleBrowser
{
    public const string Password = "Console-test-pw-2026";

    /// <summary>Gives <paramref name="user"/> the console password <see cref="Password"/> (admin API).</summary>
    public static async Task SetPasswordAsync(this GatewayFixture gateway, Identities.Created user)
    {
        var response = await gateway.Http.PatchAsJsonAsync($"/api/users/{user.Id}", new { password = Password });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Opens <paramref name="path"/>, which redirects to the login page, signs in and lands back on it.</summary>
    public static async Task<IPage> SignInAsync(this IBrowserContext context, string email, string path = "/sessions", string password = Password)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await page.WaitForURLAsync(url => url.Contains("/login", StringComparison.Ordinal));
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        return page;
    }

    /// <summary>
    /// Waits until the page's address satisfies <paramref name="matches"/> (polled every 50 ms, 30 s at most). Unlike
    /// Playwright's WaitForURLAsync it does not then wait for the document's load event, which after a redirect chain
    /// through another origin (single sign-on) was sometimes never reported; what the page shows is checked by the
    /// auto-waiting assertions that follow.
    /// </summary>
    public static async Task WaitForAddressAsync(this IPage page, Func<string, bool> matches)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!matches(page.Url))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the page stayed at {page.Url}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Saves a full-page screenshot as <c>NAME.png</c> in the folder named by <c>VIGIL_SCREENSHOTS</c> (e.g.
    /// <c>docs/screenshots</c>); does nothing when it is unset, so ordinary test runs leave the repository alone.
    /// </summary>
    public static async Task ScreenshotAsync(this IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("VIGIL_SCREENSHOTS") is not { Length: > 0 } folder)
        {
            return;
        }
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}
