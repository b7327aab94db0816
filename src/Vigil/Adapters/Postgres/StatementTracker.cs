using Vigil.Pipeline;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// Matches backend replies to the frontend messages that caused them, in order (§55.2.3 Extended Query: replies
/// arrive in request order; after an error the server discards messages until Sync). The frontend loop enqueues
/// before it forwards, so a reply always finds its entry; the backend loop completes entries and records them.
/// Synthetic replies (a refused statement's ErrorResponse) wait in the same queue so they reach the client in order.
/// A portal fetched in chunks (Execute with a row limit, answered by PortalSuspended) is one statement: its Executes are
/// merged and recorded once, with the DataRows of all of them, when it completes, fails, is closed or its transaction ends.
/// </summary>
internal sealed class StatementTracker(TimeProvider time)
{
    private readonly Queue<Pending> _queue = new();
    private readonly Lock _lock = new();
    // Portals suspended by a row limit, by name: the first Execute (its command and start) and the rows so far.
    private readonly Dictionary<string, Suspended> _suspended = new(StringComparer.Ordinal);

    private sealed class Suspended(ExecutePending first)
    {
        public ExecutePending First { get; } = first;
        public long Rows { get; set; }
    }

    internal abstract class Pending;

    /// <summary>An entry that becomes a recorded statement: the pipeline's run of its command.</summary>
    internal abstract class TimedPending(CommandRun run) : Pending
    {
        public CommandRun Run { get; } = run;
    }

    /// <summary>A simple-protocol Query: one or more statements, done at ReadyForQuery.</summary>
    internal sealed class QueryPending(CommandRun run) : TimedPending(run)
    {
        public string? Tag { get; set; }
        public long? Rows { get; set; }
        public string? SqlState { get; set; }
        public string? Error { get; set; }
    }

    /// <summary>A Parse awaiting ParseComplete; its error is recorded against its SQL.</summary>
    internal sealed class ParsePending(CommandRun run, string statementName) : TimedPending(run)
    {
        public string StatementName { get; } = statementName;
    }

    /// <summary>A Describe awaiting its RowDescription or NoData (a statement's is preceded by ParameterDescription).</summary>
    /// <param name="portal">For a portal Describe, the portal it describes (null for a statement's).</param>
    internal sealed class DescribePending(bool statement, string name, BoundPortal? portal) : Pending
    {
        /// <summary>True for a prepared statement ('S'), false for a portal ('P').</summary>
        public bool Statement { get; } = statement;
        public string Name { get; } = name;
        public BoundPortal? Portal { get; } = portal;
    }

    /// <summary>An Execute of <paramref name="portalName"/> awaiting CommandComplete, EmptyQueryResponse, PortalSuspended or ErrorResponse.</summary>
    internal sealed class ExecutePending(CommandRun run, string portalName, BoundPortal portal) : TimedPending(run)
    {
        public string PortalName { get; } = portalName;
        public BoundPortal Portal { get; } = portal;
    }

    /// <summary>A Close of a portal: a suspended execution of it ends there (recorded with the rows fetched so far).</summary>
    internal sealed class ClosePortalPending(string portalName) : Pending
    {
        public string PortalName { get; } = portalName;
    }

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

    /// <summary>
    /// The ReadyForQuery of a Query the gateway sent on its own (to fail the target's transaction after a stopped
    /// result): swallowed, the client asked for nothing.
    /// </summary>
    internal sealed class InjectedReadyPending : Pending
    {
        public static readonly InjectedReadyPending Instance = new();
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

    /// <summary>
    /// The run the result now arriving belongs to: the Query or Execute at the front (for a portal fetched in chunks, the
    /// run of its first Execute, which records them all); null when no statement is waiting for rows.
    /// </summary>
    /// <param name="portal">The portal an Execute runs (its column formats), null for a Query.</param>
    public CommandRun? Current(out BoundPortal? portal)
    {
        lock (_lock)
        {
            switch (Front())
            {
                case QueryPending query:
                    portal = null;
                    return query.Run;
                case ExecutePending execute:
                    portal = execute.Portal;
                    return _suspended.TryGetValue(execute.PortalName, out var suspended) && ReferenceEquals(suspended.First.Portal, execute.Portal)
                        ? suspended.First.Run
                        : execute.Run;
                default:
                    portal = null;
                    return null;
            }
        }
    }

    /// <summary>True (and the entry is consumed) when the ReadyForQuery now arriving answers a query the gateway injected on its own.</summary>
    public bool TakeInjectedReady()
    {
        lock (_lock)
        {
            return Front() is InjectedReadyPending && _queue.Dequeue() is not null;
        }
    }

    /// <summary>Removes and returns synthetic replies at the front of the queue (to be written before the next backend message).</summary>
    public Synthetic? DequeueSynthetic()
    {
        lock (_lock)
        {
            return Front() is Synthetic synthetic && _queue.Dequeue() is not null ? synthetic : null;
        }
    }

    /// <summary>True when the next ErrorResponse answers the gateway's injected failure (not consumed; see <see cref="TakeInjectedError"/>).</summary>
    public bool InjectedErrorNext()
    {
        lock (_lock)
        {
            return Front() is InjectedErrorPending;
        }
    }

