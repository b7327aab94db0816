namespace Vigil.Masking;

/// <summary>
/// What a column rule does to every value of a column (<see cref="ConnectionMasker.ForColumn"/>): the entity type it
/// counts and <c>redact</c> writes, and the strategy (<see cref="MaskingStrategy.Null"/> makes the value SQL NULL).
/// </summary>
/// <param name="EntityType">A Presidio entity type, a custom entity type or <c>COLUMN</c>.</param>
/// <param name="Strategy">How the value is replaced.</param>
public sealed record ColumnMask(string EntityType, MaskingStrategy Strategy)
{
    /// <summary>The <c>redact</c> output, <c>&lt;ENTITY_TYPE&gt;</c>.</summary>
    public string Redacted { get; } = $"<{EntityType}>";
}
