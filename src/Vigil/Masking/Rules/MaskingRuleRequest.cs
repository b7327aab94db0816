using System.Text.RegularExpressions;
using Vigil.Masking.Recognizers;

namespace Vigil.Masking.Rules;

/// <summary>
/// Body of <c>POST /api/datamasking-rules</c> and <c>PUT …/{name or id}</c> (the upstream product's shape plus
/// <c>strategy</c> and <c>columns</c>): <c>{name, description?, connection_names[] | connection_ids[],
/// supported_entity_types:[{name, entity_types[], strategy?}], custom_entity_types:[{name, regex | deny_list[],
/// score?, strategy?}], score_threshold? (0–1, default 0), strategy? (default redact), columns:[{table_pattern?
/// (default *), column_pattern, entity_type?, strategy?}], kubernetes_secrets? (redact, the default, or reveal)}</c>. Vigil's connections are identified by their name, so
/// <c>connection_ids</c> holds names too; both lists are merged.
/// </summary>
public sealed partial record MaskingRuleRequest(
    string? Name,
    string? Description,
    string?[]? ConnectionNames,
    string?[]? ConnectionIds,
    MaskingRuleRequest.EntityTypeGroupRequest?[]? SupportedEntityTypes,
    MaskingRuleRequest.CustomEntityTypeRequest?[]? CustomEntityTypes,
    double? ScoreThreshold,
    string? Strategy,
    MaskingRuleRequest.ColumnRuleRequest?[]? Columns,
    string? KubernetesSecrets = null)
{
    /// <summary>Bounds on what one rule holds: entries per list, deny-list words, pattern and text lengths.</summary>
    public const int MaxEntries = 200, MaxDenyWords = 5_000, MaxWordLength = 200, MaxRegexLength = 2_000, MaxPatternLength = 255, MaxDescription = 1_000;

    /// <summary>A <c>supported_entity_types</c> entry.</summary>
    public sealed record EntityTypeGroupRequest(string? Name, string?[]? EntityTypes, string? Strategy);

    /// <summary>A <c>custom_entity_types</c> entry.</summary>
    public sealed record CustomEntityTypeRequest(string? Name, string? Regex, string?[]? DenyList, double? Score, string? Strategy);

    /// <summary>A <c>columns</c> entry.</summary>
    public sealed record ColumnRuleRequest(string? TablePattern, string? ColumnPattern, string? EntityType, string? Strategy);

    /// <summary>Validates and builds the rule; on failure the message names the bad field.</summary>
    /// <param name="id">The rule's id (a new one on create, the stored one on replace).</param>
    /// <param name="now">Time of the change.</param>
    /// <param name="createdAt">Creation time of the rule replaced, or null on create.</param>
    public (MaskingRule? Rule, string? Error) ToRule(string id, DateTimeOffset now, DateTimeOffset? createdAt = null)
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            return (null, "missing field 'name'");
        }
        if (!NamePattern().IsMatch(Name))
        {
            return (null, "field 'name' must be 1-63 characters of letters, digits, spaces, '_', '-' or '.', starting with a letter or digit and not ending with a space");
        }
        if (Description is { Length: > MaxDescription })
        {
            return (null, $"field 'description' is longer than {MaxDescription} characters");
        }
        string?[] connections = [.. ConnectionNames ?? [], .. ConnectionIds ?? []];
        if (connections.Length == 0)
        {
            return (null, "field 'connection_names' must name at least one connection (or give 'connection_ids')");
        }
        if (connections.Any(string.IsNullOrWhiteSpace))
        {
            return (null, $"field '{(ConnectionNames?.Any(string.IsNullOrWhiteSpace) == true ? "connection_names" : "connection_ids")}' has an empty name");
        }
        if (ScoreThreshold is < 0 or > 1)
        {
            return (null, "field 'score_threshold' must be between 0 and 1");
        }
        var strategy = MaskingStrategy.Redact;
        if (Strategy is not null && !MaskingStrategies.TryParse(Strategy, out strategy))
        {
            return (null, $"field 'strategy': unknown strategy '{Strategy}' ({MaskingStrategies.Names})");
        }
        if (KubernetesSecrets is not (null or MaskingRule.RedactSecrets or MaskingRule.RevealSecrets))
        {
            return (null, $"field 'kubernetes_secrets' must be '{MaskingRule.RedactSecrets}' (the default) or '{MaskingRule.RevealSecrets}', not '{KubernetesSecrets}'");
        }
        var reveal = KubernetesSecrets == MaskingRule.RevealSecrets;
        var (groups, groupError) = Groups();
        if (groupError is not null)
        {
            return (null, groupError);
        }
        var (customs, customError) = Customs();
        if (customError is not null)
        {
            return (null, customError);
        }
        var (columns, columnError) = ColumnRules(customs!);
        if (columnError is not null)
        {
            return (null, columnError);
        }
        // A rule that only reveals Kubernetes Secrets is the explicit allowance docs/http.md describes.
        if (groups!.Count == 0 && customs!.Count == 0 && columns!.Count == 0 && !reveal)
        {
            return (null, "a rule must mask something: give 'supported_entity_types', 'custom_entity_types' or 'columns' (or 'kubernetes_secrets': 'reveal')");
        }
        return (new MaskingRule(
            id, Name, string.IsNullOrWhiteSpace(Description) ? null : Description,
            connections.Select(c => c!).Distinct(StringComparer.Ordinal).ToArray(),
            groups, customs!, ScoreThreshold ?? 0, strategy, columns!, createdAt ?? now, now, reveal), null);
    }

    private (List<EntityTypeGroup>? Groups, string? Error) Groups()
    {
        var groups = new List<EntityTypeGroup>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = SupportedEntityTypes ?? [];
        if (entries.Length > MaxEntries)
        {
            return (null, $"field 'supported_entity_types' has more than {MaxEntries} entries");
        }
        for (var i = 0; i < entries.Length; i++)
        {
            var field = $"supported_entity_types[{i}]";
            if (entries[i] is not { } entry)
            {
                return (null, $"field '{field}' must be an object");
            }
            if (string.IsNullOrWhiteSpace(entry.Name))
            {
                return (null, $"missing field '{field}.name'");
            }
            if (entry.EntityTypes is not { Length: > 0 })
            {
                return (null, $"field '{field}.entity_types' must list at least one entity type");
            }
            foreach (var type in entry.EntityTypes)
            {
                if (type is null || !PresidioEntityTypes.All.Contains(type, StringComparer.Ordinal))
                {
                    return (null, $"field '{field}.entity_types': unknown entity type '{type}' (supported: {string.Join(", ", PresidioEntityTypes.All)})");
                }
                if (!seen.Add(type))
                {
                    return (null, $"field '{field}.entity_types': entity type '{type}' is listed twice in this rule");
                }
            }
            var (strategy, error) = ParseStrategy(entry.Strategy, $"{field}.strategy");
            if (error is not null)
            {
                return (null, error);
            }
            groups.Add(new EntityTypeGroup(entry.Name, entry.EntityTypes.Select(t => t!).ToArray(), strategy));
        }
        return (groups, null);
    }

    private (List<CustomEntityType>? Customs, string? Error) Customs()
    {
        var customs = new List<CustomEntityType>();
        var entries = CustomEntityTypes ?? [];
        if (entries.Length > MaxEntries)
        {
            return (null, $"field 'custom_entity_types' has more than {MaxEntries} entries");
        }
        for (var i = 0; i < entries.Length; i++)
        {
            var field = $"custom_entity_types[{i}]";
            if (entries[i] is not { } entry)
            {
                return (null, $"field '{field}' must be an object");
            }
            if (string.IsNullOrWhiteSpace(entry.Name))
            {
                return (null, $"missing field '{field}.name'");
            }
            if (!EntityNamePattern().IsMatch(entry.Name))
            {
                return (null, $"field '{field}.name' must be 1-63 upper-case letters, digits or '_', starting with a letter (e.g. EMPLOYEE_ID)");
            }
            if (PresidioEntityTypes.All.Contains(entry.Name, StringComparer.Ordinal) || entry.Name == ColumnRule.DefaultEntityType)
            {
                return (null, $"field '{field}.name': '{entry.Name}' is a built-in entity type; name the custom type differently");
            }
            if (customs.Any(c => c.Name == entry.Name))
            {
                return (null, $"field '{field}.name': custom entity type '{entry.Name}' is defined twice in this rule");
            }
            var words = entry.DenyList ?? [];
            if ((entry.Regex is null) == (words.Length == 0))
            {
                return (null, $"field '{field}' must give either 'regex' or a non-empty 'deny_list', not both");
            }
            if (entry.Regex is not null)
            {
                if (entry.Regex.Length is 0 or > MaxRegexLength)
                {
                    return (null, $"field '{field}.regex' must be 1-{MaxRegexLength} characters");
                }
                if (CustomEntityRecognizer.CompileError(entry.Regex) is { } compileError)
                {
                    return (null, $"field '{field}.regex' does not compile: {compileError}");
                }
            }
            if (words.Length > MaxDenyWords)
            {
                return (null, $"field '{field}.deny_list' has more than {MaxDenyWords} words");
            }
            if (words.Any(w => string.IsNullOrWhiteSpace(w) || w.Length > MaxWordLength))
            {
                return (null, $"field '{field}.deny_list' has an empty word or one longer than {MaxWordLength} characters");
            }
            if (entry.Score is < 0 or > 1)
            {
                return (null, $"field '{field}.score' must be between 0 and 1");
            }
            var (strategy, error) = ParseStrategy(entry.Strategy, $"{field}.strategy");
            if (error is not null)
            {
                return (null, error);
            }
            customs.Add(new CustomEntityType(entry.Name, entry.Regex, words.Select(w => w!).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(), entry.Score ?? 1.0, strategy));
        }
        return (customs, null);
    }

    private (List<ColumnRule>? Columns, string? Error) ColumnRules(List<CustomEntityType> customs)
    {
        var columns = new List<ColumnRule>();
        var entries = Columns ?? [];
        if (entries.Length > MaxEntries)
        {
            return (null, $"field 'columns' has more than {MaxEntries} entries");
        }
        for (var i = 0; i < entries.Length; i++)
        {
            var field = $"columns[{i}]";
            if (entries[i] is not { } entry)
            {
                return (null, $"field '{field}' must be an object");
            }
            if (string.IsNullOrWhiteSpace(entry.ColumnPattern))
            {
                return (null, $"missing field '{field}.column_pattern'");
            }
            foreach (var (key, pattern) in new[] { ("column_pattern", entry.ColumnPattern), ("table_pattern", entry.TablePattern ?? "*") })
            {
                if (pattern.Length is 0 or > MaxPatternLength || pattern.Any(char.IsControl))
                {
                    return (null, $"field '{field}.{key}' must be 1-{MaxPatternLength} printable characters (a glob: * and ? are wildcards)");
                }
            }
            var entityType = entry.EntityType ?? ColumnRule.DefaultEntityType;
            if (entityType != ColumnRule.DefaultEntityType && !PresidioEntityTypes.All.Contains(entityType, StringComparer.Ordinal)
                && !customs.Any(c => c.Name == entityType))
            {
                return (null, $"field '{field}.entity_type': unknown entity type '{entityType}' (a supported entity type or a custom entity type of this rule)");
            }
            var (strategy, error) = ParseStrategy(entry.Strategy, $"{field}.strategy");
            if (error is not null)
            {
                return (null, error);
            }
            columns.Add(new ColumnRule(entry.TablePattern ?? "*", entry.ColumnPattern, entityType, strategy));
        }
        return (columns, null);
    }

    private static (MaskingStrategy? Strategy, string? Error) ParseStrategy(string? text, string field)
    {
        if (text is null)
        {
            return (null, null);
        }
        return MaskingStrategies.TryParse(text, out var strategy)
            ? (strategy, null)
            : (null, $"field '{field}': unknown strategy '{text}' ({MaskingStrategies.Names})");
    }

    [GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,61}[A-Za-z0-9_.-])?$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,62}$")]
    private static partial Regex EntityNamePattern();
}
