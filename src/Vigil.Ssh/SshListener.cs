using System.Net;
using System.Net.Sockets;

namespace Vigil.Ssh;

/// <summary>
/// A minimal TCP accept loop around <see cref="SshServerConnection.RunAsync"/>: one task per client, each socket
/// closed when its connection ends. Dispose to stop listening, cancel the connections and wait for them.
/// </summary>
public sealed class SshListener : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly SshServerOptions _options;
    private readonly ISshServerHandler _handler;
    private readonly Action<EndPoint?, Exception>? _onError;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _lock = new();
    private Task? _acceptLoop;
    private int _disposed;

    /// <summary>Creates the listener (not yet started).</summary>
    /// <param name="endPoint">Address to bind, e.g. 127.0.0.1:2222; port 0 picks a free port.</param>
    /// <param name="options">Server options shared by all connections.</param>
    /// <param name="handler">Callbacks shared by all connections.</param>
    /// <param name="onError">Called with the client address and the exception when a connection ends with an error (protocol violation, auth failures, handler exception); not called for normal disconnects.</param>
    public SshListener(IPEndPoint endPoint, SshServerOptions options, ISshServerHandler handler, Action<EndPoint?, Exception>? onError = null)
    {
        _listener = new TcpListener(endPoint);
        _options = options;
        _handler = handler;
        _onError = onError;
    }

    /// <summary>The bound address (with the actual port after <see cref="Start"/>).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Binds and starts accepting.</summary>
    /// <exception cref="SocketException">The address is in use or not available.</exception>
    public void Start()
    {
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>
    /// Stops listening, cancels the connections and waits for them. Later calls return at once: a host stopped twice (as
    /// <c>vigil serve</c> does after Ctrl+C) must not find the stop token disposed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Task[] connections;
        lock (_lock)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            var task = ServeAsync(socket);
            lock (_lock)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        await Task.Yield();
        var remote = socket.RemoteEndPoint;
        socket.NoDelay = true;
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            await SshServerConnection.RunAsync(stream, _options, _handler, remote, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _onError?.Invoke(remote, ex);
        }
    }
}
