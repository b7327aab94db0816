using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Vigil.Connections;

namespace Vigil.Demo;

/// <summary>
/// <c>vigil serve --demo</c>'s HTTP service: a small JSON API on a free loopback port, registered as connection
/// <c>demo-http</c> (type <c>http</c>) so <c>/proxy/demo-http/…</c> works without a cluster or a service of one's own.
/// <c>GET /customers</c> (names, e-mails and phone numbers: something to mask), <c>GET /customers/{id}</c>,
/// <c>DELETE /customers/{id}</c> (204: something to block), and <c>/echo/…</c> (any method: the request's method,
/// path, query and body as JSON). It keeps no state; it stops with the gateway.
/// </summary>
public static class DemoHttpService
{
    /// <summary>The connection name the demo registers.</summary>
    public const string ConnectionName = "demo-http";

    private static readonly object[] Customers =
    [
        new { id = 1, name = "Alice Martin", email = "alice.martin@example.com", phone = "+1 415 555 0101", plan = "pro" },
        new { id = 2, name = "Bob Chen", email = "bob.chen@example.com", phone = "+1 415 555 0102", plan = "free" },
        new { id = 3, name = "Carla Diaz", email = "carla.diaz@example.com", phone = "+1 415 555 0103", plan = "team" },
    ];

    /// <summary>Starts the service and creates or updates connection <c>demo-http</c>; dispose the result to stop it.</summary>
    public static async Task<WebApplication> StartAsync(ConnectionRepository connections, TimeProvider time, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        var app = builder.Build();
        app.MapGet("/customers", () => Results.Json(Customers));
        app.MapGet("/customers/{id:int}", (int id) => id is >= 1 and <= 3 ? Results.Json(Customers[id - 1]) : Results.NotFound());
        app.MapDelete("/customers/{id:int}", () => Results.NoContent());
        app.Map("/echo/{**rest}", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(http.RequestAborted);
            return Results.Json(new { method = http.Request.Method, path = http.Request.Path.Value, query = http.Request.QueryString.Value, body });
        });
        await app.StartAsync(cancellationToken);
        try
        {
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
            var now = time.GetUtcNow();
            var connection = new Connection(
                ConnectionName, ConnectionTypes.Http, "127.0.0.1", new Uri(url).Port, "", "", null, SslMode.Disable, null, [], ConnectionAccess.Modes, now, now,
                ReviewPolicy.Default, Http: new HttpTarget(url, new Dictionary<string, string>(), null, null, null, null, false));
            if (!await connections.CreateAsync(connection, cancellationToken))
            {
                var existing = await connections.FindAsync(ConnectionName, cancellationToken);
                await connections.UpdateAsync(connection with { CreatedAt = existing?.CreatedAt ?? now }, cancellationToken);
            }
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }
}
