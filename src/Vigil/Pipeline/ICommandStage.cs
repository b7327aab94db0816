namespace Vigil.Pipeline;

/// <summary>
/// A pre-execution stage of the <see cref="CommandPipeline"/> (guardrails, analysis, decisions, reviews). Stages run
/// in registration order; the first refusal wins and later stages are skipped.
/// </summary>
public interface ICommandStage
{
    /// <summary>Returns <see cref="Decision.Allow"/> to let the command continue, or a refusal.</summary>
    ValueTask<Decision> EvaluateAsync(Command command, CancellationToken cancellationToken);
}
