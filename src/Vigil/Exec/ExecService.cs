using System.Net.Sockets;
using Npgsql;
using Vigil.Analysis;
using Vigil.Hosting;
using Vigil.Identity;
using Vigil.Pipeline;
using Vigil.Reviews;
using Vigil.Sessions;

namespace Vigil.Exec;

/// <summary>
/// The response of <c>POST /api/sessions</c>: <c>{id, status, exit_code, output, reason, ai_analysis, review}</c>.
/// Exit codes follow <c>vigil exec</c>: 0 done, 1 failed, 2 blocked, 4 waiting for review.
/// </summary>
public sealed record ExecResponse(string Id, string Status, int ExitCode, string Output, string? Reason, AiAnalysis? AiAnalysis, ReviewRef? Review);

/// <summary>The exec adapter: turns a script into one pipeline command, runs it through Npgsql and records input and output.</summary>
public sealed class ExecService(CommandPipeline pipeline, GatewayOptions options, TimeProvider time)
{
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
            var review = decision.ReviewId is { } reviewId ? new ReviewRef(reviewId, ReviewStatus.Pending) : null;
            return (new ExecResponse(session.Id, refused, exit, message, decision.Reason, command.Analysis, review), SessionRefusal.None);
        }
        var started = time.GetTimestamp();
        ScriptResult result;
        string? fault = null;
        try
        {
            await using var dataSource = TargetDataSource.Create(session.Connection, options.ExecStatementTimeout);
            result = await ScriptRunner.RunAsync(dataSource, script, cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or IOException or TimeoutException)
        {
            // Name the connection, never its credentials (Npgsql messages carry host and port only).
            fault = $"cannot reach connection '{connectionName}': {e.Message}";
            result = new ScriptResult($"ERROR:  {fault}\n", fault, "08006");
        }
        var elapsed = time.GetElapsedTime(started);
        pipeline.Completed(command, new CommandOutcome(null, null, result.SqlState, result.Error, (long)elapsed.TotalMicroseconds));
        pipeline.Record(session, SessionEventKind.Output, result.Output);
        var status = result.Error is null ? SessionStatus.Done : SessionStatus.Failed;
        var exitCode = result.Error is null ? 0 : 1;
        await pipeline.CloseSessionAsync(session, status, fault ?? result.Error, exitCode);
        return (new ExecResponse(session.Id, status, exitCode, result.Output, fault ?? result.Error, command.Analysis, null), SessionRefusal.None);
    }
}
