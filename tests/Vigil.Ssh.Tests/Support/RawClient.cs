using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Ssh.Tests.Support;

/// <summary>A TCP client that speaks raw bytes to the server: for inputs no real client would send.</summary>
public sealed class RawClient : IAsyncDisposable
{
    private readonly TcpClient _tcp = new();
    private NetworkStream _stream = null!;

    public static async Task<RawClient> ConnectAsync(int port)
    {
        var client = new RawClient();
        await client._tcp.ConnectAsync(IPAddress.Loopback, port);
        client._stream = client._tcp.GetStream();
        return client;
    }

    /// <summary>Reads the server's identification line.</summary>
    public async Task<string> ReadLineAsync()
    {
        var line = new StringBuilder();
        var b = new byte[1];
        while (await _stream.ReadAsync(b) == 1 && b[0] != '\n')
        {
            line.Append((char)b[0]);
        }

        return line.ToString().TrimEnd('\r');
    }

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>An unencrypted binary packet (RFC 4253 §6) around <paramref name="payload"/>.</summary>
    public static byte[] Packet(byte[] payload)
    {
        var padding = 8 - ((5 + payload.Length) % 8);
        if (padding < 4)
        {
            padding += 8;
        }

        var packet = new byte[4 + 1 + payload.Length + padding];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)(1 + payload.Length + padding));
        packet[4] = (byte)padding;
        payload.CopyTo(packet, 5);
        return packet;
    }

    /// <summary>Reads unencrypted packets until the server closes the connection (or 10 s pass); returns their payloads.</summary>
    public async Task<List<byte[]>> ReadPacketsUntilClosedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var payloads = new List<byte[]>();
        var header = new byte[4];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(header, timeout.Token);
                var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
                await _stream.ReadExactlyAsync(body, timeout.Token);
                payloads.Add(body[1..^body[0]]);
            }
        }
        catch (EndOfStreamException)
        {
            return payloads;
        }
        catch (IOException)
        {
            return payloads;
        }
    }

    /// <summary>The (reason, description) of an SSH_MSG_DISCONNECT payload.</summary>
    public static (uint Reason, string Description) Disconnect(byte[] payload)
    {
        payload[0].Should().Be(1, "SSH_MSG_DISCONNECT");
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(5));
        return (BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(1)), Encoding.UTF8.GetString(payload, 9, length));
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
