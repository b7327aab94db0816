using Vigil.Pipeline;

namespace Vigil.Proxy;

/// <summary>
/// Matches backend replies to the frontend messages that caused them, in order (§55.2.3 Extended Query: replies
/// arrive in request order; after an error the server discards messages until Sync). The frontend loop enqueues
/// before it forwards, so a reply always finds its entry; the backend loop completes entries and records them.
/// Synthetic replies (a refused statement's ErrorResponse) wait in the same queue so they reach the client in order.
/// </summary>
internal sealed class StatementTracker(CommandPipeline pipeline)
{
    private readonly Queue<Pending> _queue = new();
    private readonly Lock _lock = new();

    internal abstract class Pending;

    /// <summary>An entry that becomes a recorded statement: its command and when the gateway received it.</summary>
    internal abstract class TimedPending(Command command, long startTimestamp) : Pending
    {
        public Command Command { get; } = command;
        public long StartTimestamp { get; } = startTimestamp;
    }

    /// <summary>A simple-protocol Query: one or more statements, done at ReadyForQuery.</summary>
    internal sealed class QueryPending(Command command, long startTimestamp) : TimedPending(command, startTimestamp)
    {
        public string? Tag { get; set; }
        public long? Rows { get; set; }
        public string? SqlState { get; set; }
        public string? Error { get; set; }
    }

    /// <summary>A Parse awaiting ParseComplete; its error is recorded against its SQL.</summary>
    internal sealed class ParsePending(Command command, long startTimestamp) : TimedPending(command, startTimestamp);

    /// <summary>An Execute awaiting CommandComplete, EmptyQueryResponse, PortalSuspended or ErrorResponse.</summary>
    internal sealed class ExecutePending(Command command, long startTimestamp) : TimedPending(command, startTimestamp);

    /// <summary>A Sync (client's or the gateway's) awaiting ReadyForQuery.</summary>
    internal sealed class SyncPending : Pending
    {
        public static readonly SyncPending Instance = new();
    }

    /// <summary>
    /// The ErrorResponse the target sends for what the gateway injected in place of a refused statement (so that the
    /// refusal fails the transaction it is in); it is swallowed, the refusal's own ErrorResponse stands in its place.
    /// </summary>
    internal sealed class InjectedErrorPending : Pending
    {
        public static readonly InjectedErrorPending Instance = new();
    }

    /// <summary>Bytes the gateway itself sends to the client when this entry reaches the front.</summary>
    internal sealed class Synthetic(byte[] bytes) : Pending
    {
        public byte[] Bytes { get; } = bytes;
    }

    public void Enqueue(Pending pending)
    {
        lock (_lock)
        {
            _queue.Enqueue(pending);
        }
    }

    /// <summary>Removes and returns synthetic replies at the front of the queue (to be written before the next backend message).</summary>
    public Synthetic? DequeueSynthetic()
    {
        lock (_lock)
        {
            return _queue.TryPeek(out var front) && front is Synthetic synthetic && _queue.Dequeue() is not null ? synthetic : null;
        }
    }

    /// <summary>True (and the entry is consumed) when the ErrorResponse now arriving answers the gateway's injected failure.</summary>
    public bool TakeInjectedError()
    {
        lock (_lock)
        {
            return _queue.TryPeek(out var front) && front is InjectedErrorPending && _queue.Dequeue() is not null;
        }
    }

    public void OnParseComplete()
    {
        lock (_lock)
        {
            if (_queue.TryPeek(out var front) && front is ParsePending)
            {
                _queue.Dequeue();
            }
        }
    }

    public void OnCommandComplete(string? tag, long? rows)
    {
        lock (_lock)
        {
            if (!_queue.TryPeek(out var front))
            {
                return;
            }
            switch (front)
            {
                case QueryPending query:
                    query.Tag = tag;
                    query.Rows = rows is null ? query.Rows : (query.Rows ?? 0) + rows;
                    break;
                case ExecutePending execute:
                    _queue.Dequeue();
                    Complete(execute, tag, rows, null, null);
                    break;
            }
        }
    }

    public void OnError(string? sqlState, string? message)
    {
        lock (_lock)
        {
            if (!_queue.TryPeek(out var front))
            {
                return;
            }
            switch (front)
            {
                case QueryPending query:
                    query.SqlState = sqlState;
                    query.Error = message;
                    break;
                case ParsePending or ExecutePending:
                    _queue.Dequeue();
                    Complete((TimedPending)front, null, null, sqlState, message);
                    break;
            }
        }
    }

    /// <summary>ReadyForQuery ends a Query, or a Sync and whatever the server skipped before it after an error.</summary>
    public void OnReadyForQuery()
    {
        lock (_lock)
        {
            while (_queue.TryPeek(out var front))
            {
                switch (front)
                {
                    case Synthetic:
                        return;
                    case QueryPending query:
                        _queue.Dequeue();
                        Complete(query, query.Tag, query.Rows, query.SqlState, query.Error);
                        return;
                    case SyncPending:
                        _queue.Dequeue();
                        return;
                    default:
                        _queue.Dequeue();
                        break;
                }
            }
        }
    }

    /// <summary>Records every statement still in flight as failed with <paramref name="reason"/> (the session ended under it).</summary>
    public void Abort(string reason)
    {
        lock (_lock)
        {
            while (_queue.TryDequeue(out var pending))
            {
                switch (pending)
                {
                    case QueryPending query:
                        Complete(query, query.Tag, query.Rows, query.SqlState ?? "08006", query.Error ?? reason);
                        break;
                    case ExecutePending execute:
                        Complete(execute, null, null, "08006", reason);
                        break;
                }
            }
        }
    }

    private void Complete(TimedPending pending, string? tag, long? rows, string? sqlState, string? error)
    {
        var elapsed = pipeline.Time.GetElapsedTime(pending.StartTimestamp);
        pipeline.Completed(pending.Command, new CommandOutcome(tag, rows, sqlState, error, (long)elapsed.TotalMicroseconds));
    }
}
