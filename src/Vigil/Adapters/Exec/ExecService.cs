using Vigil.Analysis;
using Vigil.Identity;
using Vigil.Pipeline;
using Vigil.Reviews;
using Vigil.Sessions;

namespace Vigil.Adapters.Exec;

/// <summary>
/// The response of <c>POST /api/sessions</c> and <c>POST /api/reviews/{id}/execute</c>:
/// <c>{id, status, exit_code, output, reason, ai_analysis, review}</c>. Exit codes follow <c>vigil exec</c>: 0 done,
/// 1 failed, 2 blocked, 4 waiting for review (<c>review</c> is <c>{id, status, url, expires_at}</c>). A run that outlasted
/// the caller's <c>wait_seconds</c> answers <c>status: running</c> with a null <c>exit_code</c> and no output: it goes on
/// in the gateway, and <c>GET /api/sessions/{id}</c> shows it <c>open</c> until it ends.
/// </summary>
public sealed record ExecResponse(string Id, string Status, int? ExitCode, string Output, string? Reason, AiAnalysis? AiAnalysis, ReviewRef? Review)
{
    /// <summary>The <c>status</c> of a run still going on when the caller stopped waiting.</summary>
    public const string Running = "running";

    /// <summary>The answer for session <paramref name="id"/> still running after the caller's wait.</summary>
    public static ExecResponse StillRunning(string id, AiAnalysis? analysis, ReviewRef? review) => new(id, Running, null, "", null, analysis, review);
}

/// <summary>
/// How an exec request is run: its session type (<see cref="SessionType.Exec"/> or <see cref="SessionType.Mcp"/>), the
/// MCP client and tool that sent it, and how long the caller waits for the result. With a null
/// <paramref name="Wait"/> the run belongs to the request (a client that goes away cancels it); with a wait it runs
/// detached, until the gateway stops, and the caller gets <see cref="ExecResponse.Running"/> after that long.
/// </summary>
public sealed record ExecOptions(SessionType Type = SessionType.Exec, SessionClient? Client = null, TimeSpan? Wait = null)
{
    /// <summary>A plain <c>vigil exec</c>: type exec, waited for to the end.</summary>
    public static readonly ExecOptions Default = new();
}

