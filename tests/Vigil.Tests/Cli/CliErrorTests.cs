using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Cli;

/// <summary>
/// Every CLI error is one line on stderr starting with "vigil: " and a non-zero exit, never a stack trace: files that
/// are missing or unreadable (the README's own <c>--ssl-root-cert ca.pem</c>, <c>vigil exec -f</c>, a rule file),
/// files with bad content, and usage errors.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class CliErrorTests(GatewayFixture gateway) : IDisposable
{
    private readonly CliRunner _cli = new(gateway);
    private readonly string _dir = Directory.CreateTempSubdirectory("vigil-cli-errors-").FullName;

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static void ShouldBeOneLineError(Processes.Result result, string expected)
    {
        result.ExitCode.Should().Be(1, result.Stderr);
        result.Stderr.Should().Be($"vigil: {expected}\n", "an error is one line, without a stack trace");
        result.Stdout.Should().BeEmpty();
    }

    [Fact]
    public async Task A_missing_script_file_is_one_line()
    {
        var missing = Path.Combine(_dir, "missing.sql");
        ShouldBeOneLineError(await _cli.RunAsync(["exec", "pg", "-f", missing]), $"-f {missing}: no such file");
    }

    [Fact]
    public async Task A_directory_given_as_a_script_file_is_one_line()
    {
        ShouldBeOneLineError(await _cli.RunAsync(["exec", "pg", "-f", _dir]), $"-f {_dir}: is a directory, not a file");
    }

    [Fact]
    public async Task The_readme_connection_example_with_a_missing_ca_file_is_one_line()
    {
        var ca = Path.Combine(_dir, "ca.pem");
        var result = await _cli.RunAsync(
            ["connections", "create", "prod-db", "--host", "db.internal", "--database", "app", "--username", "vigil", "--ssl-mode", "verify-full", "--ssl-root-cert", ca]);
        ShouldBeOneLineError(result, $"--ssl-root-cert {ca}: no such file");
    }

    [Fact]
    public async Task An_unreadable_ca_file_is_one_line()
    {
        var ca = Path.Combine(_dir, "unreadable.pem");
        await File.WriteAllTextAsync(ca, "-----BEGIN CERTIFICATE-----\n");
        File.SetUnixFileMode(ca, UnixFileMode.None);
        // Run as a user that file modes apply to (tests run as root, which reads the file regardless).
        File.SetUnixFileMode(_dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        (await Processes.RunAsync("runuser", ["-u", "nobody", "--", "test", "-r", ca])).ExitCode.Should().NotBe(0, "the file is unreadable for nobody");
        var asNobody = await Processes.RunAsync("runuser", ["-u", "nobody", "--", "env", $"VIGIL_TOKEN={GatewayFixture.Token}", $"VIGIL_GATEWAY_URL={gateway.HttpAddress}",
            "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "dotnet", Processes.VigilDll, "connections", "create", "c", "--host", "h", "--database", "d", "--username", "u", "--ssl-root-cert", ca]);
        ShouldBeOneLineError(asNobody, $"--ssl-root-cert {ca}: permission denied");
    }

    [Fact]
    public async Task A_missing_or_malformed_rule_file_is_one_line()
    {
        var missing = Path.Combine(_dir, "rule.json");
        ShouldBeOneLineError(await _cli.RunAsync(["ai", "rules", "create", "r", "-f", missing]), $"--file {missing}: no such file");
        await File.WriteAllTextAsync(missing, "{not json");
        var malformed = await _cli.RunAsync(["ai", "rules", "create", "r", "-f", missing]);
        malformed.ExitCode.Should().Be(1);
        malformed.Stderr.Should().StartWith("vigil: rule.json: ").And.EndWith("\n");
        malformed.Stderr.TrimEnd('\n').Should().NotContain("\n");
    }

    [Fact]
    public async Task Usage_errors_are_one_line_that_points_at_the_verbs_help()
    {
        ShouldBeOneLineError(await _cli.RunAsync(["connections", "create", "x", "--host", "h", "--database", "d"]),
            "Option '--username' is required (see `vigil connections create --help`)");
        ShouldBeOneLineError(await _cli.RunAsync(["no-such-verb"]),
            "Required command was not provided; Unrecognized command or argument 'no-such-verb' (see `vigil --help`)");
    }
}
