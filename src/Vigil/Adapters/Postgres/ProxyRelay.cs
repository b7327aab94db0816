using System.Buffers;
using System.IO.Pipelines;
using Vigil.Analysis;
using Vigil.Pipeline;
using Vigil.Postgres.Protocol;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// The relay of one proxied session after authentication: a frontend loop (client → target) that turns Query and
/// Parse messages into pipeline <see cref="Command"/>s, and a backend loop (target → client) that completes them from
/// CommandComplete / ErrorResponse / ReadyForQuery and records them. Bytes are forwarded in whole ranges (no
/// re-encoding); CopyData and DataRow larger than the buffer stream through without being held whole.
/// Follows PostgreSQL docs §55.2 (Message Flow) and §55.7 (Message Formats).
/// </summary>
internal sealed class ProxyRelay
{
    private readonly SessionContext _session;
    private readonly CommandPipeline _pipeline;
    private readonly StatementTracker _tracker;
    private readonly PipeReader _clientReader;
    private readonly PipeWriter _clientWriter;
    private readonly PipeReader _upstreamReader;
    private readonly PipeWriter _upstreamWriter;
    private readonly int _maxMessageSize;
    private readonly FunctionResolver _functions;
    // Prepared statements and portals keep the analysis their Parse got, so each Execute is recorded with it.
    private readonly Dictionary<string, (string Sql, AiAnalysis? Analysis)> _statements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BoundPortal> _portals = new(StringComparer.Ordinal);
    private (string Sql, AiAnalysis? Analysis) _unnamedStatement = ("", null);
    private BoundPortal _unnamedPortal = BoundPortal.Unknown;
    /// <summary>
    /// Client bytes read and allowed but not yet copied to the target while the frontend loop handles the next message;
    /// forwarded (and flushed) before waiting on that message's decision, so a slow decision never delays them.
    /// </summary>
    private ReadOnlySequence<byte> _held;
    private bool _heldForwarded;
    private bool _skipUntilSync;
    private bool _terminated;
    private long _frontRemaining;
    private long _backRemaining;
    /// <summary>The rest of a message being skipped after a stopped result (never forwarded).</summary>
    private bool _dropRemaining;
    private readonly ResultTranslator _translator;
    private CommandRun? _streamedRun;
    /// <summary>DataRows since the last CommandComplete / PortalSuspended / ErrorResponse / ReadyForQuery (the backend loop's own counter).</summary>
    private long _dataRows;
    /// <summary>Why the target ended the session with a FATAL/PANIC it sent (and the client already received); null otherwise.</summary>
    private string? _upstreamFatal;

    public ProxyRelay(SessionContext session, CommandPipeline pipeline, Stream client, Stream upstream, int maxMessageSize)
    {
        _session = session;
        _pipeline = pipeline;
        _tracker = new StatementTracker(pipeline.Time);
        _functions = new FunctionResolver(session.Connection);
        _translator = new ResultTranslator(session);
        _maxMessageSize = maxMessageSize;
        _clientReader = PipeReader.Create(client, new StreamPipeReaderOptions(bufferSize: 65536, minimumReadSize: 8192, leaveOpen: true));
        _clientWriter = PipeWriter.Create(client, new StreamPipeWriterOptions(minimumBufferSize: 65536, leaveOpen: true));
        _upstreamReader = PipeReader.Create(upstream, new StreamPipeReaderOptions(bufferSize: 65536, minimumReadSize: 8192, leaveOpen: true));
        _upstreamWriter = PipeWriter.Create(upstream, new StreamPipeWriterOptions(minimumBufferSize: 65536, leaveOpen: true));
    }

    /// <summary>The outcome of a relay: null reason for a clean end.</summary>
    public sealed record Outcome(string? FailureReason);

