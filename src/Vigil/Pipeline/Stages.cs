using Vigil.Analysis;

namespace Vigil.Pipeline;

/// <summary>
/// Guardrails on input: the first stage a command meets, before anything analyzes it (DESIGN.md: identify →
/// guardrails(in) → analyze → decide). Returns <see cref="Decision.Allow"/> or a refusal; the first refusal wins.
/// </summary>
public interface IInputStage
{
    /// <summary>Checks <paramref name="command"/>; a refusal's reason is shown to the client after "vigil: ".</summary>
    ValueTask<Decision> CheckAsync(Command command, CancellationToken cancellationToken);
}

/// <summary>The analyzer's stage: the typed verdict on a command (<see cref="AiAnalysis"/>), nothing else.</summary>
public interface IAnalysisStage
{
    /// <summary>The verdict, or null when the connection's rule turns analysis off for this kind of session.</summary>
    ValueTask<AiAnalysis?> AnalyzeAsync(Command command, CancellationToken cancellationToken);
}

/// <summary>The decision stage: turns a verdict into run, refuse or wait for a review (rule action, reviews, hold).</summary>
public interface IDecisionStage
{
    /// <summary>What to do with <paramref name="command"/> given <paramref name="analysis"/> (null when not analyzed).</summary>
    ValueTask<Decision> DecideAsync(Command command, AiAnalysis? analysis, CancellationToken cancellationToken);
}
