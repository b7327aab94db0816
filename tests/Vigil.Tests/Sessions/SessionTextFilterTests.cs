using System.Net.Http.Json;
using Vigil.Hosting;
using Vigil.Sessions;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Sessions;

/// <summary>
/// <c>GET /api/sessions?text=…</c> (the console's free-text filter too): sessions whose recorded commands contain the
/// text, literally (no wildcards) and ignoring ASCII case, within what the caller may see.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SessionTextFilterTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Text_matches_recorded_commands_literally_ignoring_case_and_only_among_visible_sessions()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var owner = await gateway.CreateUserAsync([group]);
        var other = await gateway.CreateUserAsync([group]);
        var marker = Identities.Unique("Needle_%");
        using (var client = gateway.ClientFor(owner.Token))
        {
            (await client.PostAsJsonAsync("/api/sessions", new { connection, script = $"select '{marker}' as hit" })).EnsureSuccessStatusCode();
            (await client.PostAsJsonAsync("/api/sessions", new { connection, script = "select 'Needle_x' as miss" })).EnsureSuccessStatusCode();
        }
        await gateway.FlushRecordingAsync();

        async Task<IReadOnlyList<SessionView>> ListAsync(HttpClient client, string text) =>
            (await client.GetFromJsonAsync<Paged<SessionView>>($"/api/sessions?connection={connection}&text={Uri.EscapeDataString(text)}", Vigil.Hosting.Api.Json))!.Data;

        var found = await ListAsync(gateway.Http, marker.ToUpperInvariant());
        found.Should().ContainSingle().Which.User.Should().Be(owner.Name);
        (await ListAsync(gateway.Http, "needle_")).Should().HaveCount(2);
        (await ListAsync(gateway.Http, "Needle_%x")).Should().BeEmpty("% is a character to find, not a wildcard");
        using var otherClient = gateway.ClientFor(other.Token);
        (await ListAsync(otherClient, marker)).Should().BeEmpty();
    }
}
