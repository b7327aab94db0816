using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Vigil.Cli;

/// <summary>
/// The loopback redirect target of the browser login (the native-app pattern of RFC 8252 §7.3): a tiny Kestrel
/// server on <c>http://127.0.0.1:{random port}</c> that waits for one <c>GET /callback?token=…</c> (or
/// <c>?error=…</c>), holds the browser's request until the CLI has checked the token, then answers with a small
/// page saying whether the login worked. Anything else gets 404.
/// </summary>
internal sealed class LoopbackCallback : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<CallbackResult> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<(bool Ok, string Message)> _verdict = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _handled;

    private LoopbackCallback(WebApplication app) => _app = app;

    /// <summary>What the gateway sent the browser back with: a token, or an error message.</summary>
    public sealed record CallbackResult(string? Token, string? Error);

    /// <summary>The URL to pass as <c>redirect</c>, e.g. <c>http://127.0.0.1:41234/callback</c>.</summary>
    public string RedirectUri { get; private set; } = "";

    /// <summary>Starts listening on a free loopback port.</summary>
    public static async Task<LoopbackCallback> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.AddServerHeader = false;
        });
        // Ctrl-C belongs to the command line (it cancels the login), not to this server's host.
        builder.Services.AddSingleton<IHostLifetime, CommandLineLifetime>();
        var app = builder.Build();
        var callback = new LoopbackCallback(app);
        app.Run(callback.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        callback.RedirectUri = $"http://127.0.0.1:{new Uri(address).Port}/callback";
        return callback;
    }

    /// <summary>Waits for the browser to arrive at the callback.</summary>
    /// <exception cref="CliException">Nothing arrived within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (Ctrl-C).</exception>
    public async Task<CallbackResult> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            return await _received.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new CliException($"no login arrived within {timeout.TotalMinutes:0} minutes; run `vigil login` again");
        }
    }

    /// <summary>Lets the held browser request answer: success, or failure with <paramref name="message"/>.</summary>
    public void Complete(bool ok, string message) => _verdict.TrySetResult((ok, message));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _verdict.TrySetResult((false, "The command line stopped waiting."));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) || request.Path != "/callback")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        string? token = request.Query["token"];
        string? error = request.Query["error"];
        if (string.IsNullOrEmpty(token) && string.IsNullOrEmpty(error))
        {
            await PageAsync(context, StatusCodes.Status400BadRequest, "Vigil login", "This address expects the gateway's login redirect.");
            return;
        }
        if (Interlocked.Exchange(ref _handled, 1) != 0)
        {
            await PageAsync(context, StatusCodes.Status409Conflict, "Vigil login", "This login was already handled. You can close this window.");
            return;
        }
        _received.TrySetResult(new CallbackResult(string.IsNullOrEmpty(token) ? null : token, string.IsNullOrEmpty(error) ? null : error));
        bool ok;
        string message;
        try
        {
            (ok, message) = await _verdict.Task.WaitAsync(TimeSpan.FromSeconds(60), context.RequestAborted);
        }
        catch (TimeoutException)
        {
            (ok, message) = (false, "The command line did not answer.");
        }
        await PageAsync(context, ok ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest,
            ok ? "Vigil: logged in" : "Vigil: login failed", $"{message} You can close this window and return to the terminal.");
    }

    private static async Task PageAsync(HttpContext context, int status, string title, string message)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        // The request URL carries the token: keep it out of caches and referrers.
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>{{WebUtility.HtmlEncode(title)}}</title>
            <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head>
            <body><h1>{{WebUtility.HtmlEncode(title)}}</h1><p>{{WebUtility.HtmlEncode(message)}}</p></body></html>
            """;
        await response.WriteAsync(html, context.RequestAborted);
        await response.CompleteAsync();
    }
}

/// <summary>A host lifetime that leaves SIGINT/SIGTERM to the command line instead of stopping the host on them.</summary>
internal sealed class CommandLineLifetime : IHostLifetime
{
    /// <inheritdoc />
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Opens a URL in the user's browser: <c>xdg-open</c> (only with a display), <c>open</c> on macOS, the shell on Windows.</summary>
internal static class Browser
{
    /// <summary>True when a browser was (probably) started; false when none could be, so the caller shows the URL.</summary>
    public static async Task<bool> TryOpenAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return false;
        }
        ProcessStartInfo start;
        if (OperatingSystem.IsWindows())
        {
            start = new ProcessStartInfo(uri.AbsoluteUri) { UseShellExecute = true };
        }
        else
        {
            string opener;
            if (OperatingSystem.IsMacOS())
            {
                opener = "open";
            }
            else if (Environment.GetEnvironmentVariable("DISPLAY") is { Length: > 0 } || Environment.GetEnvironmentVariable("WAYLAND_DISPLAY") is { Length: > 0 })
            {
                opener = "xdg-open";
            }
            else
            {
                // Without a display xdg-open falls back to a text browser that would take over this terminal.
                return false;
            }
            // The browser inherits the opener's output: send it to /dev/null rather than into this terminal or a pipe.
            start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            foreach (var argument in new[] { "-c", $"exec {opener} \"$1\" </dev/null >/dev/null 2>&1", "sh", uri.AbsoluteUri })
            {
                start.ArgumentList.Add(argument);
            }
        }
        try
        {
            using var process = Process.Start(start);
            if (process is null || OperatingSystem.IsWindows())
            {
                return process is not null;
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                await process.WaitForExitAsync(wait.Token);
                return process.ExitCode == 0;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return true; // some openers stay until the browser exits
            }
        }
        catch (Win32Exception)
        {
            return false;
        }
    }
}
