namespace Vigil.Analysis;

/// <summary>
/// The analyzer's three risk levels, ordered so that <c>max</c> is "the worse of two". API and JSON spelling is
/// lower case (<c>low</c>, <c>medium</c>, <c>high</c>): see <see cref="RiskLevels"/>.
/// </summary>
public enum RiskLevel
{
    /// <summary>Read-only, scoped, routine diagnostics, tight filters or limits.</summary>
    Low = 0,
    /// <summary>Expensive or unstable, broad reads of sensitive data, schema changes, reversible but risky writes.</summary>
    Medium = 1,
    /// <summary>Destructive or irreversible, privilege escalation, exfiltration, credential access, disabling security.</summary>
    High = 2,
}

/// <summary>The API spelling of <see cref="RiskLevel"/>.</summary>
public static class RiskLevels
{
    /// <summary><c>low</c>, <c>medium</c> or <c>high</c>.</summary>
    public static string Name(this RiskLevel level) => level switch
    {
        RiskLevel.Low => "low",
        RiskLevel.Medium => "medium",
        _ => "high",
    };

    /// <summary>Parses <c>low</c>, <c>medium</c> or <c>high</c> (case-insensitive).</summary>
    public static bool TryParse(string? text, out RiskLevel level)
    {
        level = text?.ToLowerInvariant() switch
        {
            "low" => RiskLevel.Low,
            "medium" => RiskLevel.Medium,
            "high" => RiskLevel.High,
            _ => (RiskLevel)(-1),
        };
        return (int)level >= 0;
    }

    /// <summary>The worse of two levels.</summary>
    public static RiskLevel Max(RiskLevel a, RiskLevel b) => a >= b ? a : b;
}
