using Vigil.Analysis.Rules;
using Vigil.Pipeline;
using Vigil.Reviews;

namespace Vigil.Analysis;

/// <summary>
/// The pipeline stage that classifies each command and applies the connection's rule: exec commands get the full
/// analyzer (the provider when one is configured); native statements follow the rule's <c>native_analysis</c>
/// (static when the connection has no rule). The verdict is attached to the command for recording; <c>block</c> and
/// <c>require_approval</c> become refusals (the latter after opening a pending review).
/// </summary>
public sealed class AnalysisStage(RuleSet rules, RiskAnalyzer analyzer, ReviewRepository reviews) : ICommandStage
{
    /// <inheritdoc />
    public async ValueTask<Decision> EvaluateAsync(Command command, CancellationToken cancellationToken)
    {
        var session = command.Session;
        var rule = rules.ForConnection(session.Connection.Name);
        var depth = session.Type == SessionType.Exec || rule?.NativeAnalysis == NativeAnalysis.Llm ? AnalysisDepth.Provider : AnalysisDepth.Static;
        if (session.Type == SessionType.Connect && rule?.NativeAnalysis == NativeAnalysis.Off)
        {
            return Decision.Allow;
        }
        var analysis = await analyzer.AnalyzeAsync(session.Connection.Type, session.Connection.Name, command.Input, rule, depth, session.Usage, cancellationToken);
        command.Analysis = analysis;
        AnalysisActions.TryParse(analysis.Action, out var action);
        switch (action)
        {
            case AnalysisAction.Block:
                return Decision.Block($"blocked by AI session analyzer: {analysis.Title}", analysis.Explanation);
            case AnalysisAction.RequireApproval:
                var review = await reviews.CreateAsync(session, command.Input, analysis, cancellationToken);
                return Decision.Review($"approval required by AI session analyzer: {analysis.Title} (review {review.Id})", analysis.Explanation, review.Id);
            default:
                return Decision.Allow;
        }
    }
}
