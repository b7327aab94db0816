using System.Diagnostics;
using System.Security.Cryptography;
using Vigil.Ssh.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.Ssh.Tests;

public class ExecTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ExitStatus_BecomesSshExitCode()
    {
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "u@127.0.0.1", "exit 42"]);

        result.ExitCode.Should().Be(42, result.Stderr);
    }

    [Fact]
    public async Task Stderr_IsSeparateFromStdout()
    {
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "u@127.0.0.1", "stderr something failed"]);

        result.ExitCode.Should().Be(3);
        result.Text.Should().BeEmpty();
        result.Stderr.Should().Contain("something failed\n");
    }

    [Fact]
    public async Task Env_IsDeliveredBeforeExec()
    {
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "-o", "SetEnv=VIGIL_TEST=yes", "u@127.0.0.1", "echo hi"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        server.Handler.Events.Should().ContainInOrder("env:VIGIL_TEST=yes", "exec:echo hi");
    }

    [Fact]
    public async Task LargeTransfer_BothWays_FlowControlKeepsEveryByte()
    {
        const int size = 50 * 1024 * 1024;
        await using var server = new TestServer();
        var upload = RandomNumberGenerator.GetBytes(size);

        var up = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "u@127.0.0.1", "sha256"], upload, TimeSpan.FromMinutes(2));
        var down = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "u@127.0.0.1", $"emit {size}"], null, TimeSpan.FromMinutes(2));

        up.ExitCode.Should().Be(0, up.Stderr);
        up.Text.Should().Be($"{Convert.ToHexStringLower(SHA256.HashData(upload))} {size}\n");
        down.ExitCode.Should().Be(0, down.Stderr);
        down.Stdout.Length.Should().Be(size);
        SHA256.HashData(down.Stdout).Should().Equal(SHA256.HashData(Enumerable.Range(0, size / (64 * 1024)).SelectMany(_ => TestHandler.Pattern(64 * 1024)).ToArray()));
    }

    [Theory]
    [InlineData("aes256-gcm@openssh.com", "hmac-sha2-256-etm@openssh.com")]
    [InlineData("aes256-ctr", "hmac-sha2-256-etm@openssh.com")]
    public async Task Throughput_200MegabytesThroughExec(string cipher, string mac)
    {
        const long size = 200L * 1024 * 1024;
        using var temp = new TempDirectory();
        var identity = await OpenSsh.KeygenAsync(temp.Path, "ed25519");
        var publicKey = await File.ReadAllTextAsync(identity + ".pub");
        await using var server = new TestServer();
        server.Handler.AuthorizedKeys.Add(SshPublicKey.ParseOpenSshLine(publicKey).OpenSshLine);
        string[] ssh = [.. OpenSsh.KeySsh(server.Port, identity), "-o", $"Ciphers={cipher}", "-o", $"MACs={mac}"];

        var ours = await TimeOutputAsync([.. ssh, "u@127.0.0.1", $"emit {size}"], size);

        var line = $"{cipher} {mac}: 200 MiB exec output through Vigil.Ssh in {ours.TotalSeconds:0.00} s = {size / 1048576.0 / ours.TotalSeconds:0} MiB/s";
        using var baselineDirectory = new TempDirectory();
        using var sshd = await OpenSshServer.TryStartAsync(baselineDirectory.Path, publicKey);
        if (sshd is not null)
        {
            string[] direct = [.. OpenSsh.KeySsh(sshd.Port, identity), "-o", $"Ciphers={cipher}", "-o", $"MACs={mac}"];
            var baseline = await TimeOutputAsync([.. direct, "root@127.0.0.1", $"head -c {size} /dev/zero"], size);
            line += $"; OpenSSH sshd {baseline.TotalSeconds:0.00} s = {size / 1048576.0 / baseline.TotalSeconds:0} MiB/s";
        }

        output.WriteLine($"{line} (loopback, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores)");
    }

    private static async Task<TimeSpan> TimeOutputAsync(string[] command, long expected)
    {
        var stopwatch = Stopwatch.StartNew();
        using var process = OpenSsh.Start(command);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        var buffer = new byte[1 << 20];
        long total = 0;
        int read;
        while ((read = await process.StandardOutput.BaseStream.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        await process.WaitForExitAsync();
        stopwatch.Stop();
        process.ExitCode.Should().Be(0, await stderr);
        total.Should().Be(expected);
        return stopwatch.Elapsed;
    }

    [Fact]
    public async Task SeveralChannels_OnOneConnection_ThroughControlMaster()
    {
        using var temp = new TempDirectory();
        var identity = await OpenSsh.KeygenAsync(temp.Path, "ed25519");
        await using var server = new TestServer();
        server.Handler.AuthorizedKeys.Add(SshPublicKey.ParseOpenSshLine(await File.ReadAllTextAsync(identity + ".pub")).OpenSshLine);
        var control = Path.Combine(temp.Path, "control");
        using var master = OpenSsh.Start([.. OpenSsh.KeySsh(server.Port, identity), "-M", "-S", control, "-N", "u@127.0.0.1"]);
        try
        {
            for (var i = 0; i < 100 && !File.Exists(control); i++)
            {
                await Task.Delay(100);
            }

            File.Exists(control).Should().BeTrue("the control master came up");
            var slow = OpenSsh.RunAsync(["ssh", "-F", "/dev/null", "-S", control, "u@127.0.0.1", $"emit {10 * 1024 * 1024}"]);
            var quick = await Task.WhenAll(Enumerable.Range(0, 3).Select(i => OpenSsh.RunAsync(["ssh", "-F", "/dev/null", "-S", control, "u@127.0.0.1", $"echo channel {i}"])));
            var slowResult = await slow;

            quick.Select(r => r.Text).Should().BeEquivalentTo("channel 0\n", "channel 1\n", "channel 2\n");
            slowResult.Stdout.Length.Should().Be(10 * 1024 * 1024);
            server.Handler.Sessions.Select(s => s.SessionId).Distinct().Should().HaveCount(1, "all channels share the master's connection");
            server.Handler.Sessions.Should().HaveCount(4);
        }
        finally
        {
            await OpenSsh.RunAsync(["ssh", "-F", "/dev/null", "-S", control, "-O", "exit", "u@127.0.0.1"]);
            await master.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task ExitSignal_IsReportedByTheClient()
    {
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "-v", "u@127.0.0.1", "killed"]);

        result.ExitCode.Should().Be(255, "ssh has no exit status to report after exit-signal");
        result.Stderr.Should().Contain("rtype exit-signal");
    }

    [Fact]
    public async Task Keepalive_IsAnswered_SoTheClientStaysConnected()
    {
        await using var server = new TestServer();

        // Without answers to keepalive@openssh.com, ssh would give up after one unanswered probe per second.
        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "-o", "ServerAliveInterval=1", "-o", "ServerAliveCountMax=1", "u@127.0.0.1", "pause 4000"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stderr.Should().NotContain("Timeout");
    }

    [Fact]
    public async Task RemoteForwarding_IsRefused()
    {
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:9", "u@127.0.0.1", "pause 2000"]);

        result.ExitCode.Should().Be(255);
        result.Stderr.Should().Contain("remote port forwarding failed");
    }

    [Fact]
    public async Task OtherChannelTypes_AreRefused()
    {
        await using var server = new TestServer();

        // -W opens a direct-tcpip channel (port forwarding), which the gateway must not offer.
        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "-v", "-W", "127.0.0.1:22", "u@127.0.0.1"]);

        result.ExitCode.Should().NotBe(0);
        result.Stderr.Should().Contain("administratively prohibited");
    }
}
