namespace Vigil.Masking.Rules;

/// <summary>
/// A data masking rule (the upstream product's <c>/api/datamasking-rules</c> shape plus column rules): which
/// connections, which Presidio entity types and custom entity types to find in result values, the score a finding
/// needs, and how each is replaced. Several rules may name one connection; <see cref="MaskingSet"/> combines them.
/// </summary>
/// <param name="Id">Stable identifier (a UUID), usable in place of the name in the API.</param>
/// <param name="Name">Unique name.</param>
/// <param name="Description">Free text, optional.</param>
/// <param name="ConnectionNames">Connections whose results it masks (each exists).</param>
/// <param name="SupportedEntityTypes">Groups of Presidio entity types (<see cref="Recognizers.PresidioEntityTypes"/>).</param>
/// <param name="CustomEntityTypes">Entity types the rule defines by a regex or a deny list.</param>
/// <param name="ScoreThreshold">Findings scoring below it (0–1) are left alone.</param>
/// <param name="Strategy">The strategy of every entity type and column that sets none.</param>
/// <param name="Columns">Columns masked whole, whatever their content.</param>
/// <param name="CreatedAt">Creation time.</param>
/// <param name="UpdatedAt">Last change.</param>
/// <param name="RevealKubernetesSecrets">
/// <c>kubernetes_secrets: reveal</c>: on the <c>kubernetes</c> connections it names, the <c>data</c> and
/// <c>stringData</c> of <c>Secret</c> objects reach the client as the cluster sent them (the recording keeps them
/// redacted); false (<c>redact</c>, the default): redacted for the client too (docs/http.md, "Kubernetes Secrets").
/// </param>
public sealed record MaskingRule(
    string Id,
    string Name,
    string? Description,
    IReadOnlyList<string> ConnectionNames,
    IReadOnlyList<EntityTypeGroup> SupportedEntityTypes,
    IReadOnlyList<CustomEntityType> CustomEntityTypes,
    double ScoreThreshold,
    MaskingStrategy Strategy,
    IReadOnlyList<ColumnRule> Columns,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool RevealKubernetesSecrets = false)
{
    /// <summary>The API's <c>kubernetes_secrets</c> values: the default, and the one that reveals.</summary>
    public const string RedactSecrets = "redact", RevealSecrets = "reveal";

    /// <summary>The rule's <c>kubernetes_secrets</c> as the API writes it.</summary>
    public string KubernetesSecrets => RevealKubernetesSecrets ? RevealSecrets : RedactSecrets;
}

/// <summary>One <c>supported_entity_types</c> entry: a named group of Presidio entity types and, optionally, their strategy.</summary>
/// <param name="Name">The group's label (e.g. <c>PII</c>).</param>
/// <param name="EntityTypes">Presidio entity type names.</param>
/// <param name="Strategy">Overrides the rule's strategy for these types; null: the rule's.</param>
public sealed record EntityTypeGroup(string Name, IReadOnlyList<string> EntityTypes, MaskingStrategy? Strategy);

/// <summary>
/// One <c>custom_entity_types</c> entry: an entity type found by <see cref="Regex"/> or by the words of
/// <see cref="DenyList"/> (whole words, case-insensitive), as Presidio's <c>PatternRecognizer</c>.
/// </summary>
/// <param name="Name">The entity type's name (upper case; what <c>redact</c> writes and the tally counts).</param>
/// <param name="Regex">.NET regular expression, or null when <see cref="DenyList"/> is given.</param>
/// <param name="DenyList">Words to find; empty when <see cref="Regex"/> is given.</param>
/// <param name="Score">Score of each finding, 0–1.</param>
/// <param name="Strategy">Overrides the rule's strategy; null: the rule's.</param>
public sealed record CustomEntityType(string Name, string? Regex, IReadOnlyList<string> DenyList, double Score, MaskingStrategy? Strategy);

/// <summary>
/// One <c>columns</c> entry: every value of a matching column is masked whole. Patterns are case-insensitive globs
/// (<c>*</c>, <c>?</c>); a table is named <c>schema.table</c>, and a table pattern without a dot matches the table in
/// any schema.
/// </summary>
/// <param name="TablePattern">Glob over <c>schema.table</c> (or over the table alone when it has no dot); <c>*</c> matches every column's table, known or not.</param>
/// <param name="ColumnPattern">Glob over the column's name as the result describes it.</param>
/// <param name="EntityType">What the column holds (a Presidio or custom entity type; <c>redact</c> writes it, the tally counts it); default <see cref="DefaultEntityType"/>.</param>
/// <param name="Strategy">Overrides the rule's strategy; null: the rule's.</param>
public sealed record ColumnRule(string TablePattern, string ColumnPattern, string EntityType, MaskingStrategy? Strategy)
{
    /// <summary>The entity type of a column rule that names none.</summary>
    public const string DefaultEntityType = "COLUMN";
}
