using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Vigil.Postgres.Protocol;

namespace Vigil.Tests.Fixtures;

/// <summary>
/// A PostgreSQL server that speaks just enough protocol (trust auth, ReadyForQuery) and, on the first Query, sends a
/// RowDescription and half a DataRow, then drops the connection: an upstream that dies mid-result.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _loop;

    public FakeUpstream()
    {
        _listener.Start();
        _loop = Task.Run(ServeOneAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task ServeOneAsync()
    {
        using var client = await _listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var length = new byte[4];
        await stream.ReadExactlyAsync(length);
        await stream.ReadExactlyAsync(new byte[BinaryPrimitives.ReadInt32BigEndian(length) - 4]);
        var ready = new ArrayBufferWriter<byte>();
        BackendMessageWriter.WriteAuthenticationOk(ready);
        BackendMessageWriter.WriteBackendKeyData(ready, 1234, 5678);
        BackendMessageWriter.WriteReadyForQuery(ready, (byte)'I');
        await stream.WriteAsync(ready.WrittenMemory);
        var header = new byte[5];
        await stream.ReadExactlyAsync(header);
        await stream.ReadExactlyAsync(new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4]);
        // RowDescription for one text column "v", then a DataRow that promises 1000 bytes and delivers 10.
        byte[] rowDescription = [(byte)'T', 0, 0, 0, 27, 0, 1, (byte)'v', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0];
        BinaryPrimitives.WriteInt32BigEndian(rowDescription.AsSpan(1), rowDescription.Length - 1);
        byte[] partialRow = [(byte)'D', 0, 0, 0x03, 0xF0, 0, 1, 0, 0, 0x03, 0xE6, (byte)'p', (byte)'a', (byte)'r', (byte)'t'];
        await stream.WriteAsync(rowDescription);
        await stream.WriteAsync(partialRow);
        await stream.FlushAsync();
        client.Client.Shutdown(SocketShutdown.Both);
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException or ObjectDisposedException)
        {
        }
    }
}
