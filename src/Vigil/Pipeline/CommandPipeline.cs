using System.Collections.Concurrent;
using Vigil.Analytics;
using Vigil.Connections;
using Vigil.Identity;
using Vigil.Identity.Tokens;
using Vigil.Sessions;

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
}

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
    /// <see cref="ConnectionAccess.CanSee"/> (groups, token narrowing) and <see cref="ConnectionAccess.AllowsMode"/>. It is terminated when
    /// the caller's credential expires.
    /// </summary>
    public async Task<(SessionContext? Session, SessionRefusal Refusal)> OpenSessionAsync(
        CallerIdentity identity, string connectionName, SessionType type, string? clientUser, string? clientAddress,
        CancellationToken cancellationToken)
    {
        var connection = await connections.FindAsync(connectionName, cancellationToken);
        if (connection is null)
        {
            return (null, SessionRefusal.UnknownConnection);
        }
        if (!ConnectionAccess.CanSee(identity, connection))
        {
            return (null, SessionRefusal.Forbidden);
        }
        if (!ConnectionAccess.AllowsMode(connection, type))
        {
            return (null, SessionRefusal.ModeNotAllowed);
        }
        var session = new SessionContext(Guid.NewGuid().ToString(), identity, connection, type, clientUser, clientAddress, time.GetUtcNow());
        _open[session.Id] = session;
        if (identity.TokenExpiresAt is { } expiry)
        {
            session.TerminateAt(expiry, "the credential expired", time);
        }
        recorder.Opened(session);
        return (session, SessionRefusal.None);
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

    /// <summary>Runs the pre-execution stages; a refusal is recorded as a <c>blocked</c> event before it is returned.</summary>
    public ValueTask<Decision> DecideAsync(Command command, CancellationToken cancellationToken)
    {
        return _stages.Length == 0 ? ValueTask.FromResult(Decision.Allow) : RunStagesAsync(command, cancellationToken);
    }

    /// <summary>Records a command's outcome, with its analysis, as a <c>statement</c> event.</summary>
    public void Completed(Command command, CommandOutcome outcome)
    {
        var session = command.Session;
        recorder.Append(new SessionEvent(
            session.Id, session.NextSequence(), time.GetUtcNow(), SessionEventKind.Statement, command.Input,
            command.ParameterCount, outcome.DurationMicroseconds, outcome.CommandTag, outcome.Rows, outcome.SqlState, outcome.ErrorMessage,
            command.Analysis));
    }

    /// <summary>Records a free-form event (exec input and output).</summary>
    public void Record(SessionContext session, string kind, string? text, string? message = null) =>
        recorder.Append(new SessionEvent(session.Id, session.NextSequence(), time.GetUtcNow(), kind, text, Message: message));

    /// <summary>
    /// Records the session's end with its status (<see cref="SessionStatus"/>) and, on failure, the reason; when it used
    /// the analyzer's provider, writes its usage as an analytics event.
    /// </summary>
    public async Task CloseSessionAsync(SessionContext session, string status, string? reason, int? exitCode = null)
    {
        _open.TryRemove(session.Id, out _);
        session.Dispose();
        recorder.Closed(new SessionClose(session.Id, status, exitCode, reason, time.GetUtcNow()));
        if (session.Usage.Any)
        {
            await analytics.RecordAsync(AnalyticsEventType.AnalysisUsage, session.Identity.Name, session.Id, session.Usage.Read(), CancellationToken.None);
        }
    }

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
                var session = command.Session;
                recorder.Append(new SessionEvent(
                    session.Id, session.NextSequence(), time.GetUtcNow(), SessionEventKind.Blocked, command.Input,
                    Message: decision.Reason, Analysis: command.Analysis));
                return decision;
            }
        }
        return Decision.Allow;
    }
}
