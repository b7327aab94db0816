using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Vigil.Tests.Fixtures;

/// <summary>
/// The people and policy of a review test, all fresh: a connection under an analyzer rule (low allow, medium
/// require_approval, high block) that the <c>dev</c> group may use and the <c>reviewers</c> group decides; a requester in
/// dev, two reviewers, an outsider in dev (may use the connection, may not decide) and an auditor.
/// </summary>
public sealed record ReviewScenario(
    GatewayFixture Gateway, string Connection, string Rule, string ReviewerGroup,
    Identities.Created Requester, Identities.Created Reviewer, Identities.Created SecondReviewer, Identities.Created Outsider, Identities.Created Auditor)
{
    /// <summary>A medium-risk statement for the static analyzer (an INSERT) with a unique id; it inserts into <c>items</c>.</summary>
    public static string MediumInsert(int id) => $"INSERT INTO items (id, name) VALUES ({id}, 'reviewed')";

    /// <summary>Creates the scenario; <paramref name="connectionFields"/> are PATCHed onto the connection, <paramref name="ruleFields"/> onto the rule.</summary>
    public static async Task<ReviewScenario> CreateAsync(GatewayFixture gateway, object? connectionFields = null, Dictionary<string, object?>? ruleFields = null)
    {
        var (connection, rule) = await gateway.CreateRuleOnNewConnectionAsync(ruleFields);
        var dev = await gateway.CreateGroupAsync();
        var reviewers = await gateway.CreateGroupAsync();
        await PatchConnectionAsync(gateway, connection, new { access_groups = new[] { dev }, review_groups = new[] { reviewers } });
        if (connectionFields is not null)
        {
            await PatchConnectionAsync(gateway, connection, connectionFields);
        }
        return new ReviewScenario(
            gateway, connection, rule, reviewers,
            await gateway.CreateUserAsync([dev]), await gateway.CreateUserAsync([reviewers]), await gateway.CreateUserAsync([reviewers]),
            await gateway.CreateUserAsync([dev]), await gateway.CreateUserAsync(["auditor"]));
    }

    /// <summary>PATCHes <paramref name="fields"/> onto <paramref name="connection"/>; throws with the problem on failure.</summary>
    public static async Task PatchConnectionAsync(GatewayFixture gateway, string connection, object fields)
    {
        var response = await gateway.Http.PatchAsJsonAsync($"/api/connections/{connection}", fields);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Runs <paramref name="script"/> as <paramref name="who"/> through <c>POST /api/sessions</c>.</summary>
    public Task<(HttpStatusCode Status, JsonNode Body)> ExecAsync(Identities.Created who, string script) =>
        SendAsync(who, HttpMethod.Post, "/api/sessions", new { connection = Connection, script });

    /// <summary>Sends a JSON request as <paramref name="who"/>; the body is parsed whatever the status.</summary>
    public async Task<(HttpStatusCode Status, JsonNode Body)> SendAsync(Identities.Created who, HttpMethod method, string path, object? body = null)
    {
        using var client = Gateway.ClientFor(who.Token);
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!);
    }

    /// <summary>Approves (or rejects) review <paramref name="id"/> as <paramref name="who"/>.</summary>
    public Task<(HttpStatusCode Status, JsonNode Body)> DecideAsync(Identities.Created who, string id, bool approve, string? reason = null) =>
        SendAsync(who, HttpMethod.Post, $"/api/reviews/{id}/{(approve ? "approve" : "reject")}", reason is null ? null : new { reason });

    /// <summary>Review <paramref name="id"/> as the admin sees it.</summary>
    public async Task<JsonNode> ReviewAsync(string id) =>
        JsonNode.Parse(await Gateway.Http.GetStringAsync($"/api/reviews/{id}"))!;
}
