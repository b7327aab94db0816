using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Cli;

/// <summary><c>vigil connections update</c>: PATCHes only the options given, through the real binary.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ConnectionsUpdateCommandTests(GatewayFixture gateway) : IDisposable
{
    private readonly CliRunner _cli = new(gateway);

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Sets_access_and_review_settings_and_leaves_the_rest()
    {
        var connection = await gateway.CreateConnectionAsync([], ["exec"]);
        var dev = await gateway.CreateGroupAsync();
        var reviewers = await gateway.CreateGroupAsync();

        var result = await _cli.RunAsync([
            "connections", "update", connection, "--access-group", dev, "--review-group", reviewers, "--min-approvals", "2",
            "--review-timeout", "10m", "--require-jit-for-connect", "true",
        ]);

        result.ExitCode.Should().Be(0, result.Stderr);
        var stored = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/connections/{connection}"))!;
        stored["access_groups"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Equal(dev);
        stored["review_groups"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Equal(reviewers);
        stored["min_approvals"]!.GetValue<int>().Should().Be(2);
        stored["review_timeout"]!.GetValue<string>().Should().Be("10m");
        stored["require_jit_for_connect"]!.GetValue<bool>().Should().BeTrue();
        stored["access_modes"]!.AsArray().Select(m => m!.GetValue<string>()).Should().Equal("exec");
        stored["max_access_duration"]!.GetValue<string>().Should().Be("8h");
    }

    [Fact]
    public async Task Refuses_nothing_to_change_and_shows_the_gateways_validation()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var empty = await _cli.RunAsync(["connections", "update", connection]);
        empty.ExitCode.Should().Be(1);
        empty.Stderr.Should().Contain("nothing to change");

        var bad = await _cli.RunAsync(["connections", "update", connection, "--min-approvals", "11"]);
        bad.ExitCode.Should().Be(1);
        bad.Stderr.Should().Contain("field 'min_approvals' must be between 1 and 10");
    }
}
