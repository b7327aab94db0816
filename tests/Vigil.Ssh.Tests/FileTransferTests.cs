using System.Security.Cryptography;
using Vigil.Ssh.Tests.Support;

namespace Vigil.Ssh.Tests;

/// <summary>sftp and scp (which uses the sftp protocol since OpenSSH 9.0) through the sftp subsystem channel.</summary>
public class FileTransferTests
{
    [Fact]
    public async Task Sftp_PutAndGet_RoundTripAFile()
    {
        using var temp = new TempDirectory();
        var (server, identity) = await StartAsync(temp);
        await using var _ = server;
        var local = Path.Combine(temp.Path, "local.bin");
        await File.WriteAllBytesAsync(local, RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17));
        var batch = Path.Combine(temp.Path, "batch");
        await File.WriteAllTextAsync(batch, $"put {local} {temp.Path}/remote.bin\nget {temp.Path}/remote.bin {temp.Path}/back.bin\nrm {temp.Path}/remote.bin\n");

        var result = await OpenSsh.RunAsync(["sftp", .. OpenSsh.CommonOptions(server.Port), "-o", "IdentitiesOnly=yes", "-i", identity, "-b", batch, "u@127.0.0.1"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        (await File.ReadAllBytesAsync(Path.Combine(temp.Path, "back.bin"))).Should().Equal(await File.ReadAllBytesAsync(local));
        File.Exists(Path.Combine(temp.Path, "remote.bin")).Should().BeFalse();
        server.Handler.Events.Should().Contain("subsystem:sftp");
    }

    [Fact]
    public async Task Scp_CopiesAFileBothWays()
    {
        using var temp = new TempDirectory();
        var (server, identity) = await StartAsync(temp);
        await using var _ = server;
        var local = Path.Combine(temp.Path, "a.txt");
        await File.WriteAllBytesAsync(local, RandomNumberGenerator.GetBytes(200_000));
        string[] scp = ["scp", .. OpenSsh.CommonOptions(server.Port), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", identity];

        var up = await OpenSsh.RunAsync([.. scp, local, $"u@127.0.0.1:{temp.Path}/b.txt"]);
        var down = await OpenSsh.RunAsync([.. scp, $"u@127.0.0.1:{temp.Path}/b.txt", Path.Combine(temp.Path, "c.txt")]);

        up.ExitCode.Should().Be(0, up.Stderr);
        down.ExitCode.Should().Be(0, down.Stderr);
        (await File.ReadAllBytesAsync(Path.Combine(temp.Path, "c.txt"))).Should().Equal(await File.ReadAllBytesAsync(local));
    }

    private static async Task<(TestServer Server, string Identity)> StartAsync(TempDirectory temp)
    {
        var identity = await OpenSsh.KeygenAsync(temp.Path, "ed25519");
        var server = new TestServer();
        server.Handler.AuthorizedKeys.Add(SshPublicKey.ParseOpenSshLine(await File.ReadAllTextAsync(identity + ".pub")).OpenSshLine);
        return (server, identity);
    }
}
