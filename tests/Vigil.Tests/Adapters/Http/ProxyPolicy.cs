using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Http;

/// <summary>Analyzer rules and access for proxied connections, through the admin API.</summary>
public static class ProxyPolicy
{
    /// <summary>A rule on <paramref name="connection"/>: low allow, medium <paramref name="medium"/>, high block.</summary>
    public static async Task CreateRuleAsync(this GatewayFixture gateway, string connection, string medium = "allow")
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/ai/session-analyzer/rules", new
        {
            name = Identities.Unique("rule"),
            connection_names = new[] { connection },
            risk_evaluation = new { low_risk_action = "allow", medium_risk_action = medium, high_risk_action = "block" },
        });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
        }
    }

    /// <summary>
    /// The newest session of <paramref name="connection"/> with its events as recorded so far (a proxy session stays
    /// open through its idle window, so this does not wait for it to close).
    /// </summary>
    public static async Task<JsonNode> RecordedSessionAsync(this GatewayFixture gateway, string connection)
    {
        await gateway.FlushRecordingAsync();
        var page = JsonNode.Parse(await gateway.Http.GetStringAsync($"/api/sessions?connection={connection}&page_size=1"))!;
        var id = page["data"]![0]!["id"]!.GetValue<string>();
        return JsonNode.Parse(await gateway.Http.GetStringAsync($"/api/sessions/{id}"))!;
    }

    /// <summary>The recorded events of <paramref name="session"/> of <paramref name="kind"/>.</summary>
    public static List<JsonNode> Events(this JsonNode session, string kind) =>
        session["events"]!.AsArray().Where(e => e!["kind"]!.GetValue<string>() == kind).Select(e => e!).ToList();

    /// <summary>A user in a fresh group that <paramref name="connection"/> now admits.</summary>
    public static async Task<Identities.Created> CreateMemberAsync(this GatewayFixture gateway, string connection)
    {
        var group = await gateway.CreateGroupAsync();
        await ReviewScenario.PatchConnectionAsync(gateway, connection, new { access_groups = new[] { group } });
        return await gateway.CreateUserAsync([group]);
    }
}
