using Vigil.Analysis.Rules;
using Vigil.Pipeline;
using Vigil.Webhooks;

namespace Vigil.Analysis;

/// <summary>
/// The pipeline's analysis stage: classifies each command under the connection's rule and returns the verdict. Exec
/// commands get the full analyzer (the provider when one is configured); native statements follow the rule's
/// <c>native_analysis</c> (static when the connection has no rule; <c>off</c> returns no verdict). A high-risk verdict
/// publishes <c>analysis.high_risk</c>. What to do with the verdict is the decision stage's.
/// </summary>
public sealed class AnalysisStage(RuleSet rules, RiskAnalyzer analyzer, IEventPublisher events) : IAnalysisStage
{
    /// <inheritdoc />
    public async ValueTask<AiAnalysis?> AnalyzeAsync(Command command, CancellationToken cancellationToken)
    {
        var session = command.Session;
        var rule = rules.ForConnection(session.Connection.Name);
        if (session.Type == SessionType.Connect && rule?.NativeAnalysis == NativeAnalysis.Off)
        {
            return null;
        }
        var depth = session.Type.IsOneOff() || rule?.NativeAnalysis == NativeAnalysis.Llm ? AnalysisDepth.Provider : AnalysisDepth.Static;
        var analysis = await analyzer.AnalyzeAsync(command.Type, session.Connection.Name, command.Input, rule, depth, session.Usage, session.ServerParameters.LexerOptions, cancellationToken);
        if (RiskLevels.TryParse(analysis.RiskLevel, out var level) && level == RiskLevel.High)
        {
            events.Publish(GatewayEventTypes.AnalysisHighRisk, new HighRiskData(session.Id, session.Connection.Name, session.Identity.Name, Sessions.StatementRedaction.Redact(command.Input), Sessions.StatementRedaction.Redact(analysis)));
        }
        return analysis;
    }

    /// <summary>The data of an <c>analysis.high_risk</c> event: <c>{session_id, connection, user, input, ai_analysis}</c>.</summary>
    public sealed record HighRiskData(string SessionId, string Connection, string User, string Input, AiAnalysis AiAnalysis);
}
