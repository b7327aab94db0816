namespace Vigil.Pipeline;

/// <summary>One command on its way to a target: a SQL statement (or script, or HTTP request) with the session that sent it.</summary>
/// <param name="Session">The sending session.</param>
/// <param name="Input">The exact text the client sent.</param>
/// <param name="ParameterCount">Bound parameters (extended query protocol), 0 otherwise.</param>
/// <param name="InputType">
/// What <paramref name="Input"/> is (an <see cref="Analysis.InputType"/>) when it differs from the connection's type:
/// a <c>kubernetes</c> connection's proxied requests are HTTP requests, not kubectl command lines. Null: the
/// connection's type (for an <c>ssh</c> connection, shell: <see cref="Analysis.InputType.ForConnection"/>).
/// </param>
public sealed record Command(SessionContext Session, string Input, int ParameterCount = 0, string? InputType = null)
{
    /// <summary>The <see cref="Analysis.InputType"/> the analyzer and guardrails read <see cref="Input"/> as.</summary>
    public string Type => InputType ?? Analysis.InputType.ForConnection(Session.Connection.Type);
}

/// <summary>What happened when a command ran.</summary>
/// <param name="CommandTag">The target's completion tag ("SELECT 1", "INSERT 0 3"); null when it failed before one.</param>
/// <param name="Rows">Rows returned or affected when the tag carries a count.</param>
/// <param name="SqlState">SQLSTATE of the error, null on success.</param>
/// <param name="ErrorMessage">The error's primary message, null on success.</param>
/// <param name="DurationMicroseconds">From the gateway receiving the command to the target completing it, µs.</param>
public sealed record CommandOutcome(string? CommandTag, long? Rows, string? SqlState, string? ErrorMessage, long DurationMicroseconds);
