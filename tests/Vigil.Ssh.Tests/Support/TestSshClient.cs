using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Vigil.Ssh.Protocol;
using Vigil.Ssh.Transport;

namespace Vigil.Ssh.Tests.Support;

/// <summary>
/// A minimal SSH client built from the library's own packet and key exchange pieces (curve25519-sha256,
/// aes128-gcm), for messages OpenSSH's ssh never sends: a zero window, signals, unknown message numbers, mutated
/// connection-protocol messages. It does not check the host key.
/// </summary>
internal sealed class TestSshClient : IAsyncDisposable
{
    private readonly TcpClient _tcp = new();
    private NetworkStream _stream = null!;
    private InputBuffer _input = null!;
    private PacketCipher _rx = new NoneCipher();
    private PacketCipher _tx = new NoneCipher();
    private uint _rxSeq;
    private uint _txSeq;

    public static async Task<TestSshClient> ConnectAsync(int port, string user = "u", string password = TestHandler.Password)
    {
        var client = new TestSshClient();
        await client._tcp.ConnectAsync(IPAddress.Loopback, port);
        client._stream = client._tcp.GetStream();
        client._input = new InputBuffer(client._stream);
        await client.HandshakeAsync();
        await client.SendAsync(SshWriter.Message(SshMessageNumber.SSH_MSG_SERVICE_REQUEST).WriteString("ssh-userauth").ToArray());
        (await client.ReceiveAsync())[0].Should().Be(SshMessageNumber.SSH_MSG_SERVICE_ACCEPT);
        await client.SendAsync(SshWriter.Message(SshMessageNumber.SSH_MSG_USERAUTH_REQUEST).WriteString(user).WriteString("ssh-connection")
            .WriteString("password").WriteBoolean(false).WriteString(password).ToArray());
        (await client.ReceiveAsync())[0].Should().Be(SshMessageNumber.SSH_MSG_USERAUTH_SUCCESS);
        return client;
    }

    /// <summary>Opens a session channel with the given initial window; returns the server's channel number.</summary>
    public async Task<uint> OpenSessionAsync(uint window, uint maxPacket = 32768)
    {
        await SendAsync(SshWriter.Message(SshMessageNumber.SSH_MSG_CHANNEL_OPEN).WriteString("session").WriteUInt32(0).WriteUInt32(window).WriteUInt32(maxPacket).ToArray());
        var reply = await ReceiveAsync();
        reply[0].Should().Be(SshMessageNumber.SSH_MSG_CHANNEL_OPEN_CONFIRMATION);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(5));
    }

    /// <summary>SSH_MSG_CHANNEL_REQUEST with want-reply.</summary>
    public static byte[] Request(uint channel, string type, Action<SshWriter>? body = null)
    {
        var writer = SshWriter.Message(SshMessageNumber.SSH_MSG_CHANNEL_REQUEST).WriteUInt32(channel).WriteString(type).WriteBoolean(true);
        body?.Invoke(writer);
        return writer.ToArray();
    }

    public async Task SendAsync(byte[] payload)
    {
        await _stream.WriteAsync(_tx.Seal(_txSeq++, payload));
    }

    /// <summary>The next message other than IGNORE/DEBUG/window adjust/extended info; throws <see cref="EndOfStreamException"/> when the server closed.</summary>
    public async Task<byte[]> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var payload = await _rx.ReadAsync(_input, _rxSeq++, 256 * 1024, cancellationToken);
            if (payload[0] is not (SshMessageNumber.SSH_MSG_IGNORE or SshMessageNumber.SSH_MSG_DEBUG or SshMessageNumber.SSH_MSG_EXT_INFO or SshMessageNumber.SSH_MSG_CHANNEL_WINDOW_ADJUST))
            {
                return payload;
            }
        }
    }

    /// <summary>Messages until the server closes the connection (at most 10 s).</summary>
    public async Task<List<byte[]>> ReceiveUntilClosedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var messages = new List<byte[]>();
        try
        {
            while (true)
            {
                messages.Add(await ReceiveAsync(timeout.Token));
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException)
        {
            return messages;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
        _rx.Dispose();
        _tx.Dispose();
    }

    private async Task HandshakeAsync()
    {
        const string clientVersion = "SSH-2.0-VigilTestClient";
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(clientVersion + "\r\n"));
        var serverVersion = Encoding.ASCII.GetString((await _input.ReadLineAsync(255, CancellationToken.None))!);
        var clientKexInit = SshWriter.Message(SshMessageNumber.SSH_MSG_KEXINIT).WriteBytes(new byte[16])
            .WriteNameList(["curve25519-sha256"]).WriteNameList(["ssh-ed25519"])
            .WriteNameList(["aes128-gcm@openssh.com"]).WriteNameList(["aes128-gcm@openssh.com"])
            .WriteNameList(["hmac-sha2-256"]).WriteNameList(["hmac-sha2-256"])
            .WriteNameList(["none"]).WriteNameList(["none"]).WriteNameList([]).WriteNameList([])
            .WriteBoolean(false).WriteUInt32(0).ToArray();
        await SendAsync(clientKexInit);
        using var ecdh = EcdhKeyExchange.Create("curve25519-sha256");
        var clientPublic = ecdh.PublicKey;
        await SendAsync(SshWriter.Message(SshMessageNumber.SSH_MSG_KEX_ECDH_INIT).WriteBinaryString(clientPublic).ToArray());
        var serverKexInit = await ReceiveAsync();
        var reply = await ReceiveAsync();
        (byte[] hostKey, byte[] serverPublic) = ParseReply(reply);
        var secret = ecdh.Agree(serverPublic);
        var h = SHA256.HashData(new SshWriter(2048).WriteString(clientVersion).WriteString(serverVersion).WriteBinaryString(clientKexInit)
            .WriteBinaryString(serverKexInit).WriteBinaryString(hostKey).WriteBinaryString(clientPublic).WriteBinaryString(serverPublic).WriteMpint(secret).Span);
        var k = new SshWriter().WriteMpint(secret).ToArray();
        byte[] Derive(char letter, int length) => SHA256.HashData([.. k, .. h, (byte)letter, .. h])[..length];
        (await ReceiveAsync())[0].Should().Be(SshMessageNumber.SSH_MSG_NEWKEYS);
        await SendAsync([SshMessageNumber.SSH_MSG_NEWKEYS]);
        _tx = new AesGcmCipher(Derive('C', 16), Derive('A', 12));
        _rx = new AesGcmCipher(Derive('D', 16), Derive('B', 12));
    }

    private static (byte[] HostKey, byte[] ServerPublic) ParseReply(byte[] reply)
    {
        var reader = new SshReader(reply, "SSH_MSG_KEX_ECDH_REPLY");
        reader.ReadByte();
        return (reader.ReadBinaryString().ToArray(), reader.ReadBinaryString().ToArray());
    }
}
