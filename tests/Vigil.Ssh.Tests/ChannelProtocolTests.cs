using System.Buffers.Binary;
using System.Text;
using Vigil.Ssh.Protocol;
using Vigil.Ssh.Tests.Support;
using Xunit.Abstractions;

namespace Vigil.Ssh.Tests;

/// <summary>Connection-protocol cases OpenSSH's client cannot produce, through <see cref="TestSshClient"/>.</summary>
public class ChannelProtocolTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ZeroWindow_NeverOpened_WriteGivesUp_AndTheConnectionCloses()
    {
        await using var server = new TestServer();
        await using var client = await TestSshClient.ConnectAsync(server.Port);
        var channel = await client.OpenSessionAsync(window: 0);

        await client.SendAsync(TestSshClient.Request(channel, "exec", w => w.WriteString("flood")));

        await server.Handler.WriteGaveUp.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var messages = await client.ReceiveUntilClosedAsync();
        messages.Should().NotContain(m => m[0] == SshMessageNumber.SSH_MSG_CHANNEL_DATA, "not one byte may be sent into a zero window");
        var disconnect = messages.Last();
        disconnect[0].Should().Be(SshMessageNumber.SSH_MSG_DISCONNECT);
        BinaryPrimitives.ReadUInt32BigEndian(disconnect.AsSpan(1)).Should().Be((uint)SshDisconnectReason.ByApplication);
    }

    [Fact]
    public async Task SignalAndWindowChange_ReachTheHandler_UnknownRequestsFail()
    {
        await using var server = new TestServer();
        await using var client = await TestSshClient.ConnectAsync(server.Port);
        var channel = await client.OpenSessionAsync(window: 1 << 20);

        await client.SendAsync(TestSshClient.Request(channel, "pty-req", w => w.WriteString("vt100").WriteUInt32(80).WriteUInt32(24).WriteUInt32(0).WriteUInt32(0)
            .WriteBinaryString([53, 0, 0, 0, 1, 0])));
        (await client.ReceiveAsync())[0].Should().Be(SshMessageNumber.SSH_MSG_CHANNEL_SUCCESS);
        await client.SendAsync(TestSshClient.Request(channel, "x11-req", w => w.WriteBoolean(false).WriteString("MIT-MAGIC-COOKIE-1").WriteString("00").WriteUInt32(0)));
        (await client.ReceiveAsync())[0].Should().Be(SshMessageNumber.SSH_MSG_CHANNEL_FAILURE);
        await client.SendAsync(TestSshClient.Request(channel, "exec", w => w.WriteString("winch")));
        (await client.ReceiveAsync())[0].Should().Be(SshMessageNumber.SSH_MSG_CHANNEL_SUCCESS);
        await client.SendAsync(TestSshClient.Request(channel, "exec", w => w.WriteString("echo second")));
        (await client.ReceiveAsync())[0].Should().Be(SshMessageNumber.SSH_MSG_CHANNEL_FAILURE, "one shell/exec/subsystem per channel (RFC 4254 §6.5)");
        await client.SendAsync(TestSshClient.Request(channel, "signal", w => w.WriteString("INT")));
        (await client.ReceiveAsync())[0].Should().Be(SshMessageNumber.SSH_MSG_CHANNEL_SUCCESS);
        await client.SendAsync(TestSshClient.Request(channel, "window-change", w => w.WriteUInt32(100).WriteUInt32(30).WriteUInt32(0).WriteUInt32(0)));
        (await client.ReceiveAsync())[0].Should().Be(SshMessageNumber.SSH_MSG_CHANNEL_SUCCESS);

        var data = await client.ReceiveAsync();
        data[0].Should().Be(SshMessageNumber.SSH_MSG_CHANNEL_DATA);
        Encoding.ASCII.GetString(data, 9, data.Length - 9).Should().Be("resized 100x30 pty 100x30\r\n");
        server.Handler.Events.Should().ContainInOrder("pty:vt100:80x24", "exec:winch", "signal:INT", "window-change:100x30");
    }

    [Fact]
    public async Task UnknownMessage_GetsUnimplemented_WithItsSequenceNumber()
    {
        await using var server = new TestServer();
        await using var client = await TestSshClient.ConnectAsync(server.Port);

        await client.SendAsync([200, 1, 2, 3]);
        var reply = await client.ReceiveAsync();

        reply[0].Should().Be(SshMessageNumber.SSH_MSG_UNIMPLEMENTED);
        BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(1)).Should().Be(5, "handshake 3 packets + service request + userauth request came before it");
    }

    [Fact]
    public async Task DataBeyondTheWindow_IsAProtocolError()
    {
        await using var server = new TestServer(o => o.ChannelWindowSize = 1000);
        await using var client = await TestSshClient.ConnectAsync(server.Port);
        var channel = await client.OpenSessionAsync(window: 1 << 20);
        await client.SendAsync(TestSshClient.Request(channel, "exec", w => w.WriteString("sleep")));
        (await client.ReceiveAsync())[0].Should().Be(SshMessageNumber.SSH_MSG_CHANNEL_SUCCESS);
        // The library answers exec before the handler dequeues it: ending the connection earlier would cancel the
        // handler before it reaches "sleep", and the test would wait for a cancellation that never comes.
        for (var i = 0; i < 100 && !server.Handler.Events.Contains("exec:sleep"); i++)
        {
            await Task.Delay(50);
        }

        await client.SendAsync(SshWriter.Message(SshMessageNumber.SSH_MSG_CHANNEL_DATA).WriteUInt32(channel).WriteBinaryString(new byte[1001]).ToArray());
        var messages = await client.ReceiveUntilClosedAsync();

        messages.Last()[0].Should().Be(SshMessageNumber.SSH_MSG_DISCONNECT);
        (await server.WaitForErrorAsync(TimeSpan.FromSeconds(5))).Message.Should().Contain("more data than the window allows");
        await server.Handler.Cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task MutatedChannelMessages_OnlyEndInProtocolErrors()
    {
        await using var server = new TestServer();
        var corpus = new Func<uint, byte[]>[]
        {
            c => TestSshClient.Request(c, "pty-req", w => w.WriteString("xterm").WriteUInt32(80).WriteUInt32(24).WriteUInt32(640).WriteUInt32(480).WriteBinaryString([1, 0, 0, 0, 3, 53, 0, 0, 0, 1, 0])),
            c => TestSshClient.Request(c, "env", w => w.WriteString("LANG").WriteString("C.UTF-8")),
            c => TestSshClient.Request(c, "exec", w => w.WriteString("echo fuzz")),
            c => TestSshClient.Request(c, "window-change", w => w.WriteUInt32(1).WriteUInt32(2).WriteUInt32(3).WriteUInt32(4)),
            c => SshWriter.Message(SshMessageNumber.SSH_MSG_CHANNEL_DATA).WriteUInt32(c).WriteBinaryString("abc"u8).ToArray(),
            c => SshWriter.Message(SshMessageNumber.SSH_MSG_CHANNEL_WINDOW_ADJUST).WriteUInt32(c).WriteUInt32(1000).ToArray(),
            c => SshWriter.Message(SshMessageNumber.SSH_MSG_GLOBAL_REQUEST).WriteString("tcpip-forward").WriteBoolean(true).WriteString("0.0.0.0").WriteUInt32(80).ToArray(),
            c => SshWriter.Message(SshMessageNumber.SSH_MSG_CHANNEL_OPEN).WriteString("direct-tcpip").WriteUInt32(9).WriteUInt32(1000).WriteUInt32(1000)
                .WriteString("10.0.0.1").WriteUInt32(22).WriteString("127.0.0.1").WriteUInt32(5).ToArray(),
        };
        var mutator = new Mutator(seed: 4254);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 150; i++)
        {
            await using var client = await TestSshClient.ConnectAsync(server.Port);
            var channel = await client.OpenSessionAsync(window: 1 << 20);
            var message = mutator.Mutate(corpus[i % corpus.Length](channel));
            if (message.Length == 0)
            {
                continue;
            }

            await client.SendAsync(message);
            await client.SendAsync(SshWriter.Message(SshMessageNumber.SSH_MSG_DISCONNECT).WriteUInt32(11).WriteString("done").WriteString("").ToArray());
            var replies = await client.ReceiveUntilClosedAsync();
            var outcome = replies.Count > 0 && replies[^1][0] == SshMessageNumber.SSH_MSG_DISCONNECT ? "disconnected" : "served";
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        await Task.Delay(200);
        output.WriteLine(string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}")));
        server.Errors.Should().AllSatisfy(e => e.Should().BeOfType<SshProtocolException>());
        outcomes.Should().ContainKey("served");
    }
}
