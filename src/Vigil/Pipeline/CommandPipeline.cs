using System.Collections.Concurrent;
using Vigil.Analytics;
using Vigil.Connections;
using Vigil.Identity;
using Vigil.Identity.Tokens;
using Vigil.Reviews;
using Vigil.Sessions;
using Vigil.Storage;
using Vigil.Webhooks;

namespace Vigil.Pipeline;

/// <summary>Why a session could not open. Adapters map these to protocol replies (PostgreSQL FATAL 28P01, 3D000, 42501; HTTP 401, 404, 403).</summary>
public enum SessionRefusal
{
    /// <summary>The session opened.</summary>
    None,
    /// <summary>No connection has that name.</summary>
    UnknownConnection,
    /// <summary>The identity may not use the connection.</summary>
    Forbidden,
    /// <summary>The connection does not allow this access mode (exec or connect).</summary>
    ModeNotAllowed,
    /// <summary>The connection requires just-in-time access for native clients and the identity has none active.</summary>
    AccessRequestRequired,
}

/// <summary>
/// The one path every command takes, whatever protocol brought it, in this order (DESIGN.md):
/// identify and authorize (<see cref="OpenSessionAsync"/>); before execution (<see cref="DecideAsync"/>):
/// guardrails(in) → analyze → decide (rule action, reviews, hold); execution by the adapter; after execution
/// (<see cref="Start"/>, a <see cref="CommandRun"/> the adapter feeds row by row): guardrails(out) → mask → record.
/// Adapters only translate; policy lives here.
/// </summary>
public sealed class CommandPipeline(
    TokenService tokens,
    ConnectionRepository connections,
    SessionRecorder recorder,
    IEnumerable<IInputStage> inputStages,
    IAnalysisStage analysis,
    IDecisionStage decision,
    IEnumerable<IResultStage> resultStages,
    SessionCloser closer,
    ReviewRepository reviews,
    StatementLimits limits,
    TimeProvider time)
{
    private readonly IInputStage[] _inputStages = inputStages.ToArray();
    private readonly IResultStage[] _resultStages = resultStages.OrderBy(s => s.Order).ToArray();
    private readonly ConcurrentDictionary<string, SessionContext> _open = new(StringComparer.Ordinal);

    /// <summary>The clock adapters use to time commands (monotonic timestamps for durations).</summary>
    public TimeProvider Time => time;

    /// <summary>Resolves an API token to its identity; null when unknown or expired.</summary>
    public Task<CallerIdentity?> IdentifyAsync(string? token, CancellationToken cancellationToken) =>
        tokens.AuthenticateAsync(token, cancellationToken);

    /// <summary>
    /// Opens a session of <paramref name="identity"/> on <paramref name="connectionName"/> and records it, after
    /// <see cref="AuthorizeAsync"/>. It is terminated when the caller's credential expires, or when the just-in-time
    /// access it opened under ends, whichever comes first.
    /// </summary>
    public async Task<(SessionContext? Session, SessionRefusal Refusal)> OpenSessionAsync(
        CallerIdentity identity, string connectionName, SessionType type, string? clientUser, string? clientAddress, SessionClient? client,
        CancellationToken cancellationToken)
    {
        var (connection, accessUntil, refusal) = await AuthorizeAsync(identity, connectionName, type, cancellationToken);
        if (connection is null)
        {
            return (null, refusal);
        }
        var session = new SessionContext(Guid.NewGuid().ToString(), identity, connection, type, clientUser, clientAddress, time.GetUtcNow(), client: client);
        Track(session, accessUntil);
        recorder.Opened(session);
        closer.PublishOpened(session);
        return (session, SessionRefusal.None);
    }

    /// <summary>
    /// Runs an ended exec session again (its command was approved): the same id, events numbered on from
    /// <paramref name="lastSequence"/>, status back to open. The caller has passed <see cref="AuthorizeAsync"/>.
    /// </summary>
    public SessionContext ResumeSession(CallerIdentity identity, Connection connection, SessionType type, string sessionId, int lastSequence, string? clientAddress)
    {
        var session = new SessionContext(sessionId, identity, connection, type, null, clientAddress, time.GetUtcNow(), lastSequence);
        Track(session, null);
        recorder.Reopened(new SessionReopen(sessionId));
        closer.PublishOpened(session);
        return session;
    }

    /// <summary>
    /// Whether <paramref name="identity"/> may use <paramref name="connectionName"/> for <paramref name="type"/>:
    /// <see cref="ConnectionAccess.CanSee"/> (groups, token narrowing), <see cref="ConnectionAccess.AllowsMode"/>, and for
    /// native clients of a connection with <c>require_jit_for_connect</c> an approved access request that has not
    /// ended (returned as <c>AccessUntil</c>).
    /// </summary>
    public async Task<(Connection? Connection, DateTimeOffset? AccessUntil, SessionRefusal Refusal)> AuthorizeAsync(
        CallerIdentity identity, string connectionName, SessionType type, CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(connectionName, cancellationToken);
        if (connection is null)
        {
            return (null, null, SessionRefusal.UnknownConnection);
        }
        if (!ConnectionAccess.CanSee(identity, connection))
        {
            return (null, null, SessionRefusal.Forbidden);
        }
        if (!ConnectionAccess.AllowsMode(connection, type))
        {
            return (null, null, SessionRefusal.ModeNotAllowed);
        }
        if (type == SessionType.Connect && connection.Reviews.RequireJitForConnect)
        {
            var until = await reviews.ActiveAccessUntilAsync(connection.Name, identity.UserId, time.GetUtcNow(), cancellationToken);
            return until is null ? (null, null, SessionRefusal.AccessRequestRequired) : (connection, until, SessionRefusal.None);
        }
        return (connection, null, SessionRefusal.None);
    }

    private void Track(SessionContext session, DateTimeOffset? accessUntil)
    {
        session.AccessUntil = accessUntil;
        var credential = session.Identity.TokenExpiresAt;
        if (accessUntil is { } access && (credential is null || access < credential))
        {
            session.TerminateAt(access, "the just-in-time access expired", time);
        }
        else if (credential is { } expiry)
        {
            session.TerminateAt(expiry, "the credential expired", time);
        }
        // Only once nothing above can throw: a session in the open set is one that CloseSessionAsync will remove.
        _open[session.Id] = session;
    }

    /// <summary>
    /// Terminates every open session that <paramref name="match"/> selects, for <paramref name="reason"/> (a user was
    /// deactivated or deleted, a token revoked).
    /// </summary>
    public void TerminateSessions(Func<SessionContext, bool> match, string reason)
    {
        foreach (var session in _open.Values.Where(match))
        {
            session.Terminate(reason);
        }
    }

    /// <summary>
    /// Before execution: guardrails(in) → analyze → decide. Returns the decision with the verdict it was made on
    /// (<see cref="Decision.Analysis"/>); a refusal is recorded as a <c>blocked</c> event before it is returned. On a
    /// connection with <c>recording: strict</c> an allowed command is then recorded as an <c>input</c> event (an exec
    /// session recorded its script as one already) and the answer waits until that is durable, so the adapter forwards
    /// nothing unrecorded; a command that cannot be recorded is refused.
    /// </summary>
    public async ValueTask<Decision> DecideAsync(Command command, CancellationToken cancellationToken)
    {
        var decided = await BeforeExecutionAsync(command, cancellationToken);
        if (!decided.Allowed)
        {
            recorder.Append(CommandEvent(command.Session, SessionEventKind.Blocked, command.Input, message: decided.Reason, analysis: decided.Analysis));
            return decided;
        }
        return command.Session.Connection.Recording == RecordingMode.Strict ? await RecordStrictlyAsync(command, decided, cancellationToken) : decided;
    }

    private async ValueTask<Decision> BeforeExecutionAsync(Command command, CancellationToken cancellationToken)
    {
        foreach (var stage in _inputStages)
        {
            if (await stage.CheckAsync(command, cancellationToken) is { Allowed: false } refused)
            {
                return refused;
            }
        }
        var verdict = await analysis.AnalyzeAsync(command, cancellationToken);
        if (verdict is not null && command.Session.RaiseWorst(verdict))
        {
            recorder.Append(new SessionAnalysisChange(command.Session.Id, verdict));
        }
        return await decision.DecideAsync(command, verdict, cancellationToken) with { Analysis = verdict };
    }

    /// <summary>
    /// True once everything <paramref name="session"/> recorded so far is durable when its connection records
    /// strictly (at once otherwise); false when it could not be written, and the adapter must not run the command.
    /// </summary>
    public Task<bool> RecordedDurablyAsync(SessionContext session, CancellationToken cancellationToken) =>
        session.Connection.Recording == RecordingMode.Strict ? recorder.DurableAsync(cancellationToken) : Task.FromResult(true);

    /// <summary>Why a strictly recorded command was refused.</summary>
    public const string NotRecordedReason = "not forwarded: the command could not be recorded durably (connection recording: strict)";

    private async ValueTask<Decision> RecordStrictlyAsync(Command command, Decision allowed, CancellationToken cancellationToken)
    {
        var session = command.Session;
        if (!session.Type.IsOneOff())
        {
            recorder.Append(CommandEvent(session, SessionEventKind.Input, command.Input, command.ParameterCount, analysis: allowed.Analysis));
        }
        if (await recorder.DurableAsync(cancellationToken))
        {
            return allowed;
        }
        recorder.Append(CommandEvent(session, SessionEventKind.Blocked, command.Input, message: NotRecordedReason, analysis: allowed.Analysis));
        return Decision.Block(NotRecordedReason) with { Analysis = allowed.Analysis };
    }

    /// <summary>
    /// After execution: the result chain for an allowed <paramref name="command"/> that ran under
    /// <paramref name="verdict"/> from <paramref name="startTimestamp"/> (<see cref="TimeProvider.GetTimestamp"/>). The
    /// adapter feeds it the target's answer and completes it once.
    /// </summary>
    public CommandRun Start(Command command, Analysis.AiAnalysis? verdict, long startTimestamp) =>
        new(this, command, verdict, startTimestamp, OpenFilters(command));

    /// <summary>
    /// The result chain for target output that answers no command the client sent (an interactive terminal's login
    /// banner and first prompt): filtered (output guardrails, masking) as a result of <paramref name="context"/> would be,
    /// but never recorded as a statement; the adapter records the stream itself (a terminal recording).
    /// </summary>
    public CommandRun StartOutput(Command context) => new(this, context, null, time.GetTimestamp(), OpenFilters(context), record: false);

    private IResultFilter[] OpenFilters(Command command)
    {
        IResultFilter[] filters = [];
        foreach (var stage in _resultStages)
        {
            if (stage.Open(command) is { } filter)
            {
                filters = [.. filters, filter];
            }
        }
        return filters;
    }

    /// <summary>Records a completed run as a <c>statement</c> event with its analysis, recorded result and notices.</summary>
    internal void Completed(CommandRun run, CommandOutcome outcome, RecordedResult? result, IReadOnlyList<RecordedNotice>? notices) =>
        recorder.Append(CommandEvent(run.Command.Session, SessionEventKind.Statement, run.Command.Input, run.Command.ParameterCount, outcome.ErrorMessage, run.Analysis, outcome) with
        {
            Result = result,
            Notices = notices,
        });

    /// <summary>
    /// Records a free-form event (exec input and output). Input is capped like statements (<c>VIGIL_RECORDING_MAX_TEXT</c>,
    /// with the whole text's length and SHA-256); output is the result the caller was shown and is kept whole.
    /// </summary>
    public void Record(SessionContext session, string kind, string? text, string? message = null) =>
        recorder.Append(kind == SessionEventKind.Output
            ? new SessionEvent(session.Id, session.NextSequence(), time.GetUtcNow(), kind, text, Message: message)
            : CommandEvent(session, kind, text, message: message));

    /// <summary>
    /// An event that carries a command's text, capped at <see cref="StatementLimits.RecordingMaxText"/> characters with
    /// the whole text's length and SHA-256 (<see cref="RecordedText"/>), and its outcome when it ran.
    /// </summary>
    private SessionEvent CommandEvent(
        SessionContext session, string kind, string? text, int? parameterCount = null, string? message = null, Analysis.AiAnalysis? analysis = null,
        CommandOutcome? outcome = null)
    {
        var kept = RecordedText.Cap(text, limits.RecordingMaxText);
        return new SessionEvent(
            session.Id, session.NextSequence(), time.GetUtcNow(), kind, kept.Text, parameterCount, outcome?.DurationMicroseconds,
            outcome?.CommandTag, outcome?.Rows, outcome?.SqlState, message, analysis, kept.Length, kept.Sha256);
    }

    /// <summary>Ends <paramref name="session"/> (<see cref="SessionCloser.CloseAsync"/>); it leaves the open set first.</summary>
    public Task CloseSessionAsync(SessionContext session, string status, string? reason, int? exitCode = null)
    {
        _open.TryRemove(session.Id, out _);
        return closer.CloseAsync(session, status, reason, exitCode);
    }
}
