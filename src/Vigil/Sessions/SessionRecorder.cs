using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Vigil.Hosting;
using Vigil.Pipeline;
using Vigil.Storage;

namespace Vigil.Sessions;

/// <summary>
/// Append-only session recording off the hot path: callers enqueue (never block, never touch the disk), one writer
/// task drains the queue in batches of up to <see cref="MaxBatch"/> items per SQLite transaction, gathering for up to
/// <see cref="BatchWindow"/> after the first item so a busy proxy costs tens of commits a second, not one per
/// statement. The writer keeps one connection and its prepared statements for its whole life. A batch that fails
/// is retried item by item; items that still fail are counted in the session's <c>events_lost</c> so nothing is lost
/// silently. <see cref="StopAsync"/> drains everything queued before it returns (clean shutdown loses nothing).
/// <see cref="DurableAsync"/> is the group commit of <c>recording: strict</c>: a batch holding a durability request is
/// written at once (no window) and committed with <c>PRAGMA synchronous=FULL</c> (the WAL is fsynced before the commit
/// returns), and every session waiting in it shares that one flush.
/// </summary>
public sealed partial class SessionRecorder : IHostedService, IAsyncDisposable
{
    private const int MaxBatch = 8192;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(20);
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteStore _store;
    private readonly string _gatewayId;
    private readonly ILogger<SessionRecorder> _logger;
    private Task? _writer;

    /// <summary>Creates the recorder over the store; sessions it opens are owned by <paramref name="instance"/>.</summary>
    public SessionRecorder(SqliteStore store, GatewayInstance instance, ILogger<SessionRecorder> logger)
    {
        _store = store;
        _gatewayId = instance.Id;
        _logger = logger;
    }

    /// <summary>Records an item that writes its own table (<see cref="IRecordItem"/>).</summary>
    internal void Append(IRecordItem item) => Enqueue(item);

    /// <summary>Records a newly opened session.</summary>
    public void Opened(SessionContext session) => Enqueue(session);

    /// <summary>
    /// Raised after an event is enqueued (on the recording thread: handlers must not block); the console's live timeline
    /// listens, and flushes before it reloads.
    /// </summary>
    public event Action? EventAppended;

    /// <summary>Records one event.</summary>
    public void Append(SessionEvent sessionEvent)
    {
        Enqueue(sessionEvent);
        EventAppended?.Invoke();
    }

    /// <summary>Records a change of the session's worst analysis.</summary>
    public void Append(SessionAnalysisChange change) => Enqueue(change);

    /// <summary>Records the session's masked-value counts so far (absolute; the last one enqueued wins).</summary>
    public void Append(SessionMaskingChange change) => Enqueue(change);

    /// <summary>Records a guardrail violation (appended to the session's <c>guardrails_info</c>).</summary>
    public void Append(SessionGuardrailViolation violation) => Enqueue(violation);

    /// <summary>Records that an ended session runs again.</summary>
    public void Reopened(SessionReopen reopen) => Enqueue(reopen);

    /// <summary>Records a session's end.</summary>
    public void Closed(SessionClose close) => Enqueue(close);

    /// <summary>Completes when every item enqueued before the call is on disk.</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        var marker = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(marker);
        return marker.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// True once every item enqueued before the call is committed durably (fsynced); false when one of them could not
    /// be written (it is counted in <c>events_lost</c>) or the recorder has stopped, so a strict caller refuses to go on.
    /// </summary>
    public Task<bool> DurableAsync(CancellationToken cancellationToken)
    {
        var marker = new DurableMarker();
        if (!_queue.Writer.TryWrite(marker))
        {
            return Task.FromResult(false);
        }
        return marker.Task.WaitAsync(cancellationToken);
    }

