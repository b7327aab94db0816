using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Vigil.Hosting;

namespace Vigil.Webhooks;

/// <summary>
/// Delivers due outbox rows (<see cref="DeliveryRepository"/>): claims them, sends each with <see cref="WebhookSender"/>
/// and records the outcome. A <see cref="WebhookFormat.Standard"/> endpoint gets the stored payload with the Standard
/// Webhooks headers <c>webhook-id</c>, <c>webhook-timestamp</c> (unix seconds of the attempt) and
/// <c>webhook-signature</c> (<see cref="WebhookSecret.Sign"/>); Slack and Teams endpoints get the chat body, unsigned.
/// A 2xx answer delivers; anything else is retried on the <see cref="RetrySchedule"/> until the budget is spent, then
/// the row is <c>failed</c>. Up to <c>GatewayOptions.WebhookConcurrency</c> attempts run at once and at most
/// <see cref="MaxPerEndpoint"/> per endpoint, so a hanging endpoint cannot hold up the others. Rows a previous process
/// left pending are delivered after start. Sleeps until the next row is due or <see cref="Wake"/> is called.
/// </summary>
public sealed class WebhookDispatcher : BackgroundService
{
    /// <summary>Attempts in flight to one endpoint at most.</summary>
    public const int MaxPerEndpoint = 4;

    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan BlockedRecheck = TimeSpan.FromSeconds(1);

    private readonly DeliveryRepository _deliveries;
    private readonly WebhookRepository _webhooks;
    private readonly WebhookSender _sender;
    private readonly RetrySchedule _schedule;
    private readonly TimeSpan _timeout;
    private readonly int _concurrency;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _attempts = [];
    private readonly Lock _lock = new();

    /// <summary>Creates the dispatcher from the gateway's webhook options.</summary>
    public WebhookDispatcher(
        DeliveryRepository deliveries, WebhookRepository webhooks, GatewayOptions options, TimeProvider time, ILogger<WebhookDispatcher> logger)
    {
        _deliveries = deliveries;
        _webhooks = webhooks;
        _schedule = new RetrySchedule(options.WebhookRetryBase, options.WebhookRetryCap, options.WebhookMaxAttempts);
        _timeout = options.WebhookTimeout;
        _concurrency = Math.Max(1, options.WebhookConcurrency);
        _time = time;
        _logger = logger;
        _sender = new WebhookSender(_timeout, time);
    }

