namespace Vigil.Guardrails;

/// <summary>
/// An admin-written guardrail (the upstream product's shape): deny-word and pattern rules checked on the commands a
/// connection receives (<see cref="InputRules"/>) and on the results it returns (<see cref="OutputRules"/>). Several
/// guardrails may name the same connection; all of them apply.
/// </summary>
/// <param name="Id">Stable identifier (a GUID string); the API accepts it or the name.</param>
/// <param name="Name">Unique name.</param>
/// <param name="Description">Free text, optional.</param>
/// <param name="ConnectionNames">Connections it applies to (each exists; may be empty: the guardrail then applies nowhere).</param>
/// <param name="InputRules">Rules checked on every command before it is analyzed.</param>
/// <param name="OutputRules">Rules checked on result data as it streams back.</param>
/// <param name="CreatedAt">Creation time.</param>
/// <param name="UpdatedAt">Last change.</param>
public sealed record Guardrail(
    string Id,
    string Name,
    string? Description,
    IReadOnlyList<string> ConnectionNames,
    IReadOnlyList<GuardrailRule> InputRules,
    IReadOnlyList<GuardrailRule> OutputRules,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The kind of a <see cref="GuardrailRule"/>.</summary>
public enum GuardrailRuleType
{
    /// <summary><c>deny_words_list</c>: any of <see cref="GuardrailRule.Words"/> as a whole word, case-insensitively.</summary>
    DenyWordsList,
    /// <summary><c>pattern_match</c>: <see cref="GuardrailRule.PatternRegex"/> (.NET regular expression syntax) anywhere in the raw text.</summary>
    PatternMatch,
}

/// <summary>Where in a lexed command a deny word counts (<c>match_in</c>).</summary>
public enum MatchIn
{
    /// <summary><c>all</c> (default): code, string constants and comments alike.</summary>
    All,
    /// <summary><c>code</c>: keywords, identifiers (quoted ones as the server reads them) and operators only.</summary>
    Code,
}

/// <summary>One rule of a guardrail.</summary>
/// <param name="Type">What the rule matches.</param>
/// <param name="Name">Optional name, reported in violations (else <c>input[0]</c>, <c>output[1]</c>…).</param>
/// <param name="Message">Optional text shown to the refused client in place of the default.</param>
/// <param name="Words">Deny words or phrases (<see cref="GuardrailRuleType.DenyWordsList"/>; else empty).</param>
/// <param name="PatternRegex">The pattern (<see cref="GuardrailRuleType.PatternMatch"/>; else null).</param>
/// <param name="MatchIn">Where a deny word counts in a lexed command.</param>
public sealed record GuardrailRule(
    GuardrailRuleType Type,
    string? Name,
    string? Message,
    IReadOnlyList<string> Words,
    string? PatternRegex,
    MatchIn MatchIn = MatchIn.All);

/// <summary>API spellings of the guardrail enums.</summary>
public static class GuardrailNames
{
    /// <summary><c>deny_words_list</c> or <c>pattern_match</c>.</summary>
    public static string Name(this GuardrailRuleType type) => type == GuardrailRuleType.DenyWordsList ? "deny_words_list" : "pattern_match";

    /// <summary><c>all</c> or <c>code</c>.</summary>
    public static string Name(this MatchIn matchIn) => matchIn == MatchIn.Code ? "code" : "all";

    /// <summary>Parses <c>deny_words_list</c> or <c>pattern_match</c>.</summary>
    public static bool TryParseType(string? text, out GuardrailRuleType type)
    {
        (var ok, type) = text switch
        {
            "deny_words_list" => (true, GuardrailRuleType.DenyWordsList),
            "pattern_match" => (true, GuardrailRuleType.PatternMatch),
            _ => (false, GuardrailRuleType.DenyWordsList),
        };
        return ok;
    }

    /// <summary>Parses <c>all</c> or <c>code</c>.</summary>
    public static bool TryParseMatchIn(string? text, out MatchIn matchIn)
    {
        (var ok, matchIn) = text switch
        {
            "all" => (true, MatchIn.All),
            "code" => (true, MatchIn.Code),
            _ => (false, MatchIn.All),
        };
        return ok;
    }
}
