using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Hosting;
using Vigil.Identity.Oidc;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Cli;

/// <summary>
/// <c>vigil login --no-browser</c> (the real binary) against a gateway configured for the test OpenID provider: the
/// test reads the printed URL and plays the browser (provider → gateway callback → the CLI's loopback listener); the
/// CLI checks the token, stores it and answers the browser; a provider denial ends the CLI with the reason.
/// </summary>
public sealed class BrowserLoginCommandTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "vigil-cli-oidc-" + Guid.NewGuid().ToString("N")[..8]);
    private OidcProvider _provider = null!;
    private WebApplication _app = null!;
    private string _gateway = "";

    private string ConfigHome => Path.Combine(_root, "config");

    public async Task InitializeAsync()
    {
        _provider = await OidcProvider.StartAsync();
        _app = GatewayHost.Build(new GatewayOptions
        {
            DataDirectory = Path.Combine(_root, "data"), HttpListen = "127.0.0.1:0", PgListen = "127.0.0.1:0", SshListen = "127.0.0.1:0", AdminToken = GatewayFixture.Token,
            Oidc = new OidcOptions(new Uri(_provider.Issuer), "vigil"),
        });
        await GatewayHost.BootstrapAsync(_app, CancellationToken.None);
        await _app.StartAsync();
        _gateway = GatewayHost.HttpAddress(_app).TrimEnd('/');
        _provider.Settings.RedirectUris.Add(_gateway + "/api/callback");
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _provider.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class LoginProcess(Process process, Task<string> urlLine, Task<string> stdout, Task<string> stderr) : IDisposable
    {
        public Task<string> UrlLine => urlLine;

        public async Task<(int ExitCode, string Stdout, string Stderr)> WaitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
        }
    }

    /// <summary>Starts <c>vigil login --gateway G --no-browser</c>, exposing the "Open this URL" line as soon as it is printed.</summary>
    private LoginProcess StartLogin()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { Processes.VigilDll, "login", "--gateway", _gateway, "--no-browser" })
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["XDG_CONFIG_HOME"] = ConfigHome;
        start.Environment["HOME"] = _root;
        start.Environment["VIGIL_TOKEN"] = "";
        start.Environment["VIGIL_GATEWAY_URL"] = "";
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        var url = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stdout = Task.Run(async () =>
        {
            var all = new System.Text.StringBuilder();
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                all.AppendLine(line);
                if (line.StartsWith("Open this URL to log in: ", StringComparison.Ordinal))
                {
                    url.TrySetResult(line["Open this URL to log in: ".Length..]);
                }
            }
            url.TrySetException(new InvalidOperationException("no URL line: " + all));
            return all.ToString();
        });
        return new LoginProcess(process, url.Task, stdout, process.StandardError.ReadToEndAsync());
    }

    /// <summary>Plays the browser from the login URL to the gateway's redirect and returns where it sends the browser.</summary>
    private static async Task<Uri> WalkToLoopbackAsync(HttpClient browser, string loginUrl)
    {
        var authorize = await browser.GetAsync(loginUrl);
        authorize.StatusCode.Should().Be(HttpStatusCode.Found);
        var callback = await browser.GetAsync(authorize.Headers.Location!);
        callback.StatusCode.Should().Be(HttpStatusCode.Redirect, await callback.Content.ReadAsStringAsync());
        return callback.Headers.Location!;
    }

    [Fact]
    public async Task Browser_login_stores_the_token_from_the_loopback_redirect()
    {
        using var login = StartLogin();
        var loginUrl = await login.UrlLine.WaitAsync(TimeSpan.FromSeconds(60));
        loginUrl.Should().StartWith(_provider.Issuer);

        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });
        var loopback = await WalkToLoopbackAsync(browser, loginUrl);
        loopback.Host.Should().Be("127.0.0.1");
        loopback.AbsolutePath.Should().Be("/callback");
        var page = await browser.GetAsync(loopback);
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        page.Headers.CacheControl!.NoStore.Should().BeTrue();
        (await page.Content.ReadAsStringAsync()).Should().Contain("close this window");

        var (exitCode, stdout, stderr) = await login.WaitAsync();
        exitCode.Should().Be(0, stderr);
        stdout.Should().Contain($"Logged in to {_gateway} as ada@example.com");
        var path = Path.Combine(ConfigHome, "vigil", "credentials.json");
        File.GetUnixFileMode(path).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var stored = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        stored["gateway_url"]!.GetValue<string>().Should().Be(_gateway);
        stored["email"]!.GetValue<string>().Should().Be("ada@example.com");

        var whoami = await Processes.RunAsync("dotnet", [Processes.VigilDll, "whoami", "--json"],
            new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = ConfigHome, ["HOME"] = _root, ["VIGIL_TOKEN"] = "", ["VIGIL_GATEWAY_URL"] = "" });
        whoami.ExitCode.Should().Be(0, whoami.Stderr);
        JsonNode.Parse(whoami.Stdout)!["email"]!.GetValue<string>().Should().Be("ada@example.com");

        // The listener is gone once the CLI is done.
        var closed = async () => await browser.GetAsync(loopback);
        await closed.Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task A_provider_denial_ends_the_cli_with_the_reason_and_stores_nothing()
    {
        _provider.Settings.Deny = true;
        using var login = StartLogin();
        var loginUrl = await login.UrlLine.WaitAsync(TimeSpan.FromSeconds(60));
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });
        var loopback = await WalkToLoopbackAsync(browser, loginUrl);
        loopback.Query.Should().Contain("error=");
        var page = await browser.GetAsync(loopback);
        page.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await page.Content.ReadAsStringAsync()).Should().Contain("login failed");

        var (exitCode, _, stderr) = await login.WaitAsync();
        exitCode.Should().Be(1);
        stderr.Should().Contain("vigil: login failed: ").And.Contain("access_denied");
        File.Exists(Path.Combine(ConfigHome, "vigil", "credentials.json")).Should().BeFalse();
    }
}