    /// <summary>Makes the dispatcher look for due rows now (new rows written, a replay).</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await DispatchOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    WebhookLog.DispatchFailed(_logger, e);
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        Task[] running;
        lock (_lock)
        {
            running = [.. _attempts];
        }
        await Task.WhenAll(running);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _sender.Dispose();
        base.Dispose();
    }

    private async Task DispatchOnceAsync(CancellationToken stoppingToken)
    {
        int free;
        string[] busy;
        lock (_lock)
        {
            free = _concurrency - _attempts.Count;
            busy = _inFlight.Where(e => e.Value >= MaxPerEndpoint).Select(e => e.Key).ToArray();
        }
        var claimed = 0;
        if (free > 0)
        {
            var now = _time.GetUtcNow();
            var due = await _deliveries.ClaimDueAsync(now, now + _timeout + LeaseMargin, Math.Min(free, MaxPerEndpoint), busy, stoppingToken);
            claimed = due.Count;
            foreach (var delivery in due)
            {
                if (!TryStart(delivery, stoppingToken))
                {
                    claimed--;
                    await _deliveries.ReleaseAsync(delivery.Seq, now, stoppingToken); // its endpoint filled up within this claim
                }
            }
        }
        if (claimed > 0)
        {
            return; // there may be more due rows, and maybe free slots: look again at once
        }
        var next = await _deliveries.NextDueAsync(stoppingToken);
        var wait = next is null ? MaxIdle : next.Value - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            wait = BlockedRecheck; // due rows whose endpoints are at their limit: an attempt's end wakes us
        }
        else if (wait > MaxIdle)
        {
            wait = MaxIdle;
        }
        using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var woken = _wake.Reader.WaitToReadAsync(sleep.Token).AsTask();
        await Task.WhenAny(woken, Task.Delay(wait, _time, sleep.Token));
        await sleep.CancelAsync();
        _wake.Reader.TryRead(out _);
        stoppingToken.ThrowIfCancellationRequested();
    }

    private bool TryStart(DueDelivery delivery, CancellationToken stoppingToken)
    {
        lock (_lock)
        {
            var running = _inFlight.GetValueOrDefault(delivery.WebhookId);
            if (running >= MaxPerEndpoint)
            {
                return false;
            }
            _inFlight[delivery.WebhookId] = running + 1;
            // AttemptAsync yields first, so the continuation below never runs inside this lock.
            var task = AttemptAsync(delivery, stoppingToken);
            _attempts.Add(task);
            _ = task.ContinueWith(t => Finished(delivery.WebhookId, t), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return true;
        }
    }

    private void Finished(string webhookId, Task task)
    {
        lock (_lock)
        {
            _attempts.Remove(task);
            if (--_inFlight[webhookId] == 0)
            {
                _inFlight.Remove(webhookId);
            }
        }
        Wake();
    }

    private async Task AttemptAsync(DueDelivery delivery, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            var result = await SendAsync(delivery, stoppingToken);
            await RecordAsync(delivery, result);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _deliveries.ReleaseAsync(delivery.Seq, _time.GetUtcNow(), CancellationToken.None);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
            {
                WebhookLog.DispatchFailed(_logger, e); // the lease runs out by itself
            }
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            WebhookLog.DispatchFailed(_logger, e); // the lease runs out and the row is tried again
        }
    }

    private async Task<AttemptResult> SendAsync(DueDelivery delivery, CancellationToken stoppingToken)
    {
        byte[] body;
        List<KeyValuePair<string, string>> headers = [];
        try
        {
            if (delivery.Format == WebhookFormat.Standard)
            {
                body = Encoding.UTF8.GetBytes(delivery.Payload);
                var secret = await _webhooks.GetSecretAsync(delivery.WebhookId, stoppingToken);
                if (secret is null)
                {
                    return new AttemptResult(false, null, "the webhook was deleted");
                }
                var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
                headers.Add(new("webhook-id", delivery.Id));
                headers.Add(new("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                headers.Add(new("webhook-signature", WebhookSecret.Sign(secret, delivery.Id, timestamp, body)));
            }
            else
            {
                var card = ChatCard.From(delivery.Payload);
                var message = delivery.Format == WebhookFormat.Slack ? SlackMessage.Render(card) : TeamsMessage.Render(card);
                body = Encoding.UTF8.GetBytes(message.ToJsonString());
            }
        }
        catch (Exception e) when (e is CryptographicException or FormatException or JsonException)
        {
            return new AttemptResult(false, null, $"the message could not be prepared: {e.GetType().Name}");
        }
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            WebhookLog.Body(_logger, delivery.Id, delivery.WebhookId, Encoding.UTF8.GetString(body));
        }
        return await _sender.SendAsync(delivery.Url, body, headers, _timeout, stoppingToken);
    }

    private async Task RecordAsync(DueDelivery delivery, AttemptResult result)
    {
        var now = _time.GetUtcNow();
        var attempt = delivery.Attempts + 1;
        if (result.Success)
        {
            await _deliveries.RecordAttemptAsync(delivery.Seq, DeliveryStatus.Delivered, result, now, null, CancellationToken.None);
            WebhookLog.Delivered(_logger, delivery.Id, delivery.EventType, delivery.WebhookId, attempt, result.StatusCode);
            return;
        }
        var failures = attempt - delivery.AttemptBase;
        if (_schedule.Exhausted(failures))
        {
            await _deliveries.RecordAttemptAsync(delivery.Seq, DeliveryStatus.Failed, result, now, null, CancellationToken.None);
            WebhookLog.GaveUp(_logger, delivery.Id, delivery.EventType, delivery.WebhookId, attempt, Short(result));
            return;
        }
        var delay = _schedule.Delay(failures, result.RetryAfter, Random.Shared.NextDouble());
        await _deliveries.RecordAttemptAsync(delivery.Seq, DeliveryStatus.Pending, result, now, now + delay, CancellationToken.None);
        WebhookLog.Retrying(_logger, delivery.Id, delivery.EventType, delivery.WebhookId, attempt, Short(result), delay);
    }

    /// <summary>The failure as logged: the status alone when there was an answer (its body stays in the delivery row), else the error.</summary>
    private static string Short(AttemptResult result) => result.StatusCode is { } status ? $"HTTP {status}" : result.Error ?? "failed";
}
