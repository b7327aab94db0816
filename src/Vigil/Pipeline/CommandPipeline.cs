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
/// The data of the <c>session.open</c> and <c>session.close</c> events: <c>{id, type, connection, user, client_address,
/// status, exit_code, reason, ai_analysis, at}</c>.
/// </summary>
public sealed record SessionEventData(
    string Id, string Type, string Connection, string User, string? ClientAddress, string Status, int? ExitCode, string? Reason,
    Analysis.AiAnalysis? AiAnalysis, string At);

/// <summary>
/// The one path every command takes, whatever protocol brought it: identify and authorize (when the session opens),
/// the pre-execution <see cref="ICommandStage"/>s (<see cref="DecideAsync"/>), execution by the adapter, then
/// recording (<see cref="Completed"/>). Adapters only translate; policy lives here.
/// </summary>
public sealed class CommandPipeline(
    TokenService tokens,
    ConnectionRepository connections,
    SessionRecorder recorder,
    IEnumerable<ICommandStage> stages,
    AnalyticsLog analytics,
    ReviewRepository reviews,
    IEventPublisher events,
    StatementLimits limits,
    TimeProvider time)
{
    private readonly ICommandStage[] _stages = stages.ToArray();
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
        CallerIdentity identity, string connectionName, SessionType type, string? clientUser, string? clientAddress,
        CancellationToken cancellationToken)
    {
        var (connection, accessUntil, refusal) = await AuthorizeAsync(identity, connectionName, type, cancellationToken);
        if (connection is null)
        {
            return (null, refusal);
        }
        var session = new SessionContext(Guid.NewGuid().ToString(), identity, connection, type, clientUser, clientAddress, time.GetUtcNow());
        Track(session, accessUntil);
        recorder.Opened(session);
        events.Publish(GatewayEventTypes.SessionOpen, EventData(session, SessionStatus.Open, null, null));
        return (session, SessionRefusal.None);
    }

    /// <summary>
    /// Runs an ended exec session again (its command was approved): the same id, events numbered on from
    /// <paramref name="lastSequence"/>, status back to open. The caller has passed <see cref="AuthorizeAsync"/>.
    /// </summary>
    public SessionContext ResumeSession(CallerIdentity identity, Connection connection, string sessionId, int lastSequence, string? clientAddress)
    {
        var session = new SessionContext(sessionId, identity, connection, SessionType.Exec, null, clientAddress, time.GetUtcNow(), lastSequence);
        Track(session, null);
        recorder.Reopened(new SessionReopen(sessionId));
        events.Publish(GatewayEventTypes.SessionOpen, EventData(session, SessionStatus.Open, null, null));
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
    /// Runs the pre-execution stages; a refusal is recorded as a <c>blocked</c> event before it is returned. On a
    /// connection with <c>recording: strict</c> an allowed command is then recorded as an <c>input</c> event (an exec
    /// session recorded its script as one already) and the answer waits until that is durable, so the adapter forwards
    /// nothing unrecorded; a command that cannot be recorded is refused.
    /// </summary>
    public ValueTask<Decision> DecideAsync(Command command, CancellationToken cancellationToken)
    {
        if (command.Session.Connection.Recording == RecordingMode.Strict)
        {
            return DecideStrictAsync(command, cancellationToken);
        }
        return _stages.Length == 0 ? ValueTask.FromResult(Decision.Allow) : RunStagesAsync(command, cancellationToken);
    }

    /// <summary>
    /// True once everything <paramref name="session"/> recorded so far is durable when its connection records
    /// strictly (at once otherwise); false when it could not be written, and the adapter must not run the command.
    /// </summary>
    public Task<bool> RecordedDurablyAsync(SessionContext session, CancellationToken cancellationToken) =>
        session.Connection.Recording == RecordingMode.Strict ? recorder.DurableAsync(cancellationToken) : Task.FromResult(true);

    /// <summary>Why a strictly recorded command was refused.</summary>
    public const string NotRecordedReason = "not forwarded: the command could not be recorded durably (connection recording: strict)";

    private async ValueTask<Decision> DecideStrictAsync(Command command, CancellationToken cancellationToken)
    {
        var decision = _stages.Length == 0 ? Decision.Allow : await RunStagesAsync(command, cancellationToken);
        if (!decision.Allowed)
        {
            return decision;
        }
        var session = command.Session;
        if (session.Type != SessionType.Exec)
        {
            recorder.Append(CommandEvent(session, SessionEventKind.Input, command.Input, command.ParameterCount, analysis: command.Analysis));
        }
        if (await recorder.DurableAsync(cancellationToken))
        {
            return Decision.Allow;
        }
        recorder.Append(CommandEvent(session, SessionEventKind.Blocked, command.Input, message: NotRecordedReason, analysis: command.Analysis));
        return Decision.Block(NotRecordedReason);
    }

    /// <summary>Records a command's outcome, with its analysis, as a <c>statement</c> event.</summary>
    public void Completed(Command command, CommandOutcome outcome)
    {
        recorder.Append(CommandEvent(
            command.Session, SessionEventKind.Statement, command.Input, command.ParameterCount, outcome.ErrorMessage, command.Analysis, outcome));
    }

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

    /// <summary>
    /// Records the session's end with its status (<see cref="SessionStatus"/>) and, on failure, the reason; when it used
    /// the analyzer's provider, writes its usage as an analytics event.
    /// </summary>
    public async Task CloseSessionAsync(SessionContext session, string status, string? reason, int? exitCode = null)
    {
        _open.TryRemove(session.Id, out _);
        session.Dispose();
        recorder.Closed(new SessionClose(session.Id, status, exitCode, reason, time.GetUtcNow()));
        events.Publish(GatewayEventTypes.SessionClose, EventData(session, status, exitCode, reason));
        if (session.Usage.Any)
        {
            await analytics.RecordAsync(AnalyticsEventType.AnalysisUsage, session.Identity.Name, session.Id, session.Usage.Read(), CancellationToken.None);
        }
    }

    private SessionEventData EventData(SessionContext session, string status, int? exitCode, string? reason) => new(
        session.Id, session.Type.Name(), session.Connection.Name, session.Identity.Name, session.ClientAddress,
        status, exitCode, reason, StatementRedaction.Redact(session.WorstAnalysis), Rfc3339.Format(time.GetUtcNow()));

    private async ValueTask<Decision> RunStagesAsync(Command command, CancellationToken cancellationToken)
    {
        foreach (var stage in _stages)
        {
            var decision = await stage.EvaluateAsync(command, cancellationToken);
            if (command.Analysis is { } analysis && command.Session.RaiseWorst(analysis))
            {
                recorder.Append(new SessionAnalysisChange(command.Session.Id, analysis));
            }
            if (!decision.Allowed)
            {
                recorder.Append(CommandEvent(command.Session, SessionEventKind.Blocked, command.Input, message: decision.Reason, analysis: command.Analysis));
                return decision;
            }
        }
        return Decision.Allow;
    }
}
