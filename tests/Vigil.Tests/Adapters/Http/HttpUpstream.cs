using Microsoft.AspNetCore.Http;
using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// A real HTTP service (Kestrel on loopback) behind an <c>http</c> connection: it remembers every request it received
/// (method, path and query as they arrived, headers, body) so tests can see what the gateway forwarded, and serves
/// <c>/base/echo</c> (the request as JSON, without its headers), <c>/base/download?mb=N</c> (N MiB of 'x', streamed),
/// <c>/base/stream</c> (watch-like JSON lines without end, counted in <see cref="Streamed"/>) and <c>/base/slow</c> (a first chunk, then the rest once <see cref="Release"/> is called).
/// </summary>
public sealed class HttpUpstream : IAsyncDisposable
{
    public const string Secret = "upstream-api-key-5e1f9c3a";

    private readonly WebApplication _app;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _streamed;

    public sealed record Received(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

    public ConcurrentQueue<Received> Requests { get; } = new();

    public string Url { get; }

    private HttpUpstream(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public static async Task<HttpUpstream> StartAsync()
    {
        var app = LoopbackServer.Create();
        HttpUpstream? self = null;
        app.Use(async (http, next) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var body = http.Request.Path.StartsWithSegments("/base/upload") ? "" : await reader.ReadToEndAsync();
            self!.Requests.Enqueue(new Received(
                http.Request.Method, http.Request.Path + http.Request.QueryString,
                http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
            await next(http);
        });
        app.Map("/base/echo/{**rest}", (HttpContext http) =>
        {
            var last = self!.Requests.Last(r => r.PathAndQuery.StartsWith("/base/echo", StringComparison.Ordinal));
            return Results.Json(new { method = last.Method, path = last.PathAndQuery, body = last.Body, email = "alice@example.com" });
        });
        app.MapGet("/base/download", async (HttpContext http, int mb) =>
        {
            http.Response.ContentType = "application/octet-stream";
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)'x');
            for (var i = 0; i < mb * 16; i++)
            {
                await http.Response.Body.WriteAsync(chunk);
            }
        });
        app.MapGet("/base/stream", async (HttpContext http) =>
        {
            http.Response.ContentType = "application/json";
            var chunk = Encoding.UTF8.GetBytes("{\"type\":\"MODIFIED\",\"object\":{\"pad\":\"" + new string('x', 4000) + "\"}}\n");
            while (!http.RequestAborted.IsCancellationRequested)
            {
                await http.Response.Body.WriteAsync(chunk, http.RequestAborted);
                Interlocked.Add(ref self!._streamed, chunk.Length);
            }
        });
        app.MapGet("/base/slow", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync("first\n");
            await http.Response.Body.FlushAsync();
            await self!._release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await http.Response.WriteAsync("second\n");
        });
        app.MapPost("/base/upload", async (HttpContext http) =>
        {
            long total = 0;
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer)) > 0)
            {
                total += read;
            }
            return Results.Json(new { received = total });
        });
        await app.StartAsync();
        self = new HttpUpstream(app, LoopbackServer.Address(app) + "/base");
        return self;
    }

    /// <summary>Bytes <c>/base/stream</c> has handed to its connection so far (it writes as fast as the reader takes them).</summary>
    public long Streamed => Interlocked.Read(ref _streamed);

    /// <summary>Lets <c>/base/slow</c> finish.</summary>
    public void Release() => _release.TrySetResult();

    /// <summary>Registers an <c>http</c> connection to this service injecting <c>X-Api-Key: <see cref="Secret"/></c>; returns its name.</summary>
    public async Task<string> RegisterAsync(GatewayFixture gateway, object? extra = null)
    {
        var name = Identities.Unique("web");
        var response = await gateway.Http.PostAsJsonAsync("/api/connections", new
        {
            name, type = "http", url = Url, headers = new Dictionary<string, string> { ["X-Api-Key"] = Secret },
        });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
        }
        return name;
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
