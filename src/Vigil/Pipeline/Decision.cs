using Vigil.Analysis;

namespace Vigil.Pipeline;

/// <summary>What the pipeline does with a command.</summary>
public enum DecisionKind
{
    /// <summary>Run it.</summary>
    Allow,
    /// <summary>Refuse it.</summary>
    Block,
    /// <summary>Refuse it for now: a review was opened (<see cref="Decision.Review"/>).</summary>
    RequireApproval,
}

/// <summary>
/// The pipeline's answer for one command. Adapters turn a refusal into their protocol's reply: PostgreSQL
/// <c>ErrorResponse</c> with <see cref="SqlState"/> (42501 insufficient_privilege), message "vigil: " +
/// <see cref="Reason"/> and <see cref="Detail"/> as its detail field; an exec session with status <c>blocked</c>
/// (exit code 2) or <c>waiting_review</c> (exit code 4). <see cref="Analysis"/> is the verdict the decision was made on.
/// </summary>
public readonly record struct Decision(DecisionKind Kind, string? Reason, string SqlState, string? Detail = null, Reviews.ReviewRef? Review = null)
{
    /// <summary>The analyzer's verdict on the command, null when it was not analyzed (refused before, or analysis off).</summary>
    public AiAnalysis? Analysis { get; init; }

    /// <summary>Run the command.</summary>
    public static readonly Decision Allow = new(DecisionKind.Allow, null, "00000");

    /// <summary>True when the command may run.</summary>
    public bool Allowed => Kind == DecisionKind.Allow;

    /// <summary>Refuse the command; <paramref name="reason"/> is shown to the client after "vigil: ".</summary>
    public static Decision Block(string reason, string? detail = null) => new(DecisionKind.Block, reason, "42501", detail);

    /// <summary>Hold the command for <paramref name="review"/>.</summary>
    public static Decision AwaitReview(string reason, string? detail, Reviews.ReviewRef review) => new(DecisionKind.RequireApproval, reason, "42501", detail, review);
}
