using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging;

namespace Vigil.Tests.Fixtures;

/// <summary>
/// A Kestrel app on the loopback interface for tests that play a remote party: an OIDC provider, an LLM provider, a
/// webhook receiver.
/// </summary>
public static class LoopbackServer
{
    /// <summary>
    /// A slim app that will listen on 127.0.0.1:<paramref name="port"/> (0: a free port) without logging; requests
    /// a test leaves hanging hold up its stop for at most a second.
    /// </summary>
    public static WebApplication Create(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        return builder.Build();
    }

    /// <summary>The address a started <paramref name="app"/> bound, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
}
