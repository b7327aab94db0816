using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>
/// The work per statement is bounded: the analyzer reads a prefix (a longer statement is at least medium and says so)
/// and a recording keeps the first 64 Ki characters plus the whole text's length and SHA-256.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class LargeStatementTests(GatewayFixture gateway)
{
    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public async Task A_statement_longer_than_the_recording_cap_is_recorded_cut_with_its_length_and_hash()
    {
        var name = await gateway.CreateConnectionAsync([]);
        var sql = $"SELECT length('{new string('x', 200_000)}') /* é */";
        await using (var connection = new NpgsqlConnection(gateway.ProxyConnectionString(name)))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            (await command.ExecuteScalarAsync()).Should().Be(200_000);
        }
        var session = await gateway.LatestSessionAsync(name);
        var statement = session.Events!.Single(e => e.Kind == "statement" && e.TextLength is not null);
        statement.Text.Should().Be(sql[..(64 * 1024)]);
        statement.TextLength.Should().Be(sql.Length);
        statement.TextSha256.Should().Be(Sha256(sql));
        statement.CommandTag.Should().Be("SELECT 1");
        session.Events!.Where(e => e.TextLength is null).Should().OnlyContain(e => e.Text == null || e.Text.Length <= 64 * 1024);
    }

    [Fact]
    public async Task A_command_longer_than_the_analyzer_reads_is_at_least_medium_and_says_so()
    {
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync(new()
        {
            ["risk_evaluation"] = new { low_risk_action = "allow", medium_risk_action = "block", high_risk_action = "block" },
        });
        // Harmless as far as the first 1 Mi characters go; what follows them is never analyzed.
        var script = $"SELECT 1 /* {new string('x', 1024 * 1024)} */; DROP TABLE items";
        var response = await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection, script });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["status"]!.GetValue<string>().Should().Be("blocked");
        var analysis = body["ai_analysis"]!;
        analysis["risk_level"]!.GetValue<string>().Should().Be("medium");
        analysis["title"]!.GetValue<string>().Should().Be("Statement too large to analyze");
        analysis["evidence"]!.GetValue<string>().Should().StartWith($"analyzed the first 1048576 of {script.Length} characters");

        var session = await gateway.LatestSessionAsync(connection, "exec");
        var blocked = session.Events!.Single(e => e.Kind == "blocked");
        blocked.Text!.Length.Should().Be(64 * 1024);
        blocked.TextLength.Should().Be(script.Length);
        blocked.TextSha256.Should().Be(Sha256(script));
        var input = session.Events!.Single(e => e.Kind == "input");
        input.Text!.Length.Should().Be(64 * 1024, "exec's input event is capped like statements");
        input.TextLength.Should().Be(script.Length);
        input.TextSha256.Should().Be(Sha256(script));
    }
}
