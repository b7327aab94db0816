using System.Threading.Channels;
using Microsoft.Data.Sqlite;
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
/// </summary>
public sealed partial class SessionRecorder : IHostedService, IAsyncDisposable
{
    private const int MaxBatch = 8192;
    private static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(20);
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteStore _store;
    private readonly ILogger<SessionRecorder> _logger;
    private Task? _writer;

    /// <summary>Creates the recorder over the store.</summary>
    public SessionRecorder(SqliteStore store, ILogger<SessionRecorder> logger)
    {
        _store = store;
        _logger = logger;
    }

    /// <summary>Records a newly opened session.</summary>
    public void Opened(SessionContext session) => Enqueue(session);

    /// <summary>Records one event.</summary>
    public void Append(SessionEvent sessionEvent) => Enqueue(sessionEvent);

    /// <summary>Records a change of the session's worst analysis.</summary>
    public void Append(SessionAnalysisChange change) => Enqueue(change);

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
        var writer = new RecordWriter(db);
        while (await reader.WaitToReadAsync())
        {
            var deadline = Task.Delay(BatchWindow);
            var flushRequested = false;
            while (batch.Count < MaxBatch)
            {
                if (reader.TryRead(out var item))
                {
                    batch.Add(item);
                    flushRequested |= item is TaskCompletionSource;
                    continue;
                }
                // Flush markers and a completed queue (shutdown) are written at once; otherwise wait out the window.
                if (flushRequested || reader.Completion.IsCompleted
                    || await Task.WhenAny(reader.WaitToReadAsync().AsTask(), deadline) == deadline)
                {
                    break;
                }
            }
            await WriteBatchAsync(db, writer, batch);
            foreach (var marker in batch.OfType<TaskCompletionSource>())
            {
                marker.TrySetResult();
            }
            batch.Clear();
        }
    }

    private async Task WriteBatchAsync(SqliteConnection db, RecordWriter writer, List<object> batch)
    {
        try
        {
            await using var transaction = (SqliteTransaction)await db.BeginTransactionAsync();
            writer.Begin(transaction);
            foreach (var item in batch)
            {
                writer.Write(item);
            }
            await transaction.CommitAsync();
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException or IOException)
        {
            LogBatchFailed(_logger, batch.Count, e);
            await WriteOneByOneAsync(batch);
        }
    }

    private async Task WriteOneByOneAsync(List<object> batch)
    {
        var lost = new Dictionary<string, int>();
        await using var db = await _store.OpenAsync(CancellationToken.None);
        foreach (var item in batch)
        {
            try
            {
                new RecordWriter(db).Write(item);
            }
            catch (Exception e) when (e is SqliteException or InvalidOperationException)
            {
                var sessionId = item switch
                {
                    SessionEvent ev => ev.SessionId, SessionClose c => c.SessionId, SessionContext s => s.Id, SessionAnalysisChange a => a.SessionId, SessionReopen r => r.SessionId, _ => null,
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
                RecordWriter.MarkLost(db, sessionId, count);
            }
            catch (SqliteException e)
            {
                LogItemLost(_logger, sessionId, e);
            }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Recording batch of {Count} items failed; retrying one by one")]
    private static partial void LogBatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Recording lost an item of session {SessionId}")]
    private static partial void LogItemLost(ILogger logger, string? sessionId, Exception exception);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Recording item {Kind} arrived after the recorder stopped")]
    private static partial void LogAfterStop(ILogger logger, string kind);
}
