using System.Text.RegularExpressions;

namespace Vigil.Guardrails;

/// <summary>
/// Body of <c>POST /api/guardrails</c> and <c>PUT /api/guardrails/{name or id}</c> (the upstream product's shape):
/// <c>{name, description?, connection_names[]? (or connection_ids[], the same names), input?:{rules:[…]},
/// output?:{rules:[…]}}</c>, each rule <c>{type: deny_words_list | pattern_match, words[], pattern_regex, name?,
/// message?, match_in?: code | all (default all; deny words on input only)}</c>. A <c>deny_words_list</c> rule needs
/// at least one word, a <c>pattern_match</c> rule a pattern that compiles (.NET syntax); the field the other type uses
/// is ignored.
/// </summary>
public sealed partial record GuardrailRequest(
    string? Name,
    string? Description,
    string[]? ConnectionNames,
    string[]? ConnectionIds,
    GuardrailRequest.RulesRequest? Input,
    GuardrailRequest.RulesRequest? Output)
{
    /// <summary>Longest deny word or phrase, characters.</summary>
    public const int MaxWordChars = 200;

    /// <summary>Most words in one rule.</summary>
    public const int MaxWords = 1_000;

    /// <summary>Most rules per direction.</summary>
    public const int MaxRules = 100;

    /// <summary>Longest <c>message</c>, <c>name</c> of a rule and <c>description</c>, characters.</summary>
    public const int MaxMessageChars = 500, MaxRuleNameChars = 100, MaxDescriptionChars = 2_000;

    /// <summary><c>{rules:[…]}</c>.</summary>
    public sealed record RulesRequest(RuleRequest?[]? Rules);

    /// <summary>One rule as sent.</summary>
    public sealed record RuleRequest(string? Type, string?[]? Words, string? PatternRegex, string? Name, string? Message, string? MatchIn);

    /// <summary>Validates and builds the guardrail; on failure the message names the bad field.</summary>
    /// <param name="id">The id to give it (the stored one on replace).</param>
    /// <param name="nameOverride">The name from the route on replace, else null.</param>
    /// <param name="now">Update time.</param>
    /// <param name="createdAt">The stored creation time on replace.</param>
    public (Guardrail? Guardrail, string? Error) ToGuardrail(string id, string? nameOverride, DateTimeOffset now, DateTimeOffset? createdAt = null)
    {
        var name = nameOverride ?? Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            return (null, "missing field 'name'");
        }
        if (!NamePattern().IsMatch(name))
        {
            return (null, "field 'name' must be 1-63 characters of letters, digits, '_', '-' or '.', starting with a letter or digit");
        }
        if (Description is { Length: > MaxDescriptionChars })
        {
            return (null, $"field 'description' is longer than {MaxDescriptionChars} characters");
        }
        foreach (var (field, list) in new[] { ("connection_names", ConnectionNames), ("connection_ids", ConnectionIds) })
        {
            if (list?.Any(string.IsNullOrWhiteSpace) == true)
            {
                return (null, $"field '{field}' has an empty name");
            }
        }
        var (input, inputError) = Rules("input", Input);
        if (inputError is not null)
        {
            return (null, inputError);
        }
        var (output, outputError) = Rules("output", Output);
        if (outputError is not null)
        {
            return (null, outputError);
        }
        var connections = (ConnectionNames ?? []).Concat(ConnectionIds ?? []).Distinct(StringComparer.Ordinal).ToArray();
        return (new Guardrail(id, name, string.IsNullOrWhiteSpace(Description) ? null : Description, connections, input!, output!, createdAt ?? now, now), null);
    }

    private static (IReadOnlyList<GuardrailRule>? Rules, string? Error) Rules(string direction, RulesRequest? request)
    {
        var given = request?.Rules ?? [];
        if (given.Length > MaxRules)
        {
            return (null, $"field '{direction}.rules' has more than {MaxRules} rules");
        }
        var rules = new List<GuardrailRule>(given.Length);
        for (var i = 0; i < given.Length; i++)
        {
            var field = $"{direction}.rules[{i}]";
            var (rule, error) = Rule(field, direction, given[i]);
            if (error is not null)
            {
                return (null, error);
            }
            rules.Add(rule!);
        }
        return (rules, null);
    }

    private static (GuardrailRule? Rule, string? Error) Rule(string field, string direction, RuleRequest? rule)
    {
        if (rule is null)
        {
            return (null, $"field '{field}' must be an object");
        }
        if (rule.Type is null)
        {
            return (null, $"missing field '{field}.type' (deny_words_list, pattern_match)");
        }
        if (!GuardrailNames.TryParseType(rule.Type, out var type))
        {
            return (null, $"field '{field}.type': unknown type '{rule.Type}' (deny_words_list, pattern_match)");
        }
        if (rule.Name is { Length: > MaxRuleNameChars })
        {
            return (null, $"field '{field}.name' is longer than {MaxRuleNameChars} characters");
        }
        if (rule.Message is { Length: > MaxMessageChars })
        {
            return (null, $"field '{field}.message' is longer than {MaxMessageChars} characters");
        }
        var matchIn = MatchIn.All;
        if (rule.MatchIn is not null && !GuardrailNames.TryParseMatchIn(rule.MatchIn, out matchIn))
        {
            return (null, $"field '{field}.match_in': unknown value '{rule.MatchIn}' (code, all)");
        }
        if (matchIn == MatchIn.Code && (type != GuardrailRuleType.DenyWordsList || direction != GuardrailDirection.Input))
        {
            return (null, $"field '{field}.match_in': 'code' applies to deny_words_list input rules only (patterns match the raw text; results are not lexed)");
        }
        string[] words = [];
        string? pattern = null;
        if (type == GuardrailRuleType.DenyWordsList)
        {
            if (rule.Words is not { Length: > 0 })
            {
                return (null, $"field '{field}.words' must list at least one word");
            }
            if (rule.Words.Length > MaxWords)
            {
                return (null, $"field '{field}.words' has more than {MaxWords} words");
            }
            for (var w = 0; w < rule.Words.Length; w++)
            {
                if (string.IsNullOrWhiteSpace(rule.Words[w]))
                {
                    return (null, $"field '{field}.words[{w}]' is empty");
                }
                if (rule.Words[w]!.Trim().Length > MaxWordChars)
                {
                    return (null, $"field '{field}.words[{w}]' is longer than {MaxWordChars} characters");
                }
            }
            words = rule.Words.Select(w => w!.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        }
        else
        {
            if (string.IsNullOrEmpty(rule.PatternRegex))
            {
                return (null, $"missing field '{field}.pattern_regex' (a pattern_match rule needs a pattern)");
            }
            if (rule.PatternRegex.Length > GuardrailRegex.MaxPatternChars)
            {
                return (null, $"field '{field}.pattern_regex' is longer than {GuardrailRegex.MaxPatternChars} characters");
            }
            if (GuardrailRegex.Compile(rule.PatternRegex).Error is { } error)
            {
                return (null, $"field '{field}.pattern_regex' does not compile: {error}");
            }
            pattern = rule.PatternRegex;
        }
        return (new GuardrailRule(type, string.IsNullOrWhiteSpace(rule.Name) ? null : rule.Name.Trim(),
            string.IsNullOrWhiteSpace(rule.Message) ? null : rule.Message.Trim(), words, pattern, matchIn), null);
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex NamePattern();
}

/// <summary>
/// The API shape of a guardrail: <c>{id, name, description, connection_names, input:{rules}, output:{rules},
/// created_at, updated_at}</c>, rules as <see cref="RuleView"/>.
/// </summary>
public sealed record GuardrailView(
    string Id,
    string Name,
    string? Description,
    IReadOnlyList<string> ConnectionNames,
    GuardrailView.RulesView Input,
    GuardrailView.RulesView Output,
    string CreatedAt,
    string UpdatedAt)
{
    /// <summary><c>{rules:[…]}</c>.</summary>
    public sealed record RulesView(IReadOnlyList<RuleView> Rules);

    /// <summary><c>{type, name, message, words, pattern_regex, match_in}</c>; <c>words</c> is empty for patterns,
    /// <c>pattern_regex</c> null for deny words.</summary>
    public sealed record RuleView(string Type, string? Name, string? Message, IReadOnlyList<string> Words, string? PatternRegex, string MatchIn)
    {
        /// <summary>The view of <paramref name="rule"/>.</summary>
        public static RuleView From(GuardrailRule rule) =>
            new(rule.Type.Name(), rule.Name, rule.Message, rule.Words, rule.PatternRegex, rule.MatchIn.Name());
    }

    /// <summary>The view of <paramref name="guardrail"/>.</summary>
    public static GuardrailView From(Guardrail guardrail) => new(
        guardrail.Id, guardrail.Name, guardrail.Description, guardrail.ConnectionNames,
        new RulesView(guardrail.InputRules.Select(RuleView.From).ToList()),
        new RulesView(guardrail.OutputRules.Select(RuleView.From).ToList()),
        Storage.Rfc3339.Format(guardrail.CreatedAt), Storage.Rfc3339.Format(guardrail.UpdatedAt));
}
