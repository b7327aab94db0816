using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Vigil.Adapters.Http;
using Vigil.Hosting;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// The proxy with short limits (its own gateway: 1 MiB request bodies, 1 s upstream silence, 300 ms session idle
/// window) against an upstream that hangs, one that resets mid-response, a chunked upload over the limit, and a
/// WebSocket echo.
/// </summary>
public sealed class UpstreamFailureTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "vigil-proxy-" + Guid.NewGuid().ToString("N")[..8]);
    private WebApplication _gateway = null!;
    private WebApplication _upstream = null!;
    private HttpClient _client = null!;
    private string _address = "";

    public async Task InitializeAsync()
    {
        _upstream = LoopbackServer.Create();
        _upstream.UseWebSockets();
        _upstream.MapGet("/hang", async (HttpContext http) => await Task.Delay(Timeout.Infinite, http.RequestAborted));
        _upstream.MapGet("/reset", async (HttpContext http) =>
        {
            http.Response.ContentLength = 1_000_000;
            await http.Response.Body.WriteAsync(new byte[10_000]);
            await http.Response.Body.FlushAsync();
            // Let the headers and the first bytes reach the gateway before the connection goes.
            await Task.Delay(300);
            http.Abort();
        });
        _upstream.MapPost("/upload", async (HttpContext http) =>
        {
            await http.Request.Body.CopyToAsync(Stream.Null, http.RequestAborted);
            return Results.Ok();
        });
        _upstream.Map("/ws", async (HttpContext http) =>
        {
            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, http.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, http.RequestAborted);
                    return;
                }
                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, http.RequestAborted);
            }
        });
        await _upstream.StartAsync();
        _gateway = GatewayHost.Build(
            new GatewayOptions { DataDirectory = _data, HttpListen = "127.0.0.1:0", PgListen = "127.0.0.1:0", SshListen = "127.0.0.1:0", AdminToken = GatewayFixture.Token },
            services => services.AddSingleton(new ProxyLimits(
                MaxRequestBodyBytes: 1024 * 1024, ActivityTimeout: TimeSpan.FromSeconds(1), SessionIdleWindow: TimeSpan.FromMilliseconds(300))));
        await GatewayHost.BootstrapAsync(_gateway, CancellationToken.None);
        await _gateway.StartAsync();
        _address = GatewayHost.HttpAddress(_gateway);
        _client = new HttpClient { BaseAddress = new Uri(_address) };
        _client.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);
        (await _client.PostAsJsonAsync("/api/connections", new { name = "svc", type = "http", url = LoopbackServer.Address(_upstream) })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        await _upstream.StopAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private async Task<JsonNode> SessionAsync(string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            // The recorder writes asynchronously: right after a request the session may not be listed yet.
            var page = JsonNode.Parse(await _client.GetStringAsync("/api/sessions?connection=svc&page_size=1"))!;
            if (page["data"]!.AsArray() is [{ } listed, ..])
            {
                var session = JsonNode.Parse(await _client.GetStringAsync($"/api/sessions/{listed["id"]!.GetValue<string>()}"))!;
                if (session["status"]!.GetValue<string>() == status || DateTime.UtcNow > deadline)
                {
                    return session;
                }
            }
            else if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("no session of connection svc was recorded within 10 s");
            }
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task An_upstream_that_hangs_gets_504_and_the_session_records_why_then_closes_when_idle()
    {
        using var response = await _client.GetAsync("/proxy/svc/hang");

        response.StatusCode.Should().Be(HttpStatusCode.GatewayTimeout);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>().Should().StartWith("vigil: the upstream did not answer in time");
        var session = await SessionAsync("done");
        session["status"]!.GetValue<string>().Should().Be("done", "the session closes once idle");
        var statement = session["events"]!.AsArray().Single(e => e!["kind"]!.GetValue<string>() == "statement")!;
        statement["command_tag"]!.GetValue<string>().Should().Be("HTTP 504");
        statement["message"]!.GetValue<string>().Should().StartWith("vigil: the upstream did not answer in time");
    }

    [Fact]
    public async Task An_upstream_that_resets_mid_response_breaks_the_clients_response_and_is_recorded()
    {
        using var response = await _client.GetAsync("/proxy/svc/reset", HttpCompletionOption.ResponseHeadersRead);
        var read = async () => await (await response.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null);

        await read.Should().ThrowAsync<Exception>("the client must not take a cut response for a whole one");
        var session = await SessionAsync("done");
        var statement = session["events"]!.AsArray().Single(e => e!["kind"]!.GetValue<string>() == "statement")!;
        statement["message"]!.GetValue<string>().Should().StartWith("vigil: the upstream broke off the transfer");
        statement["rows"]!.GetValue<long>().Should().BeLessThan(1_000_000);
    }

    [Fact]
    public async Task A_websocket_is_upgraded_through_the_gateway_and_echoes()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + GatewayFixture.Token);
        await socket.ConnectAsync(new Uri(_address.Replace("http://", "ws://", StringComparison.Ordinal) + "/proxy/svc/ws"), CancellationToken.None);

        await socket.SendAsync(Encoding.UTF8.GetBytes("ping through vigil"), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);

        Encoding.UTF8.GetString(buffer, 0, received.Count).Should().Be("ping through vigil");
        var session = await SessionAsync("done");
        var statement = session["events"]!.AsArray().Single(e => e!["kind"]!.GetValue<string>() == "statement")!;
        statement["text"]!.GetValue<string>().Should().Be("GET /ws");
        statement["command_tag"]!.GetValue<string>().Should().Be("HTTP 101");
    }

    [Fact]
    public async Task A_chunked_body_that_passes_the_limit_is_cut_off_with_413()
    {
        // No Content-Length (a pipe has no length): the limit is found only while the body streams, after the first
        // 64 KiB were read for the decision and the rest went on to the upstream.
        var pipe = new System.IO.Pipelines.Pipe();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 48; i++)
            {
                await pipe.Writer.WriteAsync(new byte[64 * 1024]);
            }
            await pipe.Writer.CompleteAsync();
        });
        var body = new StreamContent(pipe.Reader.AsStream());
        body.Headers.ContentType = new("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/proxy/svc/upload") { Content = body };

        using var response = await _client.SendAsync(request);

        request.Content.Headers.ContentLength.Should().BeNull();
        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>().Should().StartWith("vigil: the request body is larger than the gateway's limit");
    }
}
