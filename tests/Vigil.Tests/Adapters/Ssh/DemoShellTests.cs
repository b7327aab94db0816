using System.Text.Json.Nodes;
using Vigil.Demo;
using Vigil.Tests.Fixtures;
using Vigil.Tests.Hosting;

namespace Vigil.Tests.Adapters.Ssh;

/// <summary>
/// <c>vigil serve --demo</c> provides the <c>demo-shell</c> ssh connection to a local sshd (when one is installed, as
/// here and in CI): a harmless command runs, <c>rm -rf /var/lib/postgresql</c> is blocked with the analyzer's reason,
/// and a medium-risk command waits for a reviewer.
/// </summary>
public sealed class DemoShellTests : IDisposable
{
    private const string Token = "vgl_demo_shell_test_token_0123456789abcdefghij";

    private readonly string _data = Path.Combine(Path.GetTempPath(), "vigil-demo-shell-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Serve_demo_registers_demo_shell_where_a_command_runs_rm_rf_is_blocked_and_a_copy_waits_for_review()
    {
        LocalSshd.IsInstalled.Should().BeTrue("openssh-server is installed here and by .ci/run");
        await using var gateway = await ServeProcess.StartAsync(_data, Token, "--demo");
        var environment = new Dictionary<string, string> { ["VIGIL_GATEWAY_URL"] = gateway.Http.BaseAddress!.ToString().TrimEnd('/'), ["VIGIL_TOKEN"] = Token, ["HOME"] = _data };
        Task<Processes.Result> Exec(string script) => Processes.RunAsync("dotnet", [Processes.VigilDll, "exec", DemoShell.ConnectionName, "--no-wait", "-i", script], environment);

        var ran = await Exec("echo hello from the demo shell");
        var blocked = await Exec("rm -rf /var/lib/postgresql");
        var waiting = await Exec("cp /etc/hostname /tmp/vigil-demo-copy");

        gateway.Lines.Should().Contain(l => l.StartsWith("vigil: demo shell ready: vigil exec demo-shell", StringComparison.Ordinal));
        ran.ExitCode.Should().Be(0, ran.Stderr);
        ran.Stdout.Should().Be("hello from the demo shell\n");
        blocked.ExitCode.Should().Be(2);
        blocked.Stderr.Should().Contain("Data directory delete");
        waiting.ExitCode.Should().Be(4, waiting.Stderr);
        waiting.Stderr.Should().Contain("review");
        var connection = JsonNode.Parse(await gateway.Http.GetStringAsync($"/api/connections/{DemoShell.ConnectionName}"))!;
        connection["type"]!.GetValue<string>().Should().Be("ssh");
        connection["has_private_key"]!.GetValue<bool>().Should().BeTrue();
        Directory.Exists(Path.Combine(_data, "demo-sshd")).Should().BeTrue("the demo shell's keys live in the data directory");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
