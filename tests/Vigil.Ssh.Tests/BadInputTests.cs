using System.Diagnostics;
using System.Text;
using Vigil.Ssh.Tests.Support;

namespace Vigil.Ssh.Tests;

public class BadInputTests
{
    [Fact]
    public async Task GarbageBeforeTheVersionLine_IsRefusedWithADisconnect()
    {
        await using var server = new TestServer();
        await using var client = await RawClient.ConnectAsync(server.Port);

        (await client.ReadLineAsync()).Should().Be("SSH-2.0-Vigil");
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        var packets = await client.ReadPacketsUntilClosedAsync();

        var (reason, description) = RawClient.Disconnect(packets.Last());
        reason.Should().Be((uint)SshDisconnectReason.ProtocolError);
        description.Should().Contain("identification string");
        (await server.WaitForErrorAsync(TimeSpan.FromSeconds(5))).Should().BeOfType<SshProtocolException>();
    }

    [Fact]
    public async Task OverlongVersionLine_IsRefused()
    {
        await using var server = new TestServer();
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.ReadLineAsync();
        await client.SendAsync(Encoding.ASCII.GetBytes("SSH-2.0-" + new string('x', 300) + "\r\n"));
        var packets = await client.ReadPacketsUntilClosedAsync();

        RawClient.Disconnect(packets.Last()).Description.Should().Contain("longer than 255");
    }

    [Theory]
    [InlineData(255, true)]
    [InlineData(256, false)]
    public async Task VersionLine_Of255BytesWithCrLf_IsTheLimit(int length, bool accepted)
    {
        await using var server = new TestServer();
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.ReadLineAsync();
        await client.SendAsync(Encoding.ASCII.GetBytes("SSH-2.0-" + new string('x', length - 10) + "\r\n"));
        await client.SendAsync(RawClient.Packet([1, 0, 0, 0, 11, 0, 0, 0, 0, 0, 0, 0, 0]));
        var packets = await client.ReadPacketsUntilClosedAsync();

        if (accepted)
        {
            packets.Should().ContainSingle().Which[0].Should().Be(20, "only the server's KEXINIT, then the client's DISCONNECT ended it");
        }
        else
        {
            RawClient.Disconnect(packets.Last()).Description.Should().Contain("longer than 255");
        }
    }

    [Fact]
    public async Task Ssh1Client_IsRefused()
    {
        await using var server = new TestServer();
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.ReadLineAsync();
        await client.SendAsync("SSH-1.5-old\r\n"u8.ToArray());
        var packets = await client.ReadPacketsUntilClosedAsync();

        RawClient.Disconnect(packets.Last()).Reason.Should().Be((uint)SshDisconnectReason.ProtocolVersionNotSupported);
    }

