using System.Text;
using Vigil.Sessions;

namespace Vigil.WebConsole;

/// <summary>
/// <c>GET /events</c>: a server-sent event stream (HTML Living Standard §9.2) for the signed-in console. Each event
/// is <c>event: sessions</c> or <c>event: reviews</c> with an empty <c>data</c> line and means "what you are showing
/// may have changed": the page reloads its own list through the normal route, so visibility rules apply as on any
/// load. Changes are coalesced (at most one event per topic every <see cref="Coalesce"/>) and sent only after the
/// session recorder wrote what was published, so the reload sees it. A comment line every <see cref="KeepAlive"/>
/// keeps proxies from closing an idle stream. The stream ends when the client leaves or the gateway stops.
/// </summary>
public static class LiveEvents
{
    /// <summary>The shortest time between two events of one stream.</summary>
    public static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(300);

    /// <summary>How often an idle stream sends a comment line.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    /// <summary>Streams until the client disconnects or the application stops.</summary>
    public static async Task StreamAsync(HttpContext http, ConsoleEvents events, SessionRecorder recorder, IHostApplicationLifetime lifetime, TimeProvider time)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        using var subscription = events.Subscribe();
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        // Tells a proxy such as nginx not to buffer the stream.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            await WriteAsync(http, "retry: 3000\n\n", ct);
            while (!ct.IsCancellationRequested)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
                idle.CancelAfter(KeepAlive);
                string first;
                try
                {
                    first = await subscription.Topics.ReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await WriteAsync(http, ": keep-alive\n\n", ct);
                    continue;
                }
                await Task.Delay(Coalesce, time, ct);
                var topics = new SortedSet<string>(StringComparer.Ordinal) { first };
                while (subscription.Topics.TryRead(out var more))
                {
                    topics.Add(more);
                }
                await recorder.FlushAsync(ct);
                var text = new StringBuilder();
                foreach (var topic in topics)
                {
                    text.Append("event: ").Append(topic).Append("\ndata: \n\n");
                }
                await WriteAsync(http, text.ToString(), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away or the gateway stops: the stream simply ends.
        }
    }

    private static async Task WriteAsync(HttpContext http, string text, CancellationToken ct)
    {
        await http.Response.WriteAsync(text, ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
