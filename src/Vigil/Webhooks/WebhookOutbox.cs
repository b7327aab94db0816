using System.Text.Json;
using System.Threading.Channels;
using Vigil.Hosting;
using Vigil.Storage;

namespace Vigil.Webhooks;

/// <summary>
/// The durable outbox behind <see cref="IEventPublisher"/>. <see cref="Publish"/> looks the type up in the in-memory
/// <see cref="WebhookSubscriptions"/>; when some endpoint subscribes it serializes the Standard Webhooks payload
/// <c>{type, timestamp (RFC 3339 UTC, the event's time), data (snake_case)}</c> with <see cref="Api.Json"/>, gives the
/// event a webhook-id (<c>msg_</c> + 32 hex digits, time-ordered; shared by every endpoint it goes to) and queues it in
/// memory, all without blocking or throwing. One writer task turns the queue into <c>webhook_deliveries</c> rows, a
/// batch per transaction (milliseconds), and wakes the <see cref="WebhookDispatcher"/>. <see cref="FlushAsync"/>
/// completes once everything published before it is on disk; <see cref="StopAsync"/> drains the queue to disk, so a
/// clean shutdown loses nothing and the next start delivers it.
/// </summary>
public sealed class WebhookOutbox(
    WebhookSubscriptions subscriptions, DeliveryRepository deliveries, WebhookDispatcher dispatcher, TimeProvider time, ILogger<WebhookOutbox> logger)
    : IEventPublisher, IHostedService
{
    private const int MaxBatch = 512;
    private const int WriteTries = 5;
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _writer;

    /// <inheritdoc />
    public void Publish(string type, object data)
    {
        try
        {
            var targets = subscriptions.For(type);
            if (targets.Count == 0)
            {
                return;
            }
            var now = time.GetUtcNow();
            var payload = JsonSerializer.Serialize(new { type, timestamp = Rfc3339.Format(now), data }, Api.Json);
            var id = "msg_" + Guid.CreateVersion7(now).ToString("N");
            var rows = targets.Select(webhookId => new OutboxRow(id, webhookId, type, payload, now)).ToArray();
            if (!_queue.Writer.TryWrite(rows))
            {
                WebhookLog.AfterStop(logger, type);
            }
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            WebhookLog.SerializeFailed(logger, type, e);
        }
    }

    /// <summary>Completes when every event published before the call is persisted (or the outbox has stopped).</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(marker) ? marker.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    /// <summary>Loads the subscriptions and starts the writer.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await subscriptions.ReloadAsync(cancellationToken);
        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    /// <summary>Stops taking events and writes everything queued before returning.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.WaitAsync(cancellationToken);
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var rows = new List<OutboxRow>();
        var markers = new List<TaskCompletionSource>();
        while (await reader.WaitToReadAsync())
        {
            while (rows.Count < MaxBatch && reader.TryRead(out var item))
            {
                if (item is OutboxRow[] batch)
                {
                    rows.AddRange(batch);
                }
                else
                {
                    markers.Add((TaskCompletionSource)item);
                }
            }
            if (rows.Count > 0)
            {
                await WriteAsync(rows);
                dispatcher.Wake();
            }
            foreach (var marker in markers)
            {
                marker.TrySetResult();
            }
            rows.Clear();
            markers.Clear();
        }
    }

    /// <summary>Writes a batch, retrying a store that refuses it (busy, disk full) a few times before giving up loudly.</summary>
    private async Task WriteAsync(List<OutboxRow> rows)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await deliveries.InsertAsync(rows, CancellationToken.None);
                return;
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException or IOException)
            {
                if (attempt == WriteTries)
                {
                    WebhookLog.WriteLost(logger, rows.Count, e);
                    return;
                }
                WebhookLog.WriteFailed(logger, rows.Count, attempt, e);
                await Task.Delay(TimeSpan.FromMilliseconds(100 << attempt), time);
            }
        }
    }
}