    [Fact]
    public async Task OversizedPacket_IsRefusedAtTheLimit_AndTheServerServesTheNextClient()
    {
        await using var server = new TestServer();
        await using (var client = await RawClient.ConnectAsync(server.Port))
        {
            await client.ReadLineAsync();
            await client.SendAsync("SSH-2.0-raw\r\n"u8.ToArray());

            // An SSH_MSG_IGNORE packet of 35000 bytes (34996 of packet_length, the largest block-aligned one) is accepted (RFC 4253 §6.1) ...
            var atLimit = new byte[4 + 34996];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(atLimit, 34996);
            atLimit[4] = 8;
            atLimit[5] = 2;
            await client.SendAsync(atLimit);

            // ... one more block is not.
            await client.SendAsync([0, 0, 0x88, 0xBC, 8, 2]);
            var packets = await client.ReadPacketsUntilClosedAsync();

            packets[0][0].Should().Be(20, "the server's SSH_MSG_KEXINIT came first");
            var (reason, description) = RawClient.Disconnect(packets.Last());
            reason.Should().Be((uint)SshDisconnectReason.ProtocolError);
            description.Should().Be("packet length 35004 exceeds the limit of 35000 bytes");
        }

        var next = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "u@127.0.0.1", "echo still serving"]);
        next.Text.Should().Be("still serving\n");
    }

    [Fact]
    public async Task StrictKex_MessageBeforeKexinit_IsRefused_TerrapinCountermeasure()
    {
        await using var server = new TestServer();
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.ReadLineAsync();
        await client.SendAsync("SSH-2.0-raw\r\n"u8.ToArray());
        await client.SendAsync(RawClient.Packet([2, 0, 0, 0, 0]));
        await client.SendAsync(RawClient.Packet(ClientCorpus.KexInit("curve25519-sha256")));
        var packets = await client.ReadPacketsUntilClosedAsync();

        var (reason, description) = RawClient.Disconnect(packets.Last());
        reason.Should().Be((uint)SshDisconnectReason.ProtocolError);
        description.Should().Be("strict KEX: SSH_MSG_KEXINIT was not the client's first packet");
    }

    [Fact]
    public async Task StrictKex_IgnoreDuringTheInitialKeyExchange_IsRefused()
    {
        await using var server = new TestServer();
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.ReadLineAsync();
        await client.SendAsync("SSH-2.0-raw\r\n"u8.ToArray());
        await client.SendAsync(RawClient.Packet(ClientCorpus.KexInit("curve25519-sha256")));
        await client.SendAsync(RawClient.Packet([2, 0, 0, 0, 0]));
        var packets = await client.ReadPacketsUntilClosedAsync();

        RawClient.Disconnect(packets.Last()).Description.Should().Contain("strict KEX: unexpected message 2");
    }

    [Fact]
    public async Task AuthTimeout_DisconnectsAnIdleClient()
    {
        await using var server = new TestServer(o => o.AuthTimeout = TimeSpan.FromSeconds(1));
        await using var client = await RawClient.ConnectAsync(server.Port);

        await client.ReadLineAsync();
        await client.SendAsync("SSH-2.0-idle\r\n"u8.ToArray());
        var stopwatch = Stopwatch.StartNew();
        var packets = await client.ReadPacketsUntilClosedAsync();

        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        var (reason, description) = RawClient.Disconnect(packets.Last());
        reason.Should().Be((uint)SshDisconnectReason.NoMoreAuthMethodsAvailable);
        description.Should().Contain("within 1 s");
    }

    [Fact]
    public async Task BadMac_DisconnectsWithMacError()
    {
        await using var server = new TestServer();
        await using var relay = new CorruptingRelay(server.Port);
        using var ssh = OpenSsh.Start([.. OpenSsh.PasswordSsh(relay.Port), "u@127.0.0.1", "sha256"]);
        var stderr = ssh.StandardError.ReadToEndAsync();
        await ssh.StandardInput.BaseStream.WriteAsync(new byte[1000]);
        await ssh.StandardInput.BaseStream.FlushAsync();
        for (var i = 0; i < 100 && !server.Handler.Events.Contains("exec:sha256"); i++)
        {
            await Task.Delay(50);
        }

        relay.CorruptNextChunk();
        await ssh.StandardInput.BaseStream.WriteAsync(new byte[5000]);
        await ssh.StandardInput.BaseStream.FlushAsync();
        await relay.Corrupted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var error = await server.WaitForErrorAsync(TimeSpan.FromSeconds(10));
        error.Should().BeOfType<SshProtocolException>().Which.Reason.Should().Be(SshDisconnectReason.MacError);
        await ssh.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        ssh.ExitCode.Should().Be(255);
        (await stderr).Should().Contain("message authentication code incorrect");
    }

    [Fact]
    public async Task ClientThatDisappears_CancelsTheSession()
    {
        await using var server = new TestServer();
        using var ssh = OpenSsh.Start([.. OpenSsh.PasswordSsh(server.Port), "u@127.0.0.1", "sleep"]);
        for (var i = 0; i < 100 && !server.Handler.Events.Contains("exec:sleep"); i++)
        {
            await Task.Delay(50);
        }

        ssh.Kill(entireProcessTree: true);

        await server.Handler.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
        server.Handler.Events.Should().Contain("cancelled:sleep");
        server.Errors.Should().BeEmpty("a vanished client is a normal end of the connection");
    }

    [Fact]
    public async Task WindowThatNeverOpens_WriteGivesUp_AndTheConnectionCloses()
    {
        await using var server = new TestServer();

        // ssh never gets its stdout read, so it stops granting window; the handler writes with a 2 s timeout.
        using var ssh = OpenSsh.Start([.. OpenSsh.PasswordSsh(server.Port), "u@127.0.0.1", "flood"]);
        ssh.StandardInput.Close();

        await server.Handler.WriteGaveUp.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var error = await server.WaitForErrorAsync(TimeSpan.FromSeconds(10));
        error.Should().BeOfType<SshProtocolException>().Which.Reason.Should().Be(SshDisconnectReason.ByApplication);
        var drain = ssh.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        await ssh.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        ssh.ExitCode.Should().Be(255);
        await drain;
    }
}
