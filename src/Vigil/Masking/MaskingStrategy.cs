namespace Vigil.Masking;

/// <summary>
/// How a masked value is replaced (the rule's <c>strategy</c>; docs/masking.md "Strategies").
/// </summary>
public enum MaskingStrategy
{
    /// <summary><c>redact</c>: the value becomes <c>&lt;ENTITY_TYPE&gt;</c>, e.g. <c>&lt;EMAIL_ADDRESS&gt;</c>.</summary>
    Redact,
    /// <summary><c>partial</c>: every character but the last 4 becomes <c>*</c> (at most half the value stays visible).</summary>
    Partial,
    /// <summary><c>hash</c>: <c>hash:</c> + the first 16 hex digits of HMAC-SHA256 of the value under the gateway's masking key.</summary>
    Hash,
    /// <summary><c>null</c>: a column becomes SQL NULL; a value found inside a larger text is removed (empty).</summary>
    Null,
}

/// <summary>API spelling of <see cref="MaskingStrategy"/>.</summary>
public static class MaskingStrategies
{
    /// <summary>The accepted spellings, for error messages and help.</summary>
    public const string Names = "redact, partial, hash, null";

    /// <summary><c>redact</c>, <c>partial</c>, <c>hash</c> or <c>null</c>.</summary>
    public static string Name(this MaskingStrategy strategy) => strategy switch
    {
        MaskingStrategy.Redact => "redact",
        MaskingStrategy.Partial => "partial",
        MaskingStrategy.Hash => "hash",
        _ => "null",
    };

    /// <summary>Parses a strategy name (case-insensitive).</summary>
    public static bool TryParse(string? text, out MaskingStrategy strategy)
    {
        (var ok, strategy) = text?.ToLowerInvariant() switch
        {
            "redact" => (true, MaskingStrategy.Redact),
            "partial" => (true, MaskingStrategy.Partial),
            "hash" => (true, MaskingStrategy.Hash),
            "null" => (true, MaskingStrategy.Null),
            _ => (false, MaskingStrategy.Redact),
        };
        return ok;
    }
}
