using System.Security.Cryptography;
using Vigil.Ssh.Tests.Support;

namespace Vigil.Ssh.Tests;

/// <summary>RFC 4253 §9 rekeying, started by the client (RekeyLimit) and by the server (bytes and time).</summary>
public class RekeyTests
{
    [Fact]
    public async Task ClientInitiated_RekeyLimit_KeepsTheStreamIntact()
    {
        const int size = 20 * 1024 * 1024;
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "-o", "RekeyLimit=1M", "u@127.0.0.1", $"emit {size}"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Length.Should().Be(size);
        KexCount(server).Should().BeGreaterThan(5);
    }

    [Fact]
    public async Task ServerInitiated_ByBytes_WhileTheClientUploads()
    {
        await using var server = new TestServer(o => o.RekeyBytes = 1024 * 1024);
        var upload = RandomNumberGenerator.GetBytes(8 * 1024 * 1024);

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "u@127.0.0.1", "sha256"], upload);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Text.Should().StartWith(Convert.ToHexStringLower(SHA256.HashData(upload)));
        KexCount(server).Should().BeGreaterThan(3);
    }

    [Fact]
    public async Task ServerInitiated_ByBytes_WhileTheServerSends_WritersWaitForTheNewKeys()
    {
        const int size = 8 * 1024 * 1024;
        await using var server = new TestServer(o => o.RekeyBytes = 512 * 1024);

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "u@127.0.0.1", $"emit {size}"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Equal(Enumerable.Range(0, size / (64 * 1024)).SelectMany(_ => TestHandler.Pattern(64 * 1024)));
        KexCount(server).Should().BeGreaterThan(8);
    }

    [Fact]
    public async Task ServerInitiated_ByTime()
    {
        await using var server = new TestServer(o => o.RekeyInterval = TimeSpan.FromMilliseconds(300));

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "u@127.0.0.1", "pause 3000"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        KexCount(server).Should().BeGreaterThan(2);
    }

    [Fact]
    public async Task ServerRekeysContinuously_WhileTheClientSendsKeepalives_NothingDeadlocks()
    {
        // Replies sent by the read loop (here to keepalive@openssh.com) must not wait for a key exchange that only
        // the read loop can finish.
        await using var server = new TestServer(o => o.RekeyInterval = TimeSpan.FromMilliseconds(20));

        var result = await OpenSsh.RunAsync(
            [.. OpenSsh.PasswordSsh(server.Port), "-o", "ServerAliveInterval=1", "-o", "ServerAliveCountMax=2", "u@127.0.0.1", "pause 4000"],
            timeout: TimeSpan.FromSeconds(30));

        result.ExitCode.Should().Be(0, result.Stderr);
        KexCount(server).Should().BeGreaterThan(5);
    }

    private static int KexCount(TestServer server) =>
        int.Parse(server.Handler.Events.Single(e => e.StartsWith("kex-count:", StringComparison.Ordinal))["kex-count:".Length..]);
}