    /// <summary>A durability request in the queue: completed with true after an fsynced commit of its batch.</summary>
    private sealed class DurableMarker() : TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private void Enqueue(object item)
    {
        if (!_queue.Writer.TryWrite(item))
        {
            LogAfterStop(_logger, item.GetType().Name);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<object>(MaxBatch);
        var reader = _queue.Reader;
        await using var db = await _store.OpenAsync(CancellationToken.None);
        var writer = new RecordWriter(db, _gatewayId);
        while (await reader.WaitToReadAsync())
        {
            var deadline = Task.Delay(BatchWindow);
            var flushRequested = false;
            var durable = false;
            while (batch.Count < MaxBatch)
            {
                if (reader.TryRead(out var item))
                {
                    batch.Add(item);
                    durable |= item is DurableMarker;
                    flushRequested |= item is TaskCompletionSource or DurableMarker;
                    continue;
                }
                // Flush markers and a completed queue (shutdown) are written at once; otherwise wait out the window.
                if (flushRequested || reader.Completion.IsCompleted
                    || await Task.WhenAny(reader.WaitToReadAsync().AsTask(), deadline) == deadline)
                {
                    break;
                }
            }
            var written = await WriteBatchAsync(db, writer, batch, durable);
            foreach (var marker in batch.OfType<TaskCompletionSource>())
            {
                marker.TrySetResult();
            }
            foreach (var marker in batch.OfType<DurableMarker>())
            {
                marker.TrySetResult(written);
            }
            batch.Clear();
        }
    }

    /// <summary>Writes a batch in one transaction (fsynced when <paramref name="durable"/>); false when an item was lost.</summary>
    private async Task<bool> WriteBatchAsync(SqliteConnection db, RecordWriter writer, List<object> batch, bool durable)
    {
        try
        {
            if (durable)
            {
                Pragma(db, "synchronous=FULL");
            }
            await using (var transaction = (SqliteTransaction)await db.BeginTransactionAsync())
            {
                writer.Begin(transaction);
                foreach (var item in batch)
                {
                    writer.Write(item);
                }
                await transaction.CommitAsync();
            }
            return true;
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or IOException)
        {
            LogBatchFailed(_logger, batch.Count, e);
            return await WriteOneByOneAsync(batch, durable);
        }
        finally
        {
            if (durable)
            {
                TryPragma(db, "synchronous=NORMAL");
            }
        }
    }

    private async Task<bool> WriteOneByOneAsync(List<object> batch, bool durable)
    {
        var lost = new Dictionary<string, int>();
        // A fresh pooled connection: OpenAsync sets synchronous=NORMAL again for whoever gets it next.
        await using var db = await _store.OpenAsync(CancellationToken.None);
        var writer = new RecordWriter(db, _gatewayId);
        if (durable)
        {
            TryPragma(db, "synchronous=FULL");
        }
        foreach (var item in batch)
        {
            try
            {
                writer.Write(item);
            }
            catch (Exception e) when (e is SqliteException or InvalidOperationException)
            {
                var sessionId = item switch
                {
                    SessionEvent ev => ev.SessionId, SessionClose c => c.SessionId, SessionContext s => s.Id, SessionAnalysisChange a => a.SessionId,
                    SessionReopen r => r.SessionId, SessionMaskingChange m => m.SessionId, SessionGuardrailViolation g => g.SessionId, IRecordItem own => own.SessionId, _ => null,
                };
                if (sessionId is not null)
                {
                    lost[sessionId] = lost.GetValueOrDefault(sessionId) + 1;
                }
                LogItemLost(_logger, sessionId, e);
            }
        }
        foreach (var (sessionId, count) in lost)
        {
            try
            {
                writer.MarkLost(sessionId, count);
            }
            catch (SqliteException e)
            {
                LogItemLost(_logger, sessionId, e);
            }
        }
        return lost.Count == 0;
    }

    private static void Pragma(SqliteConnection db, string pragma)
    {
        using var command = db.CreateCommand();
        command.CommandText = "PRAGMA " + pragma;
        command.ExecuteNonQuery();
    }

    private static void TryPragma(SqliteConnection db, string pragma)
    {
        try
        {
            Pragma(db, pragma);
        }
        catch (SqliteException)
        {
            // The next durable batch sets it again; a failure here only leaves the stricter setting on.
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Recording batch of {Count} items failed; retrying one by one")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Recording lost an item of session {SessionId}")]
    private static partial void LogItemLost(ILogger logger, string? sessionId, Exception exception);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Recording item {Kind} arrived after the recorder stopped")]
    private static partial void LogAfterStop(ILogger logger, string kind);
}
