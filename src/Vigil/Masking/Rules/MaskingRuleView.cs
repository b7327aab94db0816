namespace Vigil.Masking.Rules;

/// <summary>
/// The API shape of a masking rule: the request's fields (strategies as written, null where the rule's applies),
/// <c>id</c>, <c>connection_ids</c> (the same names as <c>connection_names</c>, for upstream clients), timestamps, and
/// <c>kubernetes_secrets</c> (<c>redact</c> or <c>reveal</c>, always written).
/// </summary>
public sealed record MaskingRuleView(
    string Id,
    string Name,
    string? Description,
    IReadOnlyList<string> ConnectionNames,
    IReadOnlyList<string> ConnectionIds,
    IReadOnlyList<MaskingRuleView.EntityTypeGroupView> SupportedEntityTypes,
    IReadOnlyList<MaskingRuleView.CustomEntityTypeView> CustomEntityTypes,
    double ScoreThreshold,
    string Strategy,
    IReadOnlyList<MaskingRuleView.ColumnRuleView> Columns,
    string CreatedAt,
    string UpdatedAt,
    string KubernetesSecrets)
{
    /// <summary><c>{name, entity_types, strategy}</c>.</summary>
    public sealed record EntityTypeGroupView(string Name, IReadOnlyList<string> EntityTypes, string? Strategy);

    /// <summary><c>{name, regex, deny_list, score, strategy}</c>.</summary>
    public sealed record CustomEntityTypeView(string Name, string? Regex, IReadOnlyList<string> DenyList, double Score, string? Strategy);

    /// <summary><c>{table_pattern, column_pattern, entity_type, strategy}</c>.</summary>
    public sealed record ColumnRuleView(string TablePattern, string ColumnPattern, string EntityType, string? Strategy);

    /// <summary>The view of <paramref name="rule"/>.</summary>
    public static MaskingRuleView From(MaskingRule rule) => new(
        rule.Id, rule.Name, rule.Description, rule.ConnectionNames, rule.ConnectionNames,
        [.. rule.SupportedEntityTypes.Select(View)], [.. rule.CustomEntityTypes.Select(View)], rule.ScoreThreshold, rule.Strategy.Name(),
        [.. rule.Columns.Select(View)], Storage.Rfc3339.Format(rule.CreatedAt), Storage.Rfc3339.Format(rule.UpdatedAt), rule.KubernetesSecrets);

    internal static EntityTypeGroupView View(EntityTypeGroup g) => new(g.Name, g.EntityTypes, g.Strategy?.Name());

    internal static CustomEntityTypeView View(CustomEntityType c) => new(c.Name, c.Regex, c.DenyList, c.Score, c.Strategy?.Name());

    internal static ColumnRuleView View(ColumnRule c) => new(c.TablePattern, c.ColumnPattern, c.EntityType, c.Strategy?.Name());
}
