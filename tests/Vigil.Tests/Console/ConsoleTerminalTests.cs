using Microsoft.Playwright;
using Vigil.Pipeline;
using Vigil.Sessions.Terminal;
using Vigil.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Vigil.Tests.WebConsole;

/// <summary>
/// The terminal player on a session page in a real browser: a session with a recorded terminal opens with the
/// recording's text drawn by xterm.js (under the console's strict CSP), plays, and seeks back to an empty screen.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ConsoleTerminalTests(GatewayFixture gateway, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    /// <summary>A session of <paramref name="user"/> with a short recorded shell: a prompt, a listing in colour, an echo.</summary>
    private async Task<string> RecordedShellAsync(string connection, Identities.Created user)
    {
        var pipeline = gateway.App.Services.GetRequiredService<CommandPipeline>();
        var identity = await pipeline.IdentifyAsync(user.Token, CancellationToken.None);
        var (session, _) = await pipeline.OpenSessionAsync(identity!, connection, SessionType.Connect, "dev", "127.0.0.1:50000", null, CancellationToken.None);
        var recording = gateway.App.Services.GetRequiredService<TerminalRecorder>().Start(session!, 80, 12, "xterm-256color");
        async Task StepAsync(string input, string output)
        {
            recording.Input(System.Text.Encoding.UTF8.GetBytes(input));
            recording.Output(System.Text.Encoding.UTF8.GetBytes(output));
            await Task.Delay(150);
        }
        recording.Output("\x1b[1;32mdev@web-1\x1b[0m:\x1b[1;34m~\x1b[0m$ "u8);
        await Task.Delay(150);
        await StepAsync("l", "l");
        await StepAsync("s", "s");
        await StepAsync("\r", "\r\n\x1b[1;34mbin\x1b[0m  \x1b[1;34metc\x1b[0m  \x1b[1;34musr\x1b[0m  notes.txt\r\n\x1b[1;32mdev@web-1\x1b[0m:\x1b[1;34m~\x1b[0m$ ");
        await StepAsync("echo replayed-by-vigil\r", "echo replayed-by-vigil\r\nreplayed-by-vigil\r\n\x1b[1;32mdev@web-1\x1b[0m:\x1b[1;34m~\x1b[0m$ ");
        await recording.CompleteAsync();
        await pipeline.CloseSessionAsync(session!, "done", null);
        await gateway.FlushRecordingAsync();
        return session!.Id;
    }

    [Fact]
    public async Task A_recorded_terminal_replays_on_the_session_page()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var user = await gateway.CreateUserAsync([group]);
        await gateway.SetPasswordAsync(user);
        var id = await RecordedShellAsync(connection, user);

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var errors = new List<string>();
        context.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };
        var missing = new List<string>();
        context.Response += (_, response) =>
        {
            if (response.Status == 404)
            {
                missing.Add(response.Url);
            }
        };
        var page = await context.SignInAsync(user.Name, $"/sessions/{id}");
        var player = page.Locator(".terminal-player");
        await Expect(player).ToBeVisibleAsync();
        await Expect(player).ToHaveAttributeAsync("data-state", "ready");
        var rows = page.Locator(".terminal-screen .xterm-rows");
        await page.Locator(".terminal-screen").ScrollIntoViewIfNeededAsync(); // xterm.js draws only while it is on screen
        await Expect(rows).ToContainTextAsync("replayed-by-vigil");
        await Expect(rows).ToContainTextAsync("notes.txt");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "asciicast" })).ToHaveAttributeAsync("href", $"/api/sessions/{id}/terminal");
        await page.ScreenshotAsync("session-terminal");

        await page.GetByLabel("Position").Last.FillAsync("0");
        await Expect(rows).Not.ToContainTextAsync("notes.txt");
        await page.GetByLabel("Speed").Last.SelectOptionAsync("4");
        await page.Locator(".terminal-player [data-action=play]").ClickAsync();
        await Expect(player).ToHaveAttributeAsync("data-state", "ended", new() { Timeout = 15000 });
        var applied = await player.GetAttributeAsync("data-applied");
        applied!.Split('/')[0].Should().Be(applied.Split('/')[1], "every event was drawn; errors: " + string.Join("; ", errors));
        await Expect(rows).ToContainTextAsync("replayed-by-vigil");
        // The browser reports the <style> elements xterm.js inserts as blocked by the CSP (the player applies their rules
        // as constructed stylesheets instead); nothing else may fail.
        errors.Where(e => !e.Contains("Applying inline style violates", StringComparison.Ordinal) && !e.StartsWith("Failed to load resource", StringComparison.Ordinal))
            .Should().BeEmpty();
        missing.Where(url => !url.EndsWith("/favicon.ico", StringComparison.Ordinal)).Should().BeEmpty();
    }
}
