using System.Net;
using System.Net.Sockets;

namespace Vigil.Ssh.Tests.Support;

/// <summary>A TCP relay between a client and the server that can flip one byte of the client's (or, with <c>fromServer</c>, the server's) next chunk: a bad MAC on the wire.</summary>
public sealed class CorruptingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly Task _run;
    private readonly bool _fromServer;
    private volatile bool _corruptNext;

    public CorruptingRelay(int target, bool fromServer = false)
    {
        _target = target;
        _fromServer = fromServer;
        _listener.Start();
        _run = RunAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Set when a byte was flipped.</summary>
    public TaskCompletionSource Corrupted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Flips a byte in the middle of the next chunk the client (or the server) sends.</summary>
    public void CorruptNextChunk() => _corruptNext = true;

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _run;
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
        }
    }

    private async Task RunAsync()
    {
        using var client = await _listener.AcceptTcpClientAsync();
        using var server = new TcpClient();
        await server.ConnectAsync(IPAddress.Loopback, _target);
        await Task.WhenAny(PumpAsync(client.GetStream(), server.GetStream(), corrupt: !_fromServer), PumpAsync(server.GetStream(), client.GetStream(), corrupt: _fromServer));
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool corrupt)
    {
        var buffer = new byte[65536];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer)) > 0)
            {
                if (corrupt && _corruptNext)
                {
                    _corruptNext = false;
                    buffer[read / 2] ^= 0x40;
                    Corrupted.TrySetResult();
                }

                await to.WriteAsync(buffer.AsMemory(0, read));
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
        }
        finally
        {
            to.Socket.Shutdown(SocketShutdown.Send);
        }
    }
}
