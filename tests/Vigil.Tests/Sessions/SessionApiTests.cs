using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Vigil.Tests.Cli;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Sessions;

/// <summary>
/// Who sees which session (one identity key for list, show and export), the status filter with <c>interrupted</c>,
/// and the per-connection <c>recording</c> mode: validated, round-tripped, set by the CLI, and in strict mode every
/// native statement preceded by its durable <c>input</c> event.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SessionApiTests(GatewayFixture gateway) : IDisposable
{
    private readonly CliRunner _cli = new(gateway);

    public void Dispose() => _cli.Dispose();

    private async Task<(string Id, string Token)> CreateUserAsync(string email, string group)
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/users", new { email, name = "Same Person", groups = new[] { group } });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var (token, _) = await gateway.CreateTokenAsync(new { user = email });
        return (id, token);
    }

    [Fact]
    public async Task The_session_an_exec_answer_names_is_on_record_at_once()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        for (var i = 0; i < 10; i++)
        {
            var answer = await (await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection, script = $"select {i}" })).Content.ReadFromJsonAsync<JsonObject>();

            // No wait for the recorder: the answer is given once its session is written.
            var shown = await gateway.Http.GetAsync($"/api/sessions/{answer!["id"]!.GetValue<string>()}");
            shown.StatusCode.Should().Be(HttpStatusCode.OK);
            (await shown.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>().Should().Be("done");
        }
    }

    [Fact]
    public async Task A_recreated_user_with_the_same_email_sees_none_of_the_old_users_sessions()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var email = Identities.Unique("same") + "@example.com";
        var (oldId, oldToken) = await CreateUserAsync(email, group);
        using (var old = gateway.ClientFor(oldToken))
        {
            (await old.PostAsJsonAsync("/api/sessions", new { connection, script = "select 1" })).EnsureSuccessStatusCode();
        }
        await gateway.FlushRecordingAsync();
        var oldSession = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/sessions?connection={connection}"))!["data"]![0]!["id"]!.GetValue<string>();
        (await gateway.Http.DeleteAsync($"/api/users/{oldId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var (newId, newToken) = await CreateUserAsync(email, group);
        newId.Should().NotBe(oldId);
        using var again = gateway.ClientFor(newToken);
        var listed = (await again.GetFromJsonAsync<JsonObject>("/api/sessions?page_size=100"))!;
        listed["data"]!.AsArray().Should().BeEmpty("the list is by user id, not by the reused e-mail");
        listed["pages"]!["total"]!.GetValue<long>().Should().Be(0);
        (await again.GetAsync($"/api/sessions/{oldSession}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await again.GetAsync($"/api/sessions/{oldSession}/export")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // Their own sessions they do see, in all three.
        (await again.PostAsJsonAsync("/api/sessions", new { connection, script = "select 2" })).EnsureSuccessStatusCode();
        await gateway.FlushRecordingAsync();
        var own = (await again.GetFromJsonAsync<JsonObject>("/api/sessions"))!["data"]!.AsArray().Single()!["id"]!.GetValue<string>();
        own.Should().NotBe(oldSession);
        (await again.GetAsync($"/api/sessions/{own}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await again.GetAsync($"/api/sessions/{own}/export")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_status_filter_takes_every_session_status_and_names_them_when_wrong()
    {
        (await gateway.Http.GetAsync("/api/sessions?status=interrupted")).StatusCode.Should().Be(HttpStatusCode.OK);
        var bad = await gateway.Http.GetAsync("/api/sessions?status=crashed");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().Contain("open, done, failed, blocked, waiting_review, rejected, expired, interrupted");
        var cli = await _cli.RunAsync(["sessions", "list", "--status", "interrupted"]);
        cli.ExitCode.Should().Be(0, cli.Stderr);
    }

    [Fact]
    public async Task Recording_mode_is_validated_round_trips_and_is_set_by_the_cli()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/connections/{connection}"))!["recording"]!.GetValue<string>().Should().Be("async");

        var bad = await gateway.Http.PatchAsJsonAsync($"/api/connections/{connection}", new { recording = "sometimes" });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().Contain("field 'recording' must be one of async, strict");

        var update = await _cli.RunAsync(["connections", "update", connection, "--recording", "strict"]);
        update.ExitCode.Should().Be(0, update.Stderr);
        (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/connections/{connection}"))!["recording"]!.GetValue<string>().Should().Be("strict");
        var patched = await gateway.Http.PatchAsJsonAsync($"/api/connections/{connection}", new { min_approvals = 2 });
        (await patched.Content.ReadFromJsonAsync<JsonObject>())!["recording"]!.GetValue<string>().Should().Be("strict", "PATCH keeps it");

        var created = Identities.Unique("strict");
        var create = await _cli.RunAsync(
            ["connections", "create", created, "--host", "127.0.0.1", "--port", gateway.Postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--database", "app", "--username", "app", "--ssl-mode", "disable", "--recording", "strict"]);
        create.ExitCode.Should().Be(0, create.Stderr);
        (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/connections/{created}"))!["recording"]!.GetValue<string>().Should().Be("strict");
        (await _cli.RunAsync(["connections", "update", created, "--recording", "never"])).ExitCode.Should().NotBe(0);
    }

    [Fact]
    public async Task In_strict_mode_each_statement_is_recorded_as_input_before_its_outcome_in_both_protocols_and_exec()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        (await gateway.Http.PatchAsJsonAsync($"/api/connections/{connection}", new { recording = "strict" })).EnsureSuccessStatusCode();
        // Simple protocol (psql's Query), then the extended protocol (Npgsql's Parse/Bind/Execute).
        var url = $"postgresql://someone:{GatewayFixture.Token}@127.0.0.1:{gateway.PgPort}/{connection}?sslmode=disable";
        var psql = await Processes.RunAsync("psql", [url, "-X", "-A", "-t", "-c", "SELECT name FROM items WHERE id = 3"]);
        psql.Stdout.Trim().Should().Be("item 3", psql.Stderr);
        var simple = await gateway.LatestSessionAsync(connection);
        simple.Events!.Select(e => (e.Kind, e.Text)).Should().Equal(
            ("input", "SELECT name FROM items WHERE id = 3"), ("statement", "SELECT name FROM items WHERE id = 3"));
        await using (var db = new NpgsqlConnection(gateway.ProxyConnectionString(connection, "Server Compatibility Mode=NoTypeLoading")))
        {
            await db.OpenAsync();
            await using var extended = new NpgsqlCommand("SELECT name FROM items WHERE id = $1", db) { Parameters = { new() { Value = 7 } } };
            (await extended.ExecuteScalarAsync()).Should().Be("item 7");
        }
        var session = await gateway.LatestSessionAsync(connection);
        session.Events!.Select(e => (e.Kind, e.Text)).Should().Equal(
            ("input", "SELECT name FROM items WHERE id = $1"), ("statement", "SELECT name FROM items WHERE id = $1"));
        session.Events![0].AiAnalysis.Should().NotBeNull("the input carries the analysis it was forwarded under");

        var exec = await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection, script = "select 42" });
        exec.EnsureSuccessStatusCode();
        var execId = (await exec.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await gateway.FlushRecordingAsync();
        var execSession = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/sessions/{execId}"))!;
        execSession["events"]!.AsArray().Select(e => e!["kind"]!.GetValue<string>()).Should().Equal("input", "statement", "output");
    }
}
