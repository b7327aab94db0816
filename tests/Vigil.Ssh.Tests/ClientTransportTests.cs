using System.Net;
using System.Net.Sockets;
using System.Text;
using Vigil.Ssh.Tests.Support;

namespace Vigil.Ssh.Tests;

/// <summary>
/// <see cref="SshClientConnection"/>'s transport against Debian's sshd: rekeying started by either side, lines a
/// server sends before its version, a subsystem, and a server that never answers.
/// </summary>
public sealed class ClientTransportTests
{
    [Fact]
    public async Task ClientRekeys_AfterRekeyBytes_AndDataSurvives()
    {
        await using var sshd = await TargetSshd.StartAsync();
        using var key = SshClientKey.Load(sshd.ClientKey("ed25519"));
        var options = sshd.KeyOptions(key);
        options.RekeyBytes = 1024 * 1024;
        await using var connection = await SshClientConnection.ConnectAsync("127.0.0.1", sshd.Port, options, Timeout());

        var data = RandomNumberGeneratorBytes(6 * 1024 * 1024);
        (await CatAsync(connection, data)).Should().Equal(data);

        connection.Info.KeyExchangeCount.Should().BeGreaterThanOrEqualTo(4, "6 MiB each way with a 1 MiB limit");
    }

    [Fact]
    public async Task ClientRekeys_AfterRekeyInterval_OnAnIdleConnection()
    {
        await using var sshd = await TargetSshd.StartAsync();
        using var key = SshClientKey.Load(sshd.ClientKey("ed25519"));
        var options = sshd.KeyOptions(key);
        options.RekeyInterval = TimeSpan.FromSeconds(1);
        await using var connection = await SshClientConnection.ConnectAsync("127.0.0.1", sshd.Port, options, Timeout());

        await Task.Delay(TimeSpan.FromSeconds(3.5));

        connection.Info.KeyExchangeCount.Should().BeGreaterThanOrEqualTo(3);
        var data = RandomNumberGeneratorBytes(1000);
        (await CatAsync(connection, data)).Should().Equal(data);
    }

    [Fact]
    public async Task ServerRekeys_AfterItsRekeyLimit_AndDataSurvives()
    {
        await using var sshd = await TargetSshd.StartAsync(extraConfig: "RekeyLimit 1M");
        using var key = SshClientKey.Load(sshd.ClientKey("ed25519"));
        await using var connection = await SshClientConnection.ConnectAsync("127.0.0.1", sshd.Port, sshd.KeyOptions(key), Timeout());

        var data = RandomNumberGeneratorBytes(6 * 1024 * 1024);
        (await CatAsync(connection, data)).Should().Equal(data);

        connection.Info.KeyExchangeCount.Should().BeGreaterThanOrEqualTo(4);
    }

