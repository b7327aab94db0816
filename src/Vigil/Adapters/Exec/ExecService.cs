using Vigil.Analysis;
using Vigil.Identity;
using Vigil.Pipeline;
using Vigil.Reviews;
using Vigil.Sessions;

namespace Vigil.Adapters.Exec;

/// <summary>
/// The response of <c>POST /api/sessions</c> and <c>POST /api/reviews/{id}/execute</c>:
/// <c>{id, status, exit_code, output, reason, ai_analysis, review}</c>. Exit codes follow <c>vigil exec</c>: 0 done,
/// 1 failed, 2 blocked, 4 waiting for review (<c>review</c> is <c>{id, status, url, expires_at}</c>).
/// </summary>
public sealed record ExecResponse(string Id, string Status, int ExitCode, string Output, string? Reason, AiAnalysis? AiAnalysis, ReviewRef? Review);

/// <summary>
/// The exec adapter: opens a session, turns the script into one pipeline command (<see cref="CommandPipeline.DecideAsync"/>),
/// runs an allowed one with the executor of the connection's type (<see cref="IExecExecutor"/>), each statement through
/// the result stages (<see cref="ExecTranscript"/>), records the input and the printed output, and closes the session;
/// runs an approved review's command in the session that asked for it. Exit codes: 0 done, 1 failed, 2 blocked (also
/// when an output guardrail stopped a result), 4 waiting for review.
/// </summary>
public sealed class ExecService(
    CommandPipeline pipeline, ReviewService reviews, SessionRepository sessions, SessionRecorder recorder, IEnumerable<IExecExecutor> executors,
    TimeProvider time)
{
    private readonly Dictionary<string, IExecExecutor> _executors = executors.ToDictionary(e => e.ConnectionType, StringComparer.Ordinal);

    /// <summary>Runs <paramref name="script"/> as <paramref name="caller"/> on <paramref name="connectionName"/>.</summary>
    public async Task<(ExecResponse? Response, SessionRefusal Refusal)> RunAsync(
        CallerIdentity caller, string connectionName, string script, string? clientAddress, CancellationToken cancellationToken)
    {
        var (session, refusal) = await pipeline.OpenSessionAsync(caller, connectionName, SessionType.Exec, null, clientAddress, cancellationToken);
        if (session is null)
        {
            return (null, refusal);
        }
        pipeline.Record(session, SessionEventKind.Input, script);
        var command = new Command(session, script);
        var decision = await pipeline.DecideAsync(command, cancellationToken);
        if (!decision.Allowed)
        {
            var (refused, exit) = decision.Kind == DecisionKind.RequireApproval ? (SessionStatus.WaitingReview, 4) : (SessionStatus.Blocked, 2);
            var message = $"vigil: {decision.Reason}\n" + (decision.Detail is { } detail ? detail + "\n" : "");
            await pipeline.CloseSessionAsync(session, refused, decision.Reason, exit);
            return (new ExecResponse(session.Id, refused, exit, message, decision.Reason, decision.Analysis, decision.Review), SessionRefusal.None);
        }
        return (await ExecuteAsync(command, decision.Analysis, cancellationToken), SessionRefusal.None);
    }

    /// <summary>
    /// Runs the command of approved review <paramref name="reviewId"/> once, for its requester, in the exec session
    /// that asked for it, exactly as reviewed (no new analysis: the approval is bound to this input). The review is
    /// <c>executed</c> afterwards; a second call is a conflict.
    /// </summary>
    public async Task<(ExecResponse? Response, ReviewResult? Refusal, SessionRefusal Access)> ExecuteReviewAsync(
        CallerIdentity caller, string reviewId, string? clientAddress, CancellationToken cancellationToken)
    {
        var review = await reviews.FindVisibleAsync(caller, reviewId, cancellationToken);
        if (review is null)
        {
            return (null, ReviewResult.NotFound(reviewId), SessionRefusal.None);
        }
        var (connection, _, access) = await pipeline.AuthorizeAsync(caller, review.Connection, SessionType.Exec, cancellationToken);
        if (connection is null && review.RequestedById == caller.UserId)
        {
            return (null, null, access);
        }
        var claim = await reviews.ClaimAsync(caller, review, cancellationToken);
        if (claim.Outcome != ReviewOutcome.Ok)
        {
            return (null, claim, SessionRefusal.None);
        }
        review = claim.Review!;
        await recorder.FlushAsync(cancellationToken);
        var lastSequence = await sessions.LastSequenceAsync(review.SessionId!, cancellationToken);
        var session = pipeline.ResumeSession(caller, connection!, review.SessionId!, lastSequence, clientAddress);
        pipeline.Record(session, SessionEventKind.Approved, review.Input, ApprovalNote(review));
        var command = new Command(session, review.Input);
        if (!await pipeline.RecordedDurablyAsync(session, cancellationToken))
        {
            await pipeline.CloseSessionAsync(session, SessionStatus.Failed, CommandPipeline.NotRecordedReason, 1);
            var refused = new ExecResponse(session.Id, SessionStatus.Failed, 1, $"vigil: {CommandPipeline.NotRecordedReason}\n", CommandPipeline.NotRecordedReason, review.AiAnalysis, ReviewRef.From(review));
            return (refused, null, SessionRefusal.None);
        }
        var response = await ExecuteAsync(command, review.AiAnalysis, cancellationToken);
        return (response with { Review = ReviewRef.From(review) }, null, SessionRefusal.None);
    }

    /// <summary>The <c>approved</c> event's message: which review and who approved it.</summary>
    public static string ApprovalNote(Review review) =>
        $"review {review.Id} approved by {string.Join(", ", review.Decisions.Where(d => d.Decision == ReviewDecision.Approved).Select(d => d.By))}";

    private async Task<ExecResponse> ExecuteAsync(Command command, AiAnalysis? analysis, CancellationToken cancellationToken)
    {
        var session = command.Session;
        var transcript = new ExecTranscript(pipeline, command, analysis, time);
        if (_executors.TryGetValue(session.Connection.Type, out var executor))
        {
            await executor.RunAsync(session, command.Input, transcript, cancellationToken);
        }
        else
        {
            transcript.Fail($"exec is not available for connections of type '{session.Connection.Type}'", "0A000");
        }
        var output = transcript.Output;
        pipeline.Record(session, SessionEventKind.Output, output);
        var (status, exitCode, reason) = transcript switch
        {
            { StopReason: { } stopped } => (SessionStatus.Blocked, 2, stopped),
            { Error: { } error } => (SessionStatus.Failed, 1, error),
            _ => (SessionStatus.Done, 0, null),
        };
        await pipeline.CloseSessionAsync(session, status, reason, exitCode);
        return new ExecResponse(session.Id, status, exitCode, output, reason, analysis, null);
    }
}
