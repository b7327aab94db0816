using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vigil.Tests.Fixtures;

/// <summary>
/// A loopback TCP relay in front of a port that keeps every byte its clients sent: what an eavesdropper on the
/// network would see. Used to prove that a token does (cleartext) or does not (SCRAM) cross the wire.
/// </summary>
public sealed class WireTap : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly MemoryStream _sent = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly int _target;
    private readonly Task _accepting;

    public WireTap(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Everything the clients sent so far, bytes as Latin-1 characters.</summary>
    public string Sent
    {
        get
        {
            lock (_sent)
            {
                return Encoding.Latin1.GetString(_sent.ToArray());
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            var up = PumpAsync(client.GetStream(), server.GetStream(), record: true);
            var down = PumpAsync(server.GetStream(), client.GetStream(), record: false);
            await Task.WhenAny(up, down);
        }
    }

    private async Task PumpAsync(Stream from, Stream to, bool record)
    {
        var buffer = new byte[16384];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                if (record)
                {
                    lock (_sent)
                    {
                        _sent.Write(buffer, 0, read);
                    }
                }
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Either side closed: the relay ends with it.
        }
        finally
        {
            to.Close();
        }
    }
}
