namespace Vigil.Pipeline;

/// <summary>One command on its way to a target: a SQL statement (or script) with the session that sent it.</summary>
/// <param name="Session">The sending session.</param>
/// <param name="Input">The exact text the client sent.</param>
/// <param name="ParameterCount">Bound parameters (extended query protocol), 0 otherwise.</param>
public sealed record Command(SessionContext Session, string Input, int ParameterCount = 0);

/// <summary>What happened when a command ran.</summary>
/// <param name="CommandTag">The target's completion tag ("SELECT 1", "INSERT 0 3"); null when it failed before one.</param>
/// <param name="Rows">Rows returned or affected when the tag carries a count.</param>
/// <param name="SqlState">SQLSTATE of the error, null on success.</param>
/// <param name="ErrorMessage">The error's primary message, null on success.</param>
/// <param name="DurationMicroseconds">From the gateway receiving the command to the target completing it, µs.</param>
public sealed record CommandOutcome(string? CommandTag, long? Rows, string? SqlState, string? ErrorMessage, long DurationMicroseconds);
