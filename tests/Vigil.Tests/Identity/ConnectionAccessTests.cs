using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Identity;

/// <summary>
/// access_groups and access_modes on connections, enforced the same way by exec (POST /api/sessions), the
/// PostgreSQL proxy and GET /api/connections; token narrowing on top.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ConnectionAccessTests(GatewayFixture gateway)
{
    private static async Task<HttpStatusCode> ExecAsync(HttpClient client, string connection) =>
        (await client.PostAsJsonAsync("/api/sessions", new { connection, script = "select 1" })).StatusCode;

    private async Task<string?> ConnectSqlStateAsync(string connection, string token)
    {
        try
        {
            await using var c = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, token));
            await c.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", c);
            await command.ExecuteScalarAsync();
            return null;
        }
        catch (PostgresException e)
        {
            return e.SqlState;
        }
    }

    [Fact]
    public async Task Group_members_use_the_connection_others_get_403_and_FATAL_42501()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var member = await gateway.CreateUserAsync([group]);
        var outsider = await gateway.CreateUserAsync([]);
        var auditor = await gateway.CreateUserAsync(["auditor"]);

        using var memberClient = gateway.ClientFor(member.Token);
        (await ExecAsync(memberClient, connection)).Should().Be(HttpStatusCode.OK);
        (await ConnectSqlStateAsync(connection, member.Token)).Should().BeNull();

        using var outsiderClient = gateway.ClientFor(outsider.Token);
        (await ExecAsync(outsiderClient, connection)).Should().Be(HttpStatusCode.Forbidden);
        (await ConnectSqlStateAsync(connection, outsider.Token)).Should().Be("42501");
        using var auditorClient = gateway.ClientFor(auditor.Token);
        (await ExecAsync(auditorClient, connection)).Should().Be(HttpStatusCode.Forbidden, "auditors read; they are not granted connections");

        (await ConnectSqlStateAsync("pg", member.Token)).Should().Be("42501", "connections without access groups are for admins only");
        (await ConnectSqlStateAsync(connection, GatewayFixture.Token)).Should().BeNull("admins reach every connection");
    }

    [Fact]
    public async Task Proxy_refusal_message_names_the_connection_and_the_reason()
    {
        var connection = await gateway.CreateConnectionAsync([await gateway.CreateGroupAsync()]);
        var outsider = await gateway.CreateUserAsync([]);
        var act = async () => { await using var c = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, outsider.Token)); await c.OpenAsync(); };
        var error = (await act.Should().ThrowAsync<PostgresException>()).Which;
        error.Severity.Should().Be("FATAL");
        error.MessageText.Should().Be($"vigil: permission denied for connection \"{connection}\": {outsider.Name} is not in its access groups");
    }

    [Fact]
    public async Task Connections_list_shows_only_what_the_caller_may_use()
    {
        var group = await gateway.CreateGroupAsync();
        var visible = await gateway.CreateConnectionAsync([group]);
        await gateway.CreateConnectionAsync([await gateway.CreateGroupAsync()]);
        var member = await gateway.CreateUserAsync([group]);
        using var client = gateway.ClientFor(member.Token);
        var page = (await client.GetFromJsonAsync<JsonObject>("/api/connections"))!;
        page["data"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Should().Equal(visible);
        page["pages"]!["total"]!.GetValue<long>().Should().Be(1);
        (await client.GetAsync("/api/connections/pg")).StatusCode.Should().Be(HttpStatusCode.NotFound, "an unusable connection is not disclosed");
    }

    [Fact]
    public async Task Access_modes_limit_exec_and_connect_separately()
    {
        var group = await gateway.CreateGroupAsync();
        var execOnly = await gateway.CreateConnectionAsync([group], ["exec"]);
        var connectOnly = await gateway.CreateConnectionAsync([group], ["connect"]);
        var member = await gateway.CreateUserAsync([group]);
        using var client = gateway.ClientFor(member.Token);
        (await ExecAsync(client, execOnly)).Should().Be(HttpStatusCode.OK);
        (await ConnectSqlStateAsync(execOnly, member.Token)).Should().Be("42501");
        (await ExecAsync(client, connectOnly)).Should().Be(HttpStatusCode.Forbidden);
        (await ConnectSqlStateAsync(connectOnly, member.Token)).Should().BeNull();
        (await ConnectSqlStateAsync(execOnly, GatewayFixture.Token)).Should().Be("42501", "modes bind admins too");
        var bad = await gateway.Http.PatchAsJsonAsync($"/api/connections/{execOnly}", new { access_modes = new[] { "ssh" } });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Patch_changes_access_keeps_the_rest_and_ends_sessions_that_lost_it()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var member = await gateway.CreateUserAsync([group]);
        await using var open = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, member.Token));
        await open.OpenAsync();

        var patched = await gateway.Http.PatchAsJsonAsync($"/api/connections/{connection}", new { access_groups = Array.Empty<string>(), access_modes = new[] { "exec", "connect" } });
        patched.StatusCode.Should().Be(HttpStatusCode.OK);
        var view = (await patched.Content.ReadFromJsonAsync<JsonObject>())!;
        view["access_groups"]!.AsArray().Should().BeEmpty();
        view["has_password"]!.GetValue<bool>().Should().BeTrue("PATCH keeps the password");
        view["port"]!.GetValue<int>().Should().Be(gateway.Postgres.Port);

        var act = async () => { await using var command = new NpgsqlCommand("SELECT 1", open); await command.ExecuteScalarAsync(); };
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await act();
            }
            catch (Exception e) when (e is PostgresException or NpgsqlException)
            {
                (e as PostgresException ?? e.InnerException as PostgresException)?.MessageText.Should().Contain("withdrawn");
                break;
            }
            DateTime.UtcNow.Should().BeBefore(deadline);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_narrowed_service_account_token_reaches_only_its_connections()
    {
        var group = await gateway.CreateGroupAsync();
        var allowed = await gateway.CreateConnectionAsync([group]);
        var other = await gateway.CreateConnectionAsync([group]);
        var agent = await gateway.CreateServiceAccountAsync([group], [allowed]);
        using var client = gateway.ClientFor(agent.Token);
        (await ExecAsync(client, allowed)).Should().Be(HttpStatusCode.OK);
        (await ExecAsync(client, other)).Should().Be(HttpStatusCode.Forbidden);
        (await ConnectSqlStateAsync(allowed, agent.Token)).Should().BeNull();
        (await ConnectSqlStateAsync(other, agent.Token)).Should().Be("42501");
        var listed = (await client.GetFromJsonAsync<JsonObject>("/api/connections"))!["data"]!.AsArray();
        listed.Select(c => c!["name"]!.GetValue<string>()).Should().Equal(allowed);

        await gateway.FlushRecordingAsync();
        var sessions = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/sessions?connection={allowed}&type=exec"))!["data"]!.AsArray();
        sessions.Should().ContainSingle().Which!["user"]!.GetValue<string>().Should().Be(agent.Name, "commands are attributed to the service account");
    }

    [Fact]
    public async Task Standard_users_see_their_own_sessions_auditors_see_all()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var alice = await gateway.CreateUserAsync([group]);
        var bob = await gateway.CreateUserAsync([group]);
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        using var aliceClient = gateway.ClientFor(alice.Token);
        using var bobClient = gateway.ClientFor(bob.Token);
        var aliceSession = (await (await aliceClient.PostAsJsonAsync("/api/sessions", new { connection, script = "select 1" })).Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await bobClient.PostAsJsonAsync("/api/sessions", new { connection, script = "select 2" });
        await gateway.FlushRecordingAsync();

        (await bobClient.GetAsync($"/api/sessions/{aliceSession}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var bobSees = (await bobClient.GetFromJsonAsync<JsonObject>($"/api/sessions?connection={connection}"))!["data"]!.AsArray();
        bobSees.Select(s => s!["user"]!.GetValue<string>()).Should().Equal(bob.Name);
        using var auditorClient = gateway.ClientFor(auditor.Token);
        (await auditorClient.GetAsync($"/api/sessions/{aliceSession}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await auditorClient.GetFromJsonAsync<JsonObject>($"/api/sessions?connection={connection}"))!["data"]!.AsArray().Should().HaveCount(2);
    }
}