    /// <summary>True (and the entry is consumed) when the ErrorResponse now arriving answers the gateway's injected failure.</summary>
    public bool TakeInjectedError()
    {
        lock (_lock)
        {
            return Front() is InjectedErrorPending && _queue.Dequeue() is not null;
        }
    }

    /// <summary>ParseComplete: returns the name of the statement it created (its old description no longer holds), null if none was waiting.</summary>
    public string? OnParseComplete()
    {
        lock (_lock)
        {
            if (Front() is ParsePending parse)
            {
                _queue.Dequeue();
                return parse.StatementName;
            }
            return null;
        }
    }

    /// <summary>RowDescription or NoData: the Describe it answers (dequeued), or null when it answers a Query instead.</summary>
    public DescribePending? OnDescription()
    {
        lock (_lock)
        {
            return Front() is DescribePending describe && _queue.Dequeue() is not null ? describe : null;
        }
    }

    /// <summary>CommandComplete (or EmptyQueryResponse, with a null tag); <paramref name="dataRows"/> counts the DataRows since the last completion.</summary>
    public void OnCommandComplete(string? tag, long? rows, long dataRows)
    {
        lock (_lock)
        {
            switch (Front())
            {
                case QueryPending query:
                    query.Tag = tag;
                    query.Rows = rows is null ? query.Rows : (query.Rows ?? 0) + rows;
                    break;
                case ExecutePending execute:
                    _queue.Dequeue();
                    if (TakeSuspended(execute) is { } suspended)
                    {
                        // The tag of a portal completed after suspension counts only the last Execute's rows (§55.2.3).
                        var total = suspended.Rows + dataRows;
                        Complete(suspended.First, tag is not null && tag.StartsWith("SELECT ", StringComparison.Ordinal) ? $"SELECT {total}" : tag, total, null, null);
                    }
                    else
                    {
                        Complete(execute, tag, rows, null, null);
                    }
                    break;
            }
        }
    }

    /// <summary>PortalSuspended: the Execute reached its row limit after <paramref name="dataRows"/> DataRows; the portal may be executed again.</summary>
    public void OnPortalSuspended(long dataRows)
    {
        lock (_lock)
        {
            if (Front() is not ExecutePending execute)
            {
                return;
            }
            _queue.Dequeue();
            var suspended = TakeSuspended(execute) ?? new Suspended(execute);
            suspended.Rows += dataRows;
            _suspended[execute.PortalName] = suspended;
        }
    }

    public void OnError(string? sqlState, string? message)
    {
        lock (_lock)
        {
            switch (Front())
            {
                case QueryPending query:
                    query.SqlState = sqlState;
                    query.Error = message;
                    break;
                case ParsePending parse:
                    _queue.Dequeue();
                    Complete(parse, null, null, sqlState, message);
                    break;
                case ExecutePending execute:
                    _queue.Dequeue();
                    if (TakeSuspended(execute) is { } suspended)
                    {
                        Complete(suspended.First, null, suspended.Rows, sqlState, message);
                    }
                    else
                    {
                        Complete(execute, null, null, sqlState, message);
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// ReadyForQuery ends a Query, or a Sync and whatever the server skipped before it after an error. Outside a
    /// transaction block (<paramref name="transactionStatus"/> 'I') no portal survives, so suspended executions end.
    /// </summary>
    public void OnReadyForQuery(byte transactionStatus)
    {
        lock (_lock)
        {
            if (transactionStatus == Vigil.Postgres.Protocol.TransactionStatus.Idle)
            {
                EndSuspended();
            }
            while (Front() is { } front)
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
                    case ExecutePending execute when !_suspended.ContainsKey(execute.PortalName):
                        Complete(execute, null, null, "08006", reason);
                        break;
                }
            }
            EndSuspended();
        }
    }

    /// <summary>The queue's head after the Closes of portals in front of it took effect (their CloseComplete came first).</summary>
    private Pending? Front()
    {
        while (_queue.TryPeek(out var front))
        {
            if (front is not ClosePortalPending close)
            {
                return front;
            }
            _queue.Dequeue();
            if (_suspended.Remove(close.PortalName, out var suspended))
            {
                EndSuspended(suspended);
            }
        }
        return null;
    }

    /// <summary>The suspended execution <paramref name="execute"/> continues, if any; a different portal of the same name ends the old one.</summary>
    private Suspended? TakeSuspended(ExecutePending execute)
    {
        if (!_suspended.Remove(execute.PortalName, out var suspended))
        {
            return null;
        }
        if (ReferenceEquals(suspended.First.Portal, execute.Portal))
        {
            return suspended;
        }
        EndSuspended(suspended);
        return null;
    }

    private void EndSuspended()
    {
        foreach (var suspended in _suspended.Values)
        {
            EndSuspended(suspended);
        }
        _suspended.Clear();
    }

    /// <summary>A portal closed before it completed: no tag (the server sent none), the rows the client fetched.</summary>
    private void EndSuspended(Suspended suspended) => Complete(suspended.First, null, suspended.Rows, null, null);

    private void Complete(TimedPending pending, string? tag, long? rows, string? sqlState, string? error)
    {
        var elapsed = time.GetElapsedTime(pending.Run.StartTimestamp);
        pending.Run.Complete(new CommandOutcome(tag, rows, sqlState, error, (long)elapsed.TotalMicroseconds));
    }
}