/// <summary>
/// The exec adapter: opens a session, turns the script into one pipeline command (<see cref="CommandPipeline.DecideAsync"/>),
/// runs an allowed one with the executor of the connection's type (<see cref="IExecExecutor"/>), each statement through
/// the result stages (<see cref="ExecTranscript"/>), records the input and the printed output, and closes the session;
/// runs an approved review's command in the session that asked for it. Exit codes: 0 done, 1 failed, 2 blocked (also
/// when an output guardrail stopped a result), 4 waiting for review.
/// </summary>
public sealed partial class ExecService(
    CommandPipeline pipeline, ReviewService reviews, SessionRepository sessions, SessionRecorder recorder, IEnumerable<IExecExecutor> executors,
    TimeProvider time, IHostApplicationLifetime lifetime, ILogger<ExecService> logger)
{
    private readonly Dictionary<string, IExecExecutor> _executors = executors.ToDictionary(e => e.ConnectionType, StringComparer.Ordinal);

    /// <summary>Runs <paramref name="script"/> as <paramref name="caller"/> on <paramref name="connectionName"/>.</summary>
    public async Task<(ExecResponse? Response, SessionRefusal Refusal)> RunAsync(
        CallerIdentity caller, string connectionName, string script, string? clientAddress, ExecOptions options, CancellationToken cancellationToken)
    {
        var (session, refusal) = await pipeline.OpenSessionAsync(
            caller, connectionName, options.Type, null, clientAddress, options.Client, cancellationToken);
        if (session is null)
        {
            return (null, refusal);
        }
        var response = options.Wait is { } wait
            ? await WaitAsync(RunOpenedAsync(session, script, lifetime.ApplicationStopping), session.Id, wait, null, cancellationToken)
            : await RunOpenedAsync(session, script, cancellationToken);
        return (await OnRecordAsync(response, cancellationToken), SessionRefusal.None);
    }

    /// <summary>
    /// The answer names its session: it is on record as answered (its status, events and result) before the caller can
    /// ask for it (<c>GET /api/sessions/{id}</c>, the MCP <c>session_get</c> an agent calls next), since the recorder
    /// writes asynchronously.
    /// </summary>
    private async Task<ExecResponse> OnRecordAsync(ExecResponse response, CancellationToken cancellationToken)
    {
        await recorder.FlushAsync(cancellationToken);
        return response;
    }

    private async Task<ExecResponse> RunOpenedAsync(SessionContext session, string script, CancellationToken cancellationToken)
    {
        pipeline.Record(session, SessionEventKind.Input, script);
        var command = new Command(session, script);
        var decision = await pipeline.DecideAsync(command, cancellationToken);
        if (!decision.Allowed)
        {
            var (refused, exit) = decision.Kind == DecisionKind.RequireApproval ? (SessionStatus.WaitingReview, 4) : (SessionStatus.Blocked, 2);
            var message = $"vigil: {decision.Reason}\n" + (decision.Detail is { } detail ? detail + "\n" : "");
            await pipeline.CloseSessionAsync(session, refused, decision.Reason, exit);
            return new ExecResponse(session.Id, refused, exit, message, decision.Reason, decision.Analysis, decision.Review);
        }
        return await ExecuteAsync(command, decision.Analysis, cancellationToken);
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> for a detached <paramref name="run"/>: its answer when it ends in time, else
    /// <see cref="ExecResponse.Running"/> (the run goes on; a fault it ends with later is logged, its session closed by it).
    /// </summary>
    private async Task<ExecResponse> WaitAsync(Task<ExecResponse> run, string sessionId, TimeSpan wait, ReviewRef? review, CancellationToken cancellationToken)
    {
        try
        {
            await run.WaitAsync(wait, time, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException && !run.IsCompleted)
        {
            _ = run.ContinueWith(t => LogDetachedRunFailed(logger, sessionId, t.Exception), CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return ExecResponse.StillRunning(sessionId, null, review);
        }
        return await run;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "detached exec run of session {SessionId} failed")]
    private static partial void LogDetachedRunFailed(ILogger logger, string sessionId, Exception? error);

    /// <summary>
    /// Runs the command of approved review <paramref name="reviewId"/> once, for its requester, in the exec session
    /// that asked for it, exactly as reviewed (no new analysis: the approval is bound to this input). The review is
    /// <c>executed</c> afterwards; a second call is a conflict.
    /// </summary>
    public async Task<(ExecResponse? Response, ReviewResult? Refusal, SessionRefusal Access)> ExecuteReviewAsync(
        CallerIdentity caller, string reviewId, string? clientAddress, TimeSpan? wait, CancellationToken cancellationToken)
    {
        var review = await reviews.FindVisibleAsync(caller, reviewId, cancellationToken);
        if (review is null)
        {
            return (null, ReviewResult.NotFound(reviewId), SessionRefusal.None);
        }
        var type = SessionTypes.Parse(review.SessionType) ?? SessionType.Exec;
        var (connection, _, access) = await pipeline.AuthorizeAsync(caller, review.Connection, type, cancellationToken);
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
        var session = pipeline.ResumeSession(caller, connection!, type, review.SessionId!, lastSequence, clientAddress);
        pipeline.Record(session, SessionEventKind.Approved, review.Input, ApprovalNote(review));
        var command = new Command(session, review.Input);
        if (!await pipeline.RecordedDurablyAsync(session, cancellationToken))
        {
            await pipeline.CloseSessionAsync(session, SessionStatus.Failed, CommandPipeline.NotRecordedReason, 1);
            var refused = new ExecResponse(session.Id, SessionStatus.Failed, 1, $"vigil: {CommandPipeline.NotRecordedReason}\n", CommandPipeline.NotRecordedReason, review.AiAnalysis, ReviewRef.From(review));
            return (refused, null, SessionRefusal.None);
        }
        var reference = ReviewRef.From(review);
        var response = wait is { } bound
            ? await WaitAsync(ExecuteAsync(command, review.AiAnalysis, lifetime.ApplicationStopping), session.Id, bound, reference, cancellationToken)
            : await ExecuteAsync(command, review.AiAnalysis, cancellationToken);
        return (await OnRecordAsync(response with { Review = reference }, cancellationToken), null, SessionRefusal.None);
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
