using System.Text;
using Vigil.Adapters.Ssh.Upstream;
using Vigil.Connections;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Ssh;

/// <summary>
/// The upstream client API the native SSH adapter builds on (<see cref="SshUpstream"/>), against a real sshd: exec with
/// and without stdin, signals, an interactive shell with a pty and a resize, SFTP, and the failures it reports.
/// </summary>
public sealed class SshUpstreamTests : IAsyncLifetime
{
    private SshdTarget _sshd = null!;

    public async Task InitializeAsync() => _sshd = await SshdTarget.StartAsync();

    public async Task DisposeAsync() => await _sshd.DisposeAsync();


    private static async Task<string> ReadToEndAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task Exec_gives_stdout_stderr_and_the_exit_status_and_stdin_is_empty_unless_opened()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await SshUpstream.ConnectAsync(_sshd.Connection("upstream"), timeout.Token);

        await using (var withoutInput = await session.ExecAsync("cat; echo out; echo err >&2; exit 7", timeout.Token))
        {
            var (stdout, stderr) = (ReadToEndAsync(withoutInput.Stdout), ReadToEndAsync(withoutInput.Stderr));
            (await stdout).Should().Be("out\n", "cat reads an empty stdin and ends");
            (await stderr).Should().Be("err\n");
            var status = await withoutInput.WaitAsync().WaitAsync(timeout.Token);
            status.Should().Be(new SshExitStatus(7, null));
            status.ToString().Should().Be("exit status 7");
        }
        await using var withInput = await session.ExecAsync("tr a-z A-Z", timeout.Token, withStdin: true);
        await using (var stdin = withInput.Stdin!)
        {
            await stdin.WriteAsync("piped text\n"u8.ToArray(), timeout.Token);
        }
        (await ReadToEndAsync(withInput.Stdout)).Should().Be("PIPED TEXT\n");
        (await withInput.WaitAsync().WaitAsync(timeout.Token)).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task A_signal_ends_a_running_command()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await SshUpstream.ConnectAsync(_sshd.Connection("upstream"), timeout.Token);
        await using var sleeping = await session.ExecAsync("echo started; exec sleep 60", timeout.Token);
        var buffer = new byte[16];
        (await sleeping.Stdout.ReadAsync(buffer, timeout.Token)).Should().BeGreaterThan(0);

        sleeping.Signal(kill: true);
        var status = await sleeping.WaitAsync().WaitAsync(timeout.Token);

        status.Succeeded.Should().BeFalse();
        (status.ExitSignal ?? status.ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture)).Should().NotBeNull();
    }

    [Fact]
    public async Task A_shell_gets_a_pty_of_the_asked_size_follows_a_resize_and_reports_its_exit_status()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var session = await SshUpstream.ConnectAsync(_sshd.Connection("upstream"), timeout.Token);
        await using var shell = await session.OpenShellAsync(new SshTerminal("xterm", 80, 24), timeout.Token);
        var output = new StringBuilder();
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            int read;
            while ((read = await shell.Stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                lock (output)
                {
                    output.Append(Encoding.UTF8.GetString(buffer, 0, read));
                }
            }
        });

        await shell.Stream.WriteAsync("stty size\n"u8.ToArray(), timeout.Token);
        await shell.Stream.FlushAsync(timeout.Token);
        await WaitForAsync(output, "24 80", timeout.Token);
        await shell.ResizeAsync(100, 30, timeout.Token);
        await shell.Stream.WriteAsync("stty size; exit 3\n"u8.ToArray(), timeout.Token);
        await shell.Stream.FlushAsync(timeout.Token);
        (await shell.Exit.WaitAsync(timeout.Token)).Should().Be(new SshExitStatus(3, null), "the shell's own exit status is reported");

        await WaitForAsync(output, "30 100", timeout.Token);
    }

    [Fact]
    public async Task Failures_are_reported_as_their_kind_with_a_message_for_the_client()
    {
        var (_, wrongKey) = await _sshd.GenerateKeyAsync("-t", "ed25519");
        var (unknownClient, _) = await _sshd.GenerateKeyAsync("-t", "ed25519");

        var mismatch = await Assert.ThrowsAsync<SshUpstreamException>(() => SshUpstream.ConnectAsync(_sshd.Connection("upstream", new() { ["host_key"] = wrongKey }), CancellationToken.None));
        var refused = await Assert.ThrowsAsync<SshUpstreamException>(() => SshUpstream.ConnectAsync(_sshd.Connection("upstream", new() { ["private_key"] = unknownClient }), CancellationToken.None));

        mismatch.Failure.Should().Be(SshUpstreamFailure.HostKeyMismatch);
        mismatch.PresentedFingerprint.Should().Be(_sshd.Connection("upstream").Ssh!.Pin.Fingerprint);
        mismatch.Message.Should().StartWith("host key mismatch for connection upstream: expected SHA256:");
        refused.Failure.Should().Be(SshUpstreamFailure.AuthenticationFailed);
        refused.Message.Should().Contain("refused the connection's credentials").And.NotContain("PRIVATE KEY");
    }

    private static async Task WaitForAsync(StringBuilder output, string text, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (output)
            {
                if (output.ToString().Contains(text, StringComparison.Ordinal))
                {
                    return;
                }
            }
            await Task.Delay(20, cancellationToken);
        }
    }
}