    [Fact]
    public async Task LinesBeforeTheServerVersion_AreSkipped()
    {
        await using var sshd = await TargetSshd.StartAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var relay = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            using var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, sshd.Port);
            var down = client.GetStream();
            var up = server.GetStream();
            await down.WriteAsync(Encoding.ASCII.GetBytes("Welcome to the test relay\r\n"));
            await Task.WhenAny(up.CopyToAsync(down), down.CopyToAsync(up));
        });
        using var key = SshClientKey.Load(sshd.ClientKey("ed25519"));

        await using (var connection = await SshClientConnection.ConnectAsync("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, sshd.KeyOptions(key), Timeout()))
        {
            connection.Info.ServerVersion.Should().StartWith("SSH-2.0-OpenSSH");
        }

        await relay.WaitAsync(Timeout());
    }

    [Fact]
    public async Task Subsystem_Sftp_Answers_AndAnUnknownOneIsRefused()
    {
        await using var sshd = await TargetSshd.StartAsync();
        using var key = SshClientKey.Load(sshd.ClientKey("ed25519"));
        await using var connection = await SshClientConnection.ConnectAsync("127.0.0.1", sshd.Port, sshd.KeyOptions(key), Timeout());

        await using (var sftp = await connection.OpenSessionAsync(Timeout()))
        {
            await sftp.SubsystemAsync("sftp", Timeout());

            // SSH_FXP_INIT version 3 (draft-ietf-secsh-filexfer-02 §4); the answer is SSH_FXP_VERSION (2).
            await sftp.WriteInputAsync(new byte[] { 0, 0, 0, 5, 1, 0, 0, 0, 3 }, Timeout());
            var header = new byte[5];
            await sftp.StandardOutput.ReadExactlyAsync(header, Timeout());
            header[4].Should().Be(2);
        }

        await using var other = await connection.OpenSessionAsync(Timeout());
        var act = () => other.SubsystemAsync("no-such-subsystem", Timeout());
        await act.Should().ThrowAsync<IOException>().WithMessage("*refused the subsystem request*");
    }

    [Fact]
    public async Task ServerThatNeverAnswers_TimesOut()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var options = new SshClientOptions { UserName = "u", Password = "p", HostKeyFingerprint = "SHA256:x", ConnectTimeout = TimeSpan.FromSeconds(1) };

        var act = () => SshClientConnection.ConnectAsync("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, options, Timeout());

        await act.Should().ThrowAsync<TimeoutException>();
    }

    [Fact]
    public async Task CorruptedServerPacket_IsAMacError_AndEndsTheSession()
    {
        await using var sshd = await TargetSshd.StartAsync();
        await using var relay = new CorruptingRelay(sshd.Port, fromServer: true);
        using var key = SshClientKey.Load(sshd.ClientKey("ed25519"));
        await using var connection = await SshClientConnection.ConnectAsync("127.0.0.1", relay.Port, sshd.KeyOptions(key), Timeout());
        await using var session = await connection.OpenSessionAsync(Timeout());
        await session.ExecAsync("head -c 100M /dev/zero", Timeout());
        var buffer = new byte[65536];
        await session.StandardOutput.ReadExactlyAsync(buffer, Timeout());

        relay.CorruptNextChunk();
        var reading = session.StandardOutput.CopyToAsync(Stream.Null, Timeout());

        var act = () => connection.Completion.WaitAsync(Timeout());
        (await act.Should().ThrowAsync<SshProtocolException>()).Which.Reason.Should().Be(SshDisconnectReason.MacError);
        await reading.WaitAsync(Timeout());
        (await session.Exit.WaitAsync(Timeout())).ExitStatus.Should().BeNull();
    }

    [Fact]
    public async Task TargetThatDisappears_EndsTheSessionAndTheConnection()
    {
        var sshd = await TargetSshd.StartAsync();
        using var key = SshClientKey.Load(sshd.ClientKey("ed25519"));
        await using var connection = await SshClientConnection.ConnectAsync("127.0.0.1", sshd.Port, sshd.KeyOptions(key), Timeout());
        await using var session = await connection.OpenSessionAsync(Timeout());
        await session.ExecAsync("sleep 60", Timeout());

        await sshd.DisposeAsync();

        (await session.Exit.WaitAsync(Timeout())).ExitStatus.Should().BeNull();
        await connection.Completion.WaitAsync(Timeout());
        var act = () => connection.OpenSessionAsync(Timeout());
        await act.Should().ThrowAsync<IOException>().WithMessage("*connection has ended*");
    }

    private static async Task<byte[]> CatAsync(SshClientConnection connection, byte[] data)
    {
        await using var session = await connection.OpenSessionAsync(Timeout());
        await session.ExecAsync("cat", Timeout());
        var output = new MemoryStream();
        var reading = session.StandardOutput.CopyToAsync(output, Timeout());
        await session.WriteInputAsync(data, Timeout());
        await session.SendEofAsync(Timeout());
        await reading;
        (await session.Exit.WaitAsync(Timeout())).ExitStatus.Should().Be(0);
        return output.ToArray();
    }

    private static byte[] RandomNumberGeneratorBytes(int length)
    {
        var data = new byte[length];
        Random.Shared.NextBytes(data);
        return data;
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token;
}
