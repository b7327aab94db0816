using System.Diagnostics;
using Vigil.Ssh.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.Ssh.Tests;

public class ConnectTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Disposing_the_listener_twice_is_harmless()
    {
        var server = new TestServer();
        (await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "alice@127.0.0.1", "whoami"])).ExitCode.Should().Be(0);

        await server.DisposeAsync();
        var again = async () => await server.DisposeAsync();

        await again.Should().NotThrowAsync("a host stopped twice disposes its listener twice");
    }

    [Fact]
    public async Task Password_ExecRunsAndReturnsOutput()
    {
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "alice@127.0.0.1", "whoami"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Text.Should().Be("user:alice:password\n");
    }

    [Fact]
    public async Task KeyboardInteractive_PasswordPromptIsAnswered()
    {
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port, "keyboard-interactive"), "bob@127.0.0.1", "whoami"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Text.Should().Be("user:bob:keyboard-interactive\n");
    }

    [Theory]
    [InlineData("ed25519", "ssh-ed25519")]
    [InlineData("ecdsa", "ecdsa-sha2-nistp256")]
    [InlineData("rsa", "ssh-rsa")]
    public async Task PublicKey_AuthorizedKeyLogsIn(string type, string keyType)
    {
        using var temp = new TempDirectory();
        var identity = await OpenSsh.KeygenAsync(temp.Path, type);
        await using var server = new TestServer();
        server.Handler.AuthorizedKeys.Add(SshPublicKey.ParseOpenSshLine(await File.ReadAllTextAsync(identity + ".pub")).OpenSshLine);

        var result = await OpenSsh.RunAsync([.. OpenSsh.KeySsh(server.Port, identity), "-v", "carol@127.0.0.1", "whoami"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Text.Should().Be($"key:carol:{keyType}\n");
        if (type == "rsa")
        {
            // RFC 8308 server-sig-algs made the client sign with SHA-2, not SHA-1 ssh-rsa.
            result.Stderr.Should().Contain("server-sig-algs").And.MatchRegex("Server accepts key: .* RSA|rsa-sha2-(256|512)");
        }
    }

    [Fact]
    public async Task PublicKey_UnknownKeyIsRefused()
    {
        using var temp = new TempDirectory();
        var identity = await OpenSsh.KeygenAsync(temp.Path, "ed25519");
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.KeySsh(server.Port, identity), "carol@127.0.0.1", "whoami"]);

        result.ExitCode.Should().Be(255);
        result.Stderr.Should().Contain("Permission denied (publickey,password,keyboard-interactive)");
    }

    [Fact]
    public async Task WrongPassword_AndUnknownUser_GetTheSameFailureAfterTheSameDelay()
    {
        await using var server = new TestServer(o => o.AuthFailureDelay = TimeSpan.FromMilliseconds(700));

        var wrong = await TimedAsync([.. OpenSsh.PasswordSsh(server.Port, password: "wrong"), "alice@127.0.0.1", "whoami"]);
        var unknown = await TimedAsync([.. OpenSsh.PasswordSsh(server.Port), "nobody@127.0.0.1", "whoami"]);

        output.WriteLine($"wrong password {wrong.Elapsed.TotalMilliseconds:0} ms, unknown user {unknown.Elapsed.TotalMilliseconds:0} ms");
        wrong.Result.ExitCode.Should().Be(255);
        wrong.Result.Stderr.Should().Contain("Permission denied");
        unknown.Result.ExitCode.Should().Be(wrong.Result.ExitCode);
        unknown.Result.Stderr.Replace("nobody@", "alice@", StringComparison.Ordinal).Should().Be(wrong.Result.Stderr);
        wrong.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(700));
        unknown.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(700));
        (wrong.Elapsed - unknown.Elapsed).Duration().Should().BeLessThan(TimeSpan.FromSeconds(1), "both wait the same delay; the rest is process start-up noise");
    }

    [Fact]
    public async Task TooManyFailures_Disconnects()
    {
        await using var server = new TestServer(o => o.MaxAuthAttempts = 1);

        var result = await OpenSsh.RunAsync(["sshpass", "-p", "wrong", "ssh", .. OpenSsh.CommonOptions(server.Port),
            "-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no", "-o", "NumberOfPasswordPrompts=3", "alice@127.0.0.1", "whoami"]);

        result.ExitCode.Should().NotBe(0);
        var error = await server.WaitForErrorAsync(TimeSpan.FromSeconds(5));
        error.Should().BeOfType<SshProtocolException>().Which.Reason.Should().Be(SshDisconnectReason.NoMoreAuthMethodsAvailable);
    }

    [Fact]
    public async Task Banner_IsShownBeforeAuthentication()
    {
        await using var server = new TestServer(o => o.Banner = "Vigil test gateway\n");

        // LogLevel stays at its default INFO, which is where ssh prints banners.
        var result = await OpenSsh.RunAsync(["sshpass", "-p", "secret", "ssh", "-F", "/dev/null",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", $"Port={server.Port}", "-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no", "alice@127.0.0.1", "whoami"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stderr.Should().Contain("Vigil test gateway");
    }

    [Fact]
    public async Task Handshake_Timing()
    {
        using var temp = new TempDirectory();
        var identity = await OpenSsh.KeygenAsync(temp.Path, "ed25519");
        await using var server = new TestServer();
        server.Handler.AuthorizedKeys.Add(SshPublicKey.ParseOpenSshLine(await File.ReadAllTextAsync(identity + ".pub")).OpenSshLine);
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var run = await TimedAsync([.. OpenSsh.KeySsh(server.Port, identity), "carol@127.0.0.1", "exit 0"]);
            run.Result.ExitCode.Should().Be(0, run.Result.Stderr);
            times.Add(run.Elapsed.TotalMilliseconds);
        }

        output.WriteLine($"ssh connect + publickey auth + exec + close: {string.Join(", ", times.Select(t => $"{t:0}"))} ms (median {times.Order().ElementAt(2):0} ms)");
    }

    [Fact]
    public async Task IdleSessions_MemoryPerConnection()
    {
        const int count = 10;
        using var temp = new TempDirectory();
        var identity = await OpenSsh.KeygenAsync(temp.Path, "ed25519");
        await using var server = new TestServer();
        server.Handler.AuthorizedKeys.Add(SshPublicKey.ParseOpenSshLine(await File.ReadAllTextAsync(identity + ".pub")).OpenSshLine);
        var before = Settle();

        var clients = Enumerable.Range(0, count).Select(_ => OpenSsh.Start([.. OpenSsh.KeySsh(server.Port, identity), "u@127.0.0.1", "sleep"])).ToList();
        try
        {
            for (var i = 0; i < 200 && server.Handler.Sessions.Count < count; i++)
            {
                await Task.Delay(100);
            }

            server.Handler.Sessions.Should().HaveCount(count);
            var during = Settle();
            output.WriteLine($"{count} idle sessions (aes-gcm): {(during - before) / count / 1024.0:0} KiB managed heap per connection");
        }
        finally
        {
            clients.ForEach(c => c.Kill());
        }
    }

    private static long Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task<(OpenSsh.Result Result, TimeSpan Elapsed)> TimedAsync(string[] command)
    {
        var stopwatch = Stopwatch.StartNew();
        var result = await OpenSsh.RunAsync(command);
        return (result, stopwatch.Elapsed);
    }
}
