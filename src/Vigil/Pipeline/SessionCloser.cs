using Vigil.Analysis;
using Vigil.Analytics;
using Vigil.Sessions;
using Vigil.Storage;
using Vigil.Webhooks;

namespace Vigil.Pipeline;

/// <summary>
/// The data of the <c>session.open</c> and <c>session.close</c> events: <c>{id, type, connection, user, client_address,
/// status, exit_code, reason, ai_analysis, at}</c>.
/// </summary>
public sealed record SessionEventData(
    string Id, string Type, string Connection, string User, string? ClientAddress, string Status, int? ExitCode, string? Reason,
    Analysis.AiAnalysis? AiAnalysis, string At);

/// <summary>
/// The one owner of a session's end: records it (<see cref="SessionClose"/>), publishes <c>session.close</c>, and
/// writes the analyzer's provider usage as an analytics event. Adapters end open sessions through
/// <see cref="CommandPipeline.CloseSessionAsync"/>; reviews end an exec session that already returned (it waited for a
/// review that was then rejected, cancelled or expired) through <see cref="CloseEnded"/>.
/// </summary>
public sealed class SessionCloser(SessionRecorder recorder, AnalyticsLog analytics, IEventPublisher events, TimeProvider time)
{
    /// <summary>Publishes <c>session.open</c> for a session that opened (or an exec session that runs again).</summary>
    public void PublishOpened(SessionContext session) =>
        events.Publish(GatewayEventTypes.SessionOpen, EventData(session, SessionStatus.Open, null, null));

    /// <summary>
    /// Records the end of <paramref name="session"/> with its status (<see cref="SessionStatus"/>) and, on failure, the
    /// reason; when it used the analyzer's provider, writes its usage as an analytics event.
    /// </summary>
    public async Task CloseAsync(SessionContext session, string status, string? reason, int? exitCode)
    {
        session.Dispose();
        recorder.Closed(new SessionClose(session.Id, status, exitCode, reason, time.GetUtcNow()));
        events.Publish(GatewayEventTypes.SessionClose, EventData(session, status, exitCode, reason));
        if (session.Usage.Any)
        {
            await analytics.RecordAsync(AnalyticsEventType.AnalysisUsage, session.Identity.Name, session.Id, session.Usage.Read(), CancellationToken.None);
        }
    }

    /// <summary>
    /// Ends one-off session <paramref name="sessionId"/> (of type <paramref name="sessionType"/>, <c>exec</c> or <c>mcp</c>), which no longer runs (it returned <c>waiting_review</c>), with
    /// <paramref name="status"/>: records it and publishes <c>session.close</c>.
    /// </summary>
    public void CloseEnded(string sessionId, string sessionType, string connection, string user, AiAnalysis? analysis, string status, int exitCode, string reason)
    {
        var at = time.GetUtcNow();
        recorder.Closed(new SessionClose(sessionId, status, exitCode, reason, at));
        events.Publish(GatewayEventTypes.SessionClose, new SessionEventData(
            sessionId, sessionType, connection, user, null, status, exitCode, reason, StatementRedaction.Redact(analysis), Rfc3339.Format(at)));
    }

    private SessionEventData EventData(SessionContext session, string status, int? exitCode, string? reason) => new(
        session.Id, session.Type.Name(), session.Connection.Name, session.Identity.Name, session.ClientAddress,
        status, exitCode, reason, StatementRedaction.Redact(session.WorstAnalysis), Rfc3339.Format(time.GetUtcNow()));
}
