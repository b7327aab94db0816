using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Webhooks;

/// <summary>One request a <see cref="WebhookReceiver"/> got: path, lower-case headers, the exact body and when it arrived.</summary>
public sealed record ReceivedWebhook(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset At)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>How the receiver answers one request.</summary>
public sealed record ReceiverReply(int Status, TimeSpan? Hang = null, string? Location = null, string? Body = null)
{
    public static readonly ReceiverReply Ok = new(200);

    public static ReceiverReply Fail(int status, string? body = null) => new(status, Body: body);

    /// <summary>Never answers (until the sender gives up or the receiver stops).</summary>
    public static readonly ReceiverReply HangForever = new(200, Timeout.InfiniteTimeSpan);

    public static ReceiverReply Redirect(string location) => new(302, Location: location);
}

/// <summary>
/// A local webhook endpoint on <c>http://127.0.0.1:{random}</c> (real Kestrel, like <c>FakeLlmProvider</c>). Every
/// request is recorded; each path answers with the replies set by <see cref="Respond"/> in order (the last repeats),
/// 200 by default.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _requests = new();
    private readonly ConcurrentDictionary<string, (ReceiverReply[] Replies, int Next)> _replies = new();
    private readonly CancellationTokenSource _stopping = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    /// <summary>A URL on this receiver with a fresh unique path.</summary>
    public string NewUrl() => $"{BaseUrl}/hooks/{Guid.NewGuid():N}";

    public IReadOnlyList<ReceivedWebhook> Requests => [.. _requests];

    public IReadOnlyList<ReceivedWebhook> RequestsTo(string url) => Requests.Where(r => r.Path == new Uri(url).AbsolutePath).ToList();

    /// <summary>Answers requests to <paramref name="url"/> with <paramref name="replies"/> in order, repeating the last.</summary>
    public void Respond(string url, params ReceiverReply[] replies) => _replies[new Uri(url).AbsolutePath] = (replies, 0);

    /// <summary>Waits until <paramref name="url"/> got at least <paramref name="count"/> requests; returns them.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(string url, int count = 1, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var received = RequestsTo(url);
            if (received.Count >= count)
            {
                return received;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{url} got {received.Count} of {count} requests in {seconds} s");
            }
            await Task.Delay(25);
        }
    }

    public static async Task<WebhookReceiver> StartAsync(int port = 0)
    {
        var app = LoopbackServer.Create(port);
        var receiver = new WebhookReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        receiver.BaseUrl = LoopbackServer.Address(app);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var path = context.Request.Path.Value ?? "";
        _requests.Enqueue(new ReceivedWebhook(path, headers, buffer.ToArray(), DateTimeOffset.UtcNow));
        var reply = ReceiverReply.Ok;
        _replies.AddOrUpdate(path, _ => ([ReceiverReply.Ok], 0), (_, current) =>
        {
            reply = current.Replies[Math.Min(current.Next, current.Replies.Length - 1)];
            return (current.Replies, current.Next + 1);
        });
        if (reply.Hang is { } hang)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            try
            {
                await Task.Delay(hang, both.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        context.Response.StatusCode = reply.Status;
        if (reply.Location is not null)
        {
            context.Response.Headers.Location = reply.Location;
        }
        if (reply.Body is not null)
        {
            await context.Response.WriteAsync(reply.Body, context.RequestAborted);
        }
    }
}
