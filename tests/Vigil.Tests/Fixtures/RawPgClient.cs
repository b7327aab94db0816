using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Vigil.Postgres.Protocol;

namespace Vigil.Tests.Fixtures;

/// <summary>A byte-level PostgreSQL client for fault tests: sends exactly what the test says, reads whole messages.</summary>
public sealed class RawPgClient : IAsyncDisposable
{
    private readonly TcpClient _tcp = new() { NoDelay = true };
    private NetworkStream _stream = null!;

    public static async Task<RawPgClient> ConnectAsync(int port)
    {
        var client = new RawPgClient();
        await client._tcp.ConnectAsync("127.0.0.1", port);
        client._stream = client._tcp.GetStream();
        return client;
    }

    public Task SendAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    public Task SendAsync(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return SendAsync(buffer.WrittenSpan.ToArray());
    }

    /// <summary>Startup as user/database and answer the password request with <paramref name="token"/>; returns after ReadyForQuery.</summary>
    public async Task LoginAsync(string database, string token)
    {
        await SendAsync(w => FrontendMessageWriter.WriteStartupMessage(w, new Dictionary<string, string> { ["user"] = "raw", ["database"] = database }));
        (await ReadAsync()).Code.Should().Be(BackendMessageCode.Authentication);
        await SendAsync(w => FrontendMessageWriter.WritePasswordMessage(w, token));
        while ((await ReadAsync()).Code != BackendMessageCode.ReadyForQuery)
        {
        }
    }

    /// <summary>Reads one message; null when the server closed the connection.</summary>
    public async Task<(byte Code, byte[] Body)> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        var header = new byte[5];
        var read = await _stream.ReadAtLeastAsync(header, 5, throwOnEndOfStream: false, cts.Token);
        if (read < 5)
        {
            return (0, []);
        }
        var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4];
        await _stream.ReadExactlyAsync(body, cts.Token);
        return (header[0], body);
    }

    /// <summary>Reads until an ErrorResponse and returns it (fails on EOF first).</summary>
    public async Task<ErrorResponseMessage> ReadErrorAsync()
    {
        while (true)
        {
            var (code, body) = await ReadAsync();
            code.Should().NotBe(0, "the server should send an ErrorResponse before closing");
            if (code == BackendMessageCode.ErrorResponse)
            {
                return ErrorResponseMessage.Parse(new ReadOnlySequence<byte>(body));
            }
        }
    }

    /// <summary>True when the server closed the connection within <paramref name="timeout"/>.</summary>
    public async Task<bool> IsClosedAsync(TimeSpan timeout)
    {
        try
        {
            while (true)
            {
                var (code, _) = await ReadAsync(timeout);
                if (code == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