    /// <summary>Relays until either side ends; returns why it ended.</summary>
    public async Task<Outcome> RunAsync(CancellationToken cancellationToken)
    {
        string? reason = "the relay failed";
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _session.Terminated);
            var front = FrontendLoopAsync(stop.Token);
            var back = BackendLoopAsync(stop.Token);
            var first = await Task.WhenAny(front, back);
            if (_session.TerminationReason is { } terminated && !cancellationToken.IsCancellationRequested)
            {
                // The gateway withdrew the session's access (user deactivated, token revoked or expired): admin_shutdown.
                stop.Cancel();
                await TryAsync(front);
                await TryAsync(back);
                await SendFatalAsync("57P01", $"vigil: terminating connection: {terminated}");
                reason = $"terminated by the gateway: {terminated}";
            }
            else if (first == front)
            {
                var (frontReason, fatal) = await front;
                reason = frontReason;
                if (reason is null)
                {
                    if (!_terminated)
                    {
                        FrontendMessageWriter.WriteTerminate(_upstreamWriter);
                        await TryAsync(_upstreamWriter.FlushAsync(stop.Token).AsTask());
                    }
                    // Let the target finish and close (it answers Terminate by closing), then stop waiting.
                    if (!await TryAsync(back.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken)))
                    {
                        stop.Cancel();
                    }
                }
                else
                {
                    stop.Cancel();
                    await TryAsync(back);
                    if (cancellationToken.IsCancellationRequested)
                    {
                        reason = "gateway shutting down";
                        await SendFatalAsync("57P01", "vigil: terminating connection because the gateway is shutting down");
                    }
                    else if (fatal is not null)
                    {
                        await SendFatalAsync(fatal.SqlState, fatal.Message);
                    }
                }
            }
            else
            {
                reason = await back;
                stop.Cancel();
                await TryAsync(front);
                if (reason is not null && _upstreamFatal is null)
                {
                    await SendFatalAsync("08006", $"vigil: lost connection to connection \"{_session.Connection.Name}\": {reason}");
                }
                reason ??= _upstreamFatal;
            }
            return new Outcome(reason);
        }
        finally
        {
            // Statements still in flight are recorded as failed whatever ended the relay (a bug included).
            _tracker.Abort(reason ?? "session ended before the statement completed");
        }
    }

    private async Task<(string? Reason, PostgresProtocolException? Fatal)> FrontendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await _clientReader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var consumed = await ProcessFrontendAsync(buffer, cancellationToken);
                _clientReader.AdvanceTo(consumed, buffer.End);
                if (_upstreamWriter.UnflushedBytes > 0 && (await _upstreamWriter.FlushAsync(cancellationToken)).IsCompleted)
                {
                    return ("connection to the target closed", null);
                }
                if (_terminated)
                {
                    return (null, null);
                }
                if (result.IsCompleted)
                {
                    return buffer.Slice(consumed).IsEmpty && _frontRemaining == 0 ? (null, null) : ("client disconnected mid-message", null);
                }
            }
        }
        catch (PostgresProtocolException e)
        {
            return ($"protocol violation: {e.Message}", new PostgresProtocolException("vigil: " + e.Message, e.SqlState));
        }
        catch (OperationCanceledException)
        {
            return ("stopped", null);
        }
        catch (IOException e)
        {
            return ($"client connection lost: {e.Message}", null);
        }
    }

    private async ValueTask<SequencePosition> ProcessFrontendAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var forwardFrom = buffer.Start;
        var position = buffer.Start;
        while (true)
        {
            if (_frontRemaining > 0)
            {
                if (!PassThrough(buffer, ref position, ref _frontRemaining))
                {
                    break;
                }
                continue;
            }
            var rest = buffer.Slice(position);
            if (!TryHeader(rest, _maxMessageSize, out var header))
            {
                break;
            }
            if (!FrontendMessageCode.IsKnown(header.Code))
            {
                throw new PostgresProtocolException(header.Code is >= 0x21 and <= 0x7E // a printable code is shown as the character too
                    ? $"invalid frontend message type {header.Code} ('{(char)header.Code}')"
                    : $"invalid frontend message type {header.Code}");
            }
            var total = header.Length + 1L;
            if (rest.Length < total)
            {
                if (header.Code == FrontendMessageCode.CopyData && !_skipUntilSync)
                {
                    // Stream large CopyData through rather than holding up to max-message-size bytes.
                    _frontRemaining = total - rest.Length;
                    position = buffer.End;
                }
                break;
            }
            if (_translator.TakeFailServerTransaction())
            {
                // A stopped result left the client seeing a failed block: fail the target's before this message runs.
                Copy(_upstreamWriter, buffer.Slice(forwardFrom, position));
                forwardFrom = position;
                FailInPlaceOfQuery(_upstreamWriter);
                _tracker.Enqueue(StatementTracker.InjectedErrorPending.Instance);
                _tracker.Enqueue(StatementTracker.InjectedReadyPending.Instance);
            }
            var message = rest.Slice(0, total);
            var body = message.Slice(MessageReader.HeaderSize);
            var next = message.End;
            _held = buffer.Slice(forwardFrom, position);
            _heldForwarded = false;
            var forward = await HandleFrontendAsync(header.Code, body, cancellationToken);
            if (_heldForwarded)
            {
                forwardFrom = position;
            }
            if (!forward.Forward)
            {
                Copy(_upstreamWriter, buffer.Slice(forwardFrom, position));
                forward.Replacement?.Invoke(_upstreamWriter);
                forwardFrom = next;
            }
            position = next;
            if (_terminated)
            {
                break;
            }
        }
        Copy(_upstreamWriter, buffer.Slice(forwardFrom, position));
        return position;
    }

    private readonly record struct FrontAction(bool Forward, Action<IBufferWriter<byte>>? Replacement = null)
    {
        public static readonly FrontAction Pass = new(true);
        public static readonly FrontAction Drop = new(false);
    }

    private async ValueTask<FrontAction> HandleFrontendAsync(byte code, ReadOnlySequence<byte> body, CancellationToken cancellationToken)
    {
        switch (code)
        {
            case FrontendMessageCode.Query:
            {
                var sql = QueryMessage.Parse(body).Sql;
                var command = new Command(_session, sql);
                var started = _pipeline.Time.GetTimestamp();
                var decision = await WhileHeldForwardedAsync(_pipeline.DecideAsync(command, cancellationToken), cancellationToken);
                if (!decision.Allowed)
                {
                    return RefuseInPlaceOfQuery(decision);
                }
                _tracker.Enqueue(new StatementTracker.QueryPending(_pipeline.Start(command, decision.Analysis, started)));
                return FrontAction.Pass;
            }
            case FrontendMessageCode.FunctionCall:
                // After an error the server ignores everything up to Sync, this too.
                return _skipUntilSync ? FrontAction.Drop : await FunctionCallAsync(FunctionCallMessage.Parse(body), cancellationToken);
            case FrontendMessageCode.Parse:
            {
                if (_skipUntilSync)
                {
                    return FrontAction.Drop;
                }
                var parse = ParseMessage.Parse(body);
                var command = new Command(_session, parse.Sql, parse.ParameterTypeCount);
                var started = _pipeline.Time.GetTimestamp();
                var decision = await WhileHeldForwardedAsync(_pipeline.DecideAsync(command, cancellationToken), cancellationToken);
                if (!decision.Allowed)
                {
                    // As after a server error: the batch fails (its implicit transaction, or the open block, is rolled
                    // back by the target), and the rest up to Sync is discarded.
                    _tracker.Enqueue(new StatementTracker.Synthetic(Refusal(decision)));
                    _tracker.Enqueue(StatementTracker.InjectedErrorPending.Instance);
                    _skipUntilSync = true;
                    return new FrontAction(false, FailInPlaceOfParse);
                }
                if (parse.StatementName.Length == 0)
                {
                    _unnamedStatement = (parse.Sql, decision.Analysis);
                }
                else
                {
                    _statements[parse.StatementName] = (parse.Sql, decision.Analysis);
                }
                _tracker.Enqueue(new StatementTracker.ParsePending(_pipeline.Start(command, decision.Analysis, started), parse.StatementName));
                return FrontAction.Pass;
            }
            case FrontendMessageCode.Bind:
            {
                if (_skipUntilSync)
                {
                    return FrontAction.Drop;
                }
                var bind = BindMessage.Parse(body);
                var (sql, analysis) = bind.StatementName.Length == 0 ? _unnamedStatement : _statements.GetValueOrDefault(bind.StatementName, ("", null));
                var portal = new BoundPortal(bind.StatementName, sql, bind.ParameterCount, analysis, bind.ResultFormats);
                if (bind.PortalName.Length == 0)
                {
                    _unnamedPortal = portal;
                }
                else
                {
                    _portals[bind.PortalName] = portal;
                }
                return FrontAction.Pass;
            }
            case FrontendMessageCode.Execute:
            {
                if (_skipUntilSync)
                {
                    return FrontAction.Drop;
                }
                var execute = ExecuteMessage.Parse(body);
                var portal = execute.PortalName.Length == 0 ? _unnamedPortal : _portals.GetValueOrDefault(execute.PortalName, BoundPortal.Unknown);
                var run = _pipeline.Start(new Command(_session, portal.Sql, portal.Parameters), portal.Analysis, _pipeline.Time.GetTimestamp());
                _tracker.Enqueue(new StatementTracker.ExecutePending(run, execute.PortalName, portal));
                return FrontAction.Pass;
            }
            case FrontendMessageCode.Close:
            {
                if (_skipUntilSync)
                {
                    return FrontAction.Drop;
                }
                var close = CloseMessage.Parse(body);
                if (close.Kind == (byte)'S')
                {
                    _statements.Remove(close.Name);
                }
                else
                {
                    _portals.Remove(close.Name);
                    _tracker.Enqueue(new StatementTracker.ClosePortalPending(close.Name));
                }
                return FrontAction.Pass;
            }
            case FrontendMessageCode.Describe:
            {
                if (_skipUntilSync)
                {
                    return FrontAction.Drop;
                }
                // Its RowDescription (or NoData) is how the gateway learns a result's column types.
                var describe = DescribeMessage.Parse(body);
                var described = describe.Kind == (byte)'S' ? null : describe.Name.Length == 0 ? _unnamedPortal : _portals.GetValueOrDefault(describe.Name);
                _tracker.Enqueue(new StatementTracker.DescribePending(describe.Kind == (byte)'S', describe.Name, described));
                return FrontAction.Pass;
            }
            case FrontendMessageCode.Sync:
                _skipUntilSync = false;
                _tracker.Enqueue(StatementTracker.SyncPending.Instance);
                return FrontAction.Pass;
            case FrontendMessageCode.Terminate:
                _terminated = true;
                return FrontAction.Pass;
            default:
                return FrontAction.Pass;
        }
    }

    /// <summary>
    /// A FunctionCall is analyzed, decided and recorded as the equivalent <c>SELECT schema.fn($1, …)</c>; it is refused
    /// like a Query (the transaction it is in fails) when the rule says so or when its OID cannot be resolved.
    /// </summary>
    private async ValueTask<FrontAction> FunctionCallAsync(FunctionCallMessage call, CancellationToken cancellationToken)
    {
        var started = _pipeline.Time.GetTimestamp();
        FunctionResolver.ResolvedFunction function;
        try
        {
            function = await WhileHeldForwardedAsync(new ValueTask<FunctionResolver.ResolvedFunction>(_functions.ResolveAsync(call.FunctionOid, cancellationToken)), cancellationToken);
        }
        catch (FunctionResolutionException e)
        {
            var refusal = Decision.Block($"FunctionCall refused: {e.Message}");
            _pipeline.Record(_session, Sessions.SessionEventKind.Blocked, $"FunctionCall OID {call.FunctionOid}", refusal.Reason);
            return RefuseInPlaceOfQuery(refusal);
        }
        var arguments = string.Join(", ", Enumerable.Range(1, call.ArgumentCount).Select(i => $"${i}"));
        var command = new Command(_session, $"SELECT {function.QualifiedName}({arguments})", call.ArgumentCount);
        var decision = await WhileHeldForwardedAsync(_pipeline.DecideAsync(command, cancellationToken), cancellationToken);
        if (!decision.Allowed)
        {
            return RefuseInPlaceOfQuery(decision);
        }
        // Answered by FunctionCallResponse or ErrorResponse, then ReadyForQuery: tracked like a Query.
        _tracker.Enqueue(new StatementTracker.QueryPending(_pipeline.Start(command, decision.Analysis, started)));
        return FrontAction.Pass;
    }

    /// <summary>
    /// Awaits <paramref name="pending"/> (a decision, a catalog lookup); when it does not complete at once, the allowed
    /// messages read before the one it is for go to the target first, so they never wait on it.
    /// </summary>
    private async ValueTask<T> WhileHeldForwardedAsync<T>(ValueTask<T> pending, CancellationToken cancellationToken)
    {
        if (!pending.IsCompleted && !_held.IsEmpty)
        {
            Copy(_upstreamWriter, _held);
            _held = default;
            _heldForwarded = true;
            await _upstreamWriter.FlushAsync(cancellationToken);
        }
        return await pending;
    }

    /// <summary>
    /// Refuses a Query or FunctionCall: the target fails the transaction in its place; the client gets the refusal, then
    /// the target's ReadyForQuery.
    /// </summary>
    private FrontAction RefuseInPlaceOfQuery(Decision decision)
    {
        _tracker.Enqueue(new StatementTracker.Synthetic(Refusal(decision)));
        _tracker.Enqueue(StatementTracker.InjectedErrorPending.Instance);
        _tracker.Enqueue(StatementTracker.SyncPending.Instance);
        return new FrontAction(false, FailInPlaceOfQuery);
    }

    private async Task<string?> BackendLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await _upstreamReader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                var consumed = await ProcessBackendAsync(buffer, cancellationToken);
                _upstreamReader.AdvanceTo(consumed, buffer.End);
                if (_clientWriter.UnflushedBytes > 0 && (await _clientWriter.FlushAsync(cancellationToken)).IsCompleted)
                {
                    return null;
                }
                if (result.IsCompleted)
                {
                    if (_upstreamFatal is not null || _terminated)
                    {
                        return null;
                    }
                    return buffer.Slice(consumed).IsEmpty && _backRemaining == 0
                        ? "the target closed the connection"
                        : "the target closed the connection mid-message";
                }
            }
        }
        catch (PostgresProtocolException e)
        {
            return $"protocol violation from the target: {e.Message}";
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (IOException e)
        {
            return _terminated ? null : $"connection error: {e.Message}";
        }
        finally
        {
            // The translator is this loop's alone: the window a streamed row rented goes back to the pool.
            _translator.Dispose();
        }
    }

    private async ValueTask<SequencePosition> ProcessBackendAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        var forwardFrom = buffer.Start;
        var position = buffer.Start;
        while (true)
        {
            if (_backRemaining > 0)
            {
                var available = Math.Min(_backRemaining, buffer.Slice(position).Length);
                var slice = buffer.Slice(position, available);
                if (_translator.Streaming)
                {
                    // An oversized DataRow being masked in windows: the translator writes what goes out.
                    _translator.StreamRow(_streamedRun!, slice, _clientWriter);
                    forwardFrom = slice.End;
                }
                else if (_dropRemaining)
                {
                    forwardFrom = slice.End;
                }
                position = slice.End;
                _backRemaining -= available;
                if (_backRemaining > 0)
                {
                    break;
                }
                _dropRemaining = false;
                continue;
            }
            while (_tracker.DequeueSynthetic() is { } synthetic)
            {
                Copy(_clientWriter, buffer.Slice(forwardFrom, position));
                forwardFrom = position;
                _clientWriter.Write(synthetic.Bytes);
            }
            var rest = buffer.Slice(position);
            if (!TryHeader(rest, int.MaxValue, out var header))
            {
                break;
            }
            var code = header.Code;
            var dropping = _translator.Dropping;
            CommandRun? run = null;
            BoundPortal? portal = null;
            if (!dropping && code is BackendMessageCode.DataRow or BackendMessageCode.CopyData or BackendMessageCode.CopyOutResponse
                or BackendMessageCode.CopyDone or BackendMessageCode.NoticeResponse or BackendMessageCode.ErrorResponse)
            {
                run = _tracker.Current(out portal);
            }
            if (code == BackendMessageCode.DataRow)
            {
                _dataRows++; // a chunked fetch's rows are counted here; its tags only count the last chunk
            }
            var total = header.Length + 1L;
            var rowInspected = code == BackendMessageCode.DataRow && run is { InspectsRows: true };
            var inspected = code is BackendMessageCode.CommandComplete or BackendMessageCode.ErrorResponse
                or BackendMessageCode.ReadyForQuery or BackendMessageCode.EmptyQueryResponse or BackendMessageCode.PortalSuspended
                or BackendMessageCode.ParseComplete or BackendMessageCode.ParameterStatus or BackendMessageCode.RowDescription
                or BackendMessageCode.NoData or BackendMessageCode.NoticeResponse or BackendMessageCode.CopyOutResponse
                or BackendMessageCode.CopyDone
                || (rowInspected && header.Length <= ResultTranslator.WholeRowLimit)
                || (code == BackendMessageCode.CopyData && _translator.Copying && !dropping);
            if (rest.Length < total)
            {
                if (inspected && header.Length > _maxMessageSize)
                {
                    throw new PostgresProtocolException($"message '{(char)code}' of {header.Length} bytes exceeds the maximum");
                }
                if (!inspected)
                {
                    Copy(_clientWriter, buffer.Slice(forwardFrom, position));
                    if (rowInspected && run!.Filtered)
                    {
                        // Too large to hold: the header goes out now, the body streams through the stages' windows.
                        Copy(_clientWriter, rest.Slice(0, MessageReader.HeaderSize));
                        await _translator.EnsureColumnsAsync(run, portal, cancellationToken);
                        _translator.BeginStreamRow(run, header.Length - 4);
                        _streamedRun = run;
                        _backRemaining = header.Length - 4;
                        forwardFrom = position = rest.GetPosition(MessageReader.HeaderSize);
                        continue;
                    }
                    if (rowInspected)
                    {
                        run!.CountRow();
                    }
                    _dropRemaining = dropping;
                    _backRemaining = total - rest.Length;
                    forwardFrom = dropping ? buffer.End : position;
                    position = buffer.End;
                }
                break;
            }
            var body = rest.Slice(MessageReader.HeaderSize, header.Length - 4);
            var next = rest.GetPosition(total);
            if (inspected || rowInspected || dropping)
            {
                // What the handler writes must follow what is already waiting to go out.
                Copy(_clientWriter, buffer.Slice(forwardFrom, position));
                forwardFrom = position;
                var forward = dropping
                    ? InspectWhileDropping(code, body)
                    : await InspectBackendAsync(code, body, run, portal, cancellationToken);
                if (!forward)
                {
                    forwardFrom = next;
                }
            }
            else if (code == BackendMessageCode.DataRow)
            {
                run?.CountRow();
            }
            position = next;
        }
        Copy(_clientWriter, buffer.Slice(forwardFrom, position));
        return position;
    }

    /// <summary>After a stopped result: follows what the tracker needs, forwards only what the client still expects (ReadyForQuery, ParameterStatus, notifications).</summary>
    private bool InspectWhileDropping(byte code, ReadOnlySequence<byte> body)
    {
        switch (code)
        {
            case BackendMessageCode.ReadyForQuery or BackendMessageCode.ParameterStatus:
                return InspectBackend(code, body);
            case BackendMessageCode.NotificationResponse:
                return true;
            case BackendMessageCode.ParseComplete or BackendMessageCode.CommandComplete or BackendMessageCode.EmptyQueryResponse
                or BackendMessageCode.PortalSuspended or BackendMessageCode.ErrorResponse:
                InspectBackend(code, body);
                return false;
            case BackendMessageCode.RowDescription or BackendMessageCode.NoData:
                _tracker.OnDescription();
                return false;
            default:
                return false;
        }
    }

    /// <summary>
    /// Follows one backend message and hands results to the <see cref="ResultTranslator"/>; false when the client must
    /// not get the original (the translator wrote a replacement, or it is the error for an injected failure).
    /// </summary>
    private async ValueTask<bool> InspectBackendAsync(byte code, ReadOnlySequence<byte> body, CommandRun? run, BoundPortal? portal, CancellationToken cancellationToken)
    {
        switch (code)
        {
            case BackendMessageCode.RowDescription:
            {
                var fields = RowDescriptionMessage.Parse(body, ClientEncoding).Fields.ToArray();
                var describe = _tracker.OnDescription();
                await _translator.OnRowDescriptionAsync(fields, describe, describe is null ? _tracker.Current(out _) : null, cancellationToken);
                return true;
            }
            case BackendMessageCode.NoData:
                _tracker.OnDescription();
                return true;
            case BackendMessageCode.DataRow when run is { InspectsRows: true }:
                await _translator.EnsureColumnsAsync(run, portal, cancellationToken);
                return _translator.DataRow(run, body, _clientWriter);
            case BackendMessageCode.CopyOutResponse:
                return run is not { InspectsRows: true } || _translator.OnCopyOut(run, body, _clientWriter);
            case BackendMessageCode.CopyData when run is not null && _translator.Copying:
                _translator.CopyData(run, body, _clientWriter, done: false);
                return false;
            case BackendMessageCode.CopyDone:
                if (run is not null && _translator.Copying)
                {
                    _translator.CopyData(run, ReadOnlySequence<byte>.Empty, _clientWriter, done: true);
                }
                return !_translator.Dropping;
            case BackendMessageCode.NoticeResponse:
                return run is null || _translator.Notice(run, code, ErrorResponseMessage.Parse(body, ClientEncoding), _clientWriter);
            case BackendMessageCode.ErrorResponse when run is not null && !_tracker.InjectedErrorNext():
            {
                // Read strictly as UTF-8 as the tracker always has; in a session of another encoding the translator
                // needs the text as that encoding decodes it (what it writes back), so only then is it read twice.
                var error = ErrorResponseMessage.Parse(body);
                var asSent = ClientEncoding is { } encoding && encoding != System.Text.Encoding.UTF8 ? ErrorResponseMessage.Parse(body, encoding) : error;
                var forward = _translator.Notice(run, code, asSent, _clientWriter);
                return OnErrorResponse(error) && forward;
            }
            default:
                return InspectBackend(code, body);
        }
    }

    private System.Text.Encoding? ClientEncoding => _translator.ClientEncoding;

    /// <summary>Follows an ErrorResponse; false when it answers the gateway's injected failure (the client must not get it).</summary>
    private bool OnErrorResponse(ErrorResponseMessage error)
    {
        if (error.Severity == "ERROR" && _tracker.TakeInjectedError())
        {
            // The target's ERROR for the gateway's injected failure: the refusal already took its place.
            return false;
        }
        if (error.Severity is "FATAL" or "PANIC")
        {
            _upstreamFatal = $"target ended the session: {error.Message} (SQLSTATE {error.SqlState})";
        }
        _dataRows = 0;
        _tracker.OnError(error.SqlState, error.Message);
        return true;
    }

    /// <summary>Follows one backend message; false when the client must not get it (the error for an injected failure).</summary>
    private bool InspectBackend(byte code, ReadOnlySequence<byte> body)
    {
        switch (code)
        {
            case BackendMessageCode.ParseComplete:
                _translator.OnParseComplete(_tracker.OnParseComplete());
                break;
            case BackendMessageCode.CommandComplete:
                var complete = CommandCompleteMessage.Parse(body);
                _tracker.OnCommandComplete(complete.Tag, complete.Rows, TakeDataRows());
                break;
            case BackendMessageCode.EmptyQueryResponse:
                _tracker.OnCommandComplete(null, null, TakeDataRows());
                break;
            case BackendMessageCode.PortalSuspended:
                _tracker.OnPortalSuspended(TakeDataRows());
                break;
            case BackendMessageCode.ErrorResponse:
                return OnErrorResponse(ErrorResponseMessage.Parse(body));
            case BackendMessageCode.ReadyForQuery:
            {
                _dataRows = 0;
                if (_tracker.TakeInjectedReady())
                {
                    return false; // answers the gateway's own failing query, not the client
                }
                var received = ReadyForQueryMessage.Parse(body).TransactionStatus;
                _tracker.OnReadyForQuery(received);
                var sent = _translator.OnReadyForQuery(received);
                if (sent != received)
                {
                    BackendMessageWriter.WriteReadyForQuery(_clientWriter, sent);
                    return false;
                }
                break;
            }
            case BackendMessageCode.ParameterStatus:
                // The analyzer lexes with what the server reports (standard_conforming_strings); an encoding the
                // gateway cannot read as the server does ends the session.
                var status = ParameterStatusMessage.Parse(body);
                _session.ServerParameters.Set(status.Name, status.Value);
                if (status.Name == "client_encoding" && ClientEncodingPolicy.Refusal(status.Value) is { } refusal)
                {
                    _session.Terminate(refusal);
                }
                break;
        }
        return true;
    }

    /// <summary>
    /// Sent to the target in place of a refused Query: text the server cannot parse, so it raises an error where the
    /// statement would have run and nothing executes. In a transaction block the block fails as after any server error
    /// (COMMIT answers ROLLBACK, what follows gets 25P02); outside one it changes nothing. The text explains itself in
    /// the server's log.
    /// </summary>
    private static void FailInPlaceOfQuery(IBufferWriter<byte> writer) =>
        FrontendMessageWriter.WriteQuery(writer, "vigil_refused_statement -- the Vigil gateway refused the client's statement; this error fails its transaction");

    /// <summary>
    /// Sent in place of a refused Parse: an Execute of a portal that cannot exist (34000), so the target fails the batch
    /// up to the client's Sync exactly as it would after its own error (§55.2.3).
    /// </summary>
    private static void FailInPlaceOfParse(IBufferWriter<byte> writer) =>
        FrontendMessageWriter.WriteExecute(writer, "vigil: refused statement");

    private long TakeDataRows()
    {
        var rows = _dataRows;
        _dataRows = 0;
        return rows;
    }

    private async Task SendFatalAsync(string sqlState, string message)
    {
        if (_backRemaining > 0)
        {
            return; // mid-message on the client side: an ErrorResponse now would corrupt the stream; just close.
        }
        BackendMessageWriter.WriteErrorResponse(_clientWriter, "FATAL", sqlState, message);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await TryAsync(_clientWriter.FlushAsync(timeout.Token).AsTask());
    }

    private static byte[] Refusal(Decision decision)
    {
        var writer = new ArrayBufferWriter<byte>(128);
        BackendMessageWriter.WriteErrorResponse(writer, "ERROR", decision.SqlState, "vigil: " + decision.Reason, decision.Detail);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Moves past what is available of a streamed message; true when the message has been passed whole.</summary>
    private static bool PassThrough(ReadOnlySequence<byte> buffer, ref SequencePosition position, ref long remaining)
    {
        var available = Math.Min(remaining, buffer.Slice(position).Length);
        position = buffer.GetPosition(available, position);
        remaining -= available;
        return remaining == 0;
    }

    private static bool TryHeader(ReadOnlySequence<byte> rest, int maxMessageSize, out MessageHeader header)
    {
        var reader = new SequenceReader<byte>(rest);
        return MessageReader.TryReadHeader(ref reader, maxMessageSize, out header);
    }

    private static void Copy(PipeWriter writer, ReadOnlySequence<byte> slice)
    {
        foreach (var segment in slice)
        {
            writer.Write(segment.Span);
        }
    }

    private static async Task<bool> TryAsync(Task task)
    {
        try
        {
            await task;
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }
}
