using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Vigil.Tests.Cli;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Sessions;

/// <summary>
/// The per-connection result recording bounds <c>record_result_rows</c> and <c>record_result_bytes</c>: defaults,
/// validation (400 naming the field), PATCH keeping them, <c>0</c> as off, and the CLI flags that set them.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ResultRecordingSettingsTests(GatewayFixture gateway) : IDisposable
{
    private readonly CliRunner _cli = new(gateway);

    public void Dispose() => _cli.Dispose();

    private async Task<JsonObject> GetAsync(string connection) => (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/connections/{connection}"))!;

    private async Task<(HttpStatusCode Status, string Body)> PatchRawAsync(string connection, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await gateway.Http.PatchAsync($"/api/connections/{connection}", content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Defaults_are_100_rows_and_64_KiB_and_patch_keeps_what_was_set()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var shown = await GetAsync(connection);
        shown["record_result_rows"]!.GetValue<int>().Should().Be(100);
        shown["record_result_bytes"]!.GetValue<int>().Should().Be(65536);

        (await PatchRawAsync(connection, """{"record_result_rows": 0}""")).Status.Should().Be(HttpStatusCode.OK, "0 turns result recording off");
        (await PatchRawAsync(connection, """{"min_approvals": 2}""")).Status.Should().Be(HttpStatusCode.OK);
        shown = await GetAsync(connection);
        shown["record_result_rows"]!.GetValue<int>().Should().Be(0, "PATCH of another field keeps it");
        shown["record_result_bytes"]!.GetValue<int>().Should().Be(65536);

        // PUT without the fields goes back to the defaults, like every other optional field of a full replacement.
        var put = await gateway.Http.PutAsJsonAsync($"/api/connections/{connection}", new
        {
            type = "postgres", host = "127.0.0.1", port = gateway.Postgres.Port, database = "app", username = "app", ssl_mode = "disable",
            record_result_bytes = 16 * 1024 * 1024,
        });
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        shown = await GetAsync(connection);
        shown["record_result_rows"]!.GetValue<int>().Should().Be(100);
        shown["record_result_bytes"]!.GetValue<int>().Should().Be(16 * 1024 * 1024);
    }

    [Theory]
    [InlineData("""{"record_result_rows": -1}""", "field 'record_result_rows' must be between 0 (off) and 10000")]
    [InlineData("""{"record_result_rows": 10001}""", "field 'record_result_rows' must be between 0 (off) and 10000")]
    [InlineData("""{"record_result_bytes": -5}""", "field 'record_result_bytes' must be between 0 (off) and 16777216")]
    [InlineData("""{"record_result_bytes": 16777217}""", "field 'record_result_bytes' must be between 0 (off) and 16777216")]
    [InlineData("""{"record_result_rows": 1.5}""", "at field 'record_result_rows'")]
    [InlineData("""{"record_result_rows": "many"}""", "at field 'record_result_rows'")]
    [InlineData("""{"record_result_bytes": 99999999999}""", "at field 'record_result_bytes'")]
    public async Task Out_of_range_and_non_integer_values_are_a_400_naming_the_field(string body, string message)
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var (status, text) = await PatchRawAsync(connection, body);
        status.Should().Be(HttpStatusCode.BadRequest);
        text.Should().Contain(message);
        var create = await gateway.Http.PostAsync("/api/connections", new StringContent(
            body.TrimEnd('}') + $$""", "name": "{{Identities.Unique("bad")}}", "type": "postgres", "host": "h", "database": "d", "username": "u"}""",
            Encoding.UTF8, "application/json"));
        create.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await create.Content.ReadAsStringAsync()).Should().Contain(message);
        (await GetAsync(connection))["record_result_rows"]!.GetValue<int>().Should().Be(100, "a refused change changes nothing");
    }

    [Fact]
    public async Task The_cli_sets_them_on_create_and_update()
    {
        var name = Identities.Unique("results");
        var create = await _cli.RunAsync(
            ["connections", "create", name, "--host", "127.0.0.1", "--port", gateway.Postgres.Port.ToString(CultureInfo.InvariantCulture),
             "--database", "app", "--username", "app", "--ssl-mode", "disable", "--record-result-rows", "5", "--record-result-bytes", "1024"]);
        create.ExitCode.Should().Be(0, create.Stderr);
        var shown = await GetAsync(name);
        shown["record_result_rows"]!.GetValue<int>().Should().Be(5);
        shown["record_result_bytes"]!.GetValue<int>().Should().Be(1024);

        var update = await _cli.RunAsync(["connections", "update", name, "--record-result-rows", "0"]);
        update.ExitCode.Should().Be(0, update.Stderr);
        shown = await GetAsync(name);
        shown["record_result_rows"]!.GetValue<int>().Should().Be(0);
        shown["record_result_bytes"]!.GetValue<int>().Should().Be(1024, "update sends only the options given");

        var bad = await _cli.RunAsync(["connections", "update", name, "--record-result-bytes", "-1"]);
        bad.ExitCode.Should().Be(1);
        bad.Stderr.Should().Contain("record_result_bytes");
    }
}
