using System.Net.Http.Json;

namespace Vigil.Tests.Fixtures;

/// <summary>Creates analyzer rules through the admin API, each on a connection of its own so tests do not see each other's policy.</summary>
public static class AnalyzerRules
{
    /// <summary>
    /// Registers a fresh connection (admins only) and a rule over it: low allow, medium require_approval, high block
    /// unless <paramref name="extra"/> overrides fields. Returns the connection and rule names.
    /// </summary>
    public static async Task<(string Connection, string Rule)> CreateRuleOnNewConnectionAsync(this GatewayFixture gateway, Dictionary<string, object?>? extra = null)
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var rule = Identities.Unique("rule");
        var body = new Dictionary<string, object?>
        {
            ["name"] = rule,
            ["connection_names"] = new[] { connection },
            ["risk_evaluation"] = new { low_risk_action = "allow", medium_risk_action = "require_approval", high_risk_action = "block" },
        };
        foreach (var (key, value) in extra ?? [])
        {
            body[key] = value;
        }
        var response = await gateway.Http.PostAsJsonAsync("/api/ai/session-analyzer/rules", body);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return (connection, rule);
    }
}
