namespace Vigil.Pipeline;

/// <summary>
/// The pipeline's answer for one command. Adapters turn a refusal into their protocol's reply: PostgreSQL
/// <c>ErrorResponse</c> with <see cref="SqlState"/> (42501 insufficient_privilege), an exec session with status
/// <c>blocked</c> and exit code 2.
/// </summary>
public readonly record struct Decision(bool Allowed, string? Reason, string SqlState)
{
    /// <summary>Run the command.</summary>
    public static readonly Decision Allow = new(true, null, "00000");

    /// <summary>Refuse the command; <paramref name="reason"/> is shown to the client after "vigil: ".</summary>
    public static Decision Block(string reason) => new(false, reason, "42501");
}
