namespace Vigil.Guardrails;

/// <summary>Which way the checked text was flowing (<c>direction</c>).</summary>
public static class GuardrailDirection
{
    /// <summary>A command on its way to the target.</summary>
    public const string Input = "input";
    /// <summary>Result data on its way back to the client.</summary>
    public const string Output = "output";
}

/// <summary>Where a match was found (<c>in</c>).</summary>
public static class GuardrailMatchLocation
{
    /// <summary>Keywords, identifiers (quoted ones decoded), operators; all of a non-SQL command; a pattern's raw text.</summary>
    public const string Code = "code";
    /// <summary>A SQL string constant (<c>'…'</c>, <c>E'…'</c>, <c>U&amp;'…'</c>, <c>$$…$$</c> data), decoded as the server reads it.</summary>
    public const string String = "string";
    /// <summary>A SQL comment (<c>-- …</c>, <c>/* … */</c>).</summary>
    public const string Comment = "comment";
    /// <summary>Result data (output rules).</summary>
    public const string Result = "result";
}

/// <summary>
/// A guardrail rule that matched: what the adapter refuses with (<see cref="RefusalMessage"/>, which the adapter
/// prefixes with <c>vigil: </c>) and what the session records (<c>guardrails_info</c>).
/// </summary>
/// <param name="Guardrail">The guardrail's name.</param>
/// <param name="Rule">The rule's name, else its position (<c>input[0]</c>, <c>output[2]</c>).</param>
/// <param name="Direction"><see cref="GuardrailDirection"/>.</param>
/// <param name="Matched">The text that matched (a deny word as it appeared, decoded for quoted identifiers and string
/// constants; a pattern's match), at most <see cref="MaxMatchedChars"/> characters. May be sensitive: mask before
/// recording.</param>
/// <param name="In"><see cref="GuardrailMatchLocation"/>.</param>
/// <param name="Message">The rule's <c>message</c>, else a default naming the word or pattern (and where the word was).</param>
public sealed record GuardrailViolation(string Guardrail, string Rule, string Direction, string Matched, string In, string Message)
{
    /// <summary>Longest <see cref="Matched"/> kept, characters; longer matches are cut and end with <c>…</c>.</summary>
    public const int MaxMatchedChars = 200;

    /// <summary><c>blocked by guardrail &lt;name&gt;: &lt;message&gt;</c> (the adapter adds the <c>vigil: </c> prefix).</summary>
    public string RefusalMessage => $"blocked by guardrail {Guardrail}: {Message}";

    /// <summary><paramref name="text"/> cut to <see cref="MaxMatchedChars"/>.</summary>
    internal static string Cap(ReadOnlySpan<char> text) =>
        text.Length <= MaxMatchedChars ? text.ToString() : string.Concat(text[..(MaxMatchedChars - 1)], "…");
}

/// <summary>
/// Data of the <c>guardrail.violation</c> webhook event (<see cref="Webhooks.GatewayEventTypes.GuardrailViolation"/>),
/// serialized snake_case: <c>{session_id, connection, user, guardrail, rule, direction, matched}</c>.
/// </summary>
/// <param name="SessionId">The session the command or result belonged to.</param>
/// <param name="Connection">The connection's name.</param>
/// <param name="User">The caller's name (e-mail or service account).</param>
/// <param name="Guardrail">The guardrail's name.</param>
/// <param name="Rule">The rule's name or position.</param>
/// <param name="Direction"><c>input</c> or <c>output</c>.</param>
/// <param name="Matched">The matched text, masked by the publisher when it is sensitive.</param>
public sealed record GuardrailViolationEvent(string SessionId, string Connection, string User, string Guardrail, string Rule, string Direction, string Matched)
{
    /// <summary>The event for <paramref name="violation"/> with <paramref name="matched"/> (null: the violation's own text).</summary>
    public static GuardrailViolationEvent From(GuardrailViolation violation, string sessionId, string connection, string user, string? matched = null) =>
        new(sessionId, connection, user, violation.Guardrail, violation.Rule, violation.Direction, matched ?? violation.Matched);
}
