using Vigil.Analysis;
using Vigil.Analysis.Rules;
using Vigil.Pipeline;

namespace Vigil.Reviews;

/// <summary>
/// The pipeline's decision stage: applies the action the connection's rule gave the verdict. <c>block</c> refuses.
/// <c>require_approval</c> (and every exec on a connection with <c>require_review_for_exec</c>) first looks for an
/// approved review of exactly this input by this identity on this connection and uses it up; otherwise it opens a
/// review and refuses, after holding a native statement up to the rule's <c>hold_seconds</c> for a decision.
/// </summary>
public sealed class DecisionStage(RuleSet rules, ReviewService reviews) : IDecisionStage
{
    /// <inheritdoc />
    public async ValueTask<Decision> DecideAsync(Command command, AiAnalysis? analysis, CancellationToken cancellationToken)
    {
        var session = command.Session;
        var forced = session.Type.IsOneOff() && session.Connection.Reviews.RequireReviewForExec;
        if (analysis is null)
        {
            return Decision.Allow;
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
        var rule = rules.ForConnection(session.Connection.Name);
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
}
