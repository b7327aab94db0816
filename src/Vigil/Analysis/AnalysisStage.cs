using Vigil.Analysis.Rules;
using Vigil.Pipeline;
using Vigil.Reviews;
using Vigil.Webhooks;

namespace Vigil.Analysis;

/// <summary>
/// The pipeline stage that classifies each command and applies the connection's rule: exec commands get the full
/// analyzer (the provider when one is configured); native statements follow the rule's <c>native_analysis</c>
/// (static when the connection has no rule). The verdict is attached to the command for recording; <c>block</c> is a
/// refusal. <c>require_approval</c> (and every exec on a connection with <c>require_review_for_exec</c>) first looks
/// for an approved review of exactly this input by this identity on this connection and uses it up; otherwise it opens
/// a review and refuses, after holding a native statement up to the rule's <c>hold_seconds</c> for a decision.
/// </summary>
public sealed class AnalysisStage(RuleSet rules, RiskAnalyzer analyzer, ReviewService reviews, IEventPublisher events) : ICommandStage
{
    /// <inheritdoc />
    public async ValueTask<Decision> EvaluateAsync(Command command, CancellationToken cancellationToken)
    {
        var session = command.Session;
        var rule = rules.ForConnection(session.Connection.Name);
        var depth = session.Type == SessionType.Exec || rule?.NativeAnalysis == NativeAnalysis.Llm ? AnalysisDepth.Provider : AnalysisDepth.Static;
        var forced = session.Type == SessionType.Exec && session.Connection.Reviews.RequireReviewForExec;
        if (session.Type == SessionType.Connect && rule?.NativeAnalysis == NativeAnalysis.Off)
        {
            return Decision.Allow;
        }
        var analysis = await analyzer.AnalyzeAsync(session.Connection.Type, session.Connection.Name, command.Input, rule, depth, session.Usage, session.ServerParameters.LexerOptions, cancellationToken);
        command.Analysis = analysis;
        if (RiskLevels.TryParse(analysis.RiskLevel, out var level) && level == RiskLevel.High)
        {
            events.Publish(GatewayEventTypes.AnalysisHighRisk, new HighRiskData(session.Id, session.Connection.Name, session.Identity.Name, Sessions.StatementRedaction.Redact(command.Input), Sessions.StatementRedaction.Redact(analysis)));
        }
        AnalysisActions.TryParse(analysis.Action, out var action);
        if (action == AnalysisAction.Block)
        {
            return Decision.Block($"blocked by AI session analyzer: {Verdict(analysis)}", analysis.Explanation);
        }
        if (action != AnalysisAction.RequireApproval && !forced)
        {
            return Decision.Allow;
        }
        if (await reviews.ClaimBindingAsync(session, command.Input, cancellationToken) is not null)
        {
            return Decision.Allow;
        }
        var review = await reviews.OpenCommandReviewAsync(session, command.Input, analysis, cancellationToken);
        if (session.Type == SessionType.Connect && rule is { HoldSeconds: > 0 } && await HoldAsync(session, command.Input, review, rule.HoldSeconds, cancellationToken) is { } held)
        {
            return held;
        }
        var why = action == AnalysisAction.RequireApproval ? $"approval required by AI session analyzer: {Verdict(analysis)}" : "every command on this connection needs approval";
        return Decision.AwaitReview($"{why} (review {review.Id}: {review.Url})", analysis.Explanation, ReviewRef.From(review));
    }

    /// <summary>The verdict's title; when the provider failed, with the cause ("Analyzer provider failed: cannot reach provider at …").</summary>
    private static string Verdict(AiAnalysis analysis) =>
        analysis.Source == AnalysisSource.Error && analysis.Error is { } error ? $"{analysis.Title}: {error}" : analysis.Title;

    /// <summary>
    /// Waits for the decision on <paramref name="review"/> up to <paramref name="seconds"/>: an approval is used at once
    /// (allow), a rejection refuses; null when it is still pending (or expired) by then.
    /// </summary>
    private async Task<Decision?> HoldAsync(SessionContext session, string input, Review review, int seconds, CancellationToken cancellationToken)
    {
        var decided = await reviews.WaitForDecisionAsync(review.Id, TimeSpan.FromSeconds(seconds), cancellationToken);
        if (decided?.Status == ReviewStatus.Approved && await reviews.ClaimBindingAsync(session, input, cancellationToken) is not null)
        {
            return Decision.Allow;
        }
        return decided?.Status == ReviewStatus.Rejected ? Decision.Block(decided.RejectedBy, decided.Rejection?.Reason) : null;
    }

    /// <summary>The data of an <c>analysis.high_risk</c> event: <c>{session_id, connection, user, input, ai_analysis}</c>.</summary>
    public sealed record HighRiskData(string SessionId, string Connection, string User, string Input, AiAnalysis AiAnalysis);
}
