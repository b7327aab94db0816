using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Vigil.Hosting;
using Vigil.Pipeline;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// The PostgreSQL listener (<c>--pg-listen</c>). Each accepted client runs independently, so a fault in one never
/// touches another; on shutdown open sessions are closed and recorded before the recorder drains.
/// </summary>
public sealed partial class PgListener(
    GatewayOptions options,
    CommandPipeline pipeline,
    CancelRegistry cancels,
    ClientAuthentication authentication,
    ILogger<PgListener> logger) : IHostedService
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<Task> _clients = [];
    private readonly Lock _clientsLock = new();
    private Socket? _socket;
    private Task? _acceptLoop;
    private X509Certificate2? _certificate;

    /// <summary>The bound address (useful when the configured port is 0).</summary>
    public IPEndPoint? Endpoint => _socket?.LocalEndPoint as IPEndPoint;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _certificate = ServerCertificate.Load(options.DataDirectory, options.TlsCertificatePath, options.TlsKeyPath);
        var endpoint = GatewayOptions.ParseEndpoint(options.PgListen);
        _socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _socket.Bind(endpoint);
        _socket.Listen(512);
        _acceptLoop = AcceptLoopAsync();
        LogListening(logger, Endpoint!.ToString());
        if (options.AllowCleartextPassword)
        {
            LogCleartextAllowed(logger);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        _socket?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }
        Task[] clients;
        lock (_clientsLock)
        {
            clients = [.. _clients];
        }
        await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, CancellationToken.None);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket!.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            client.NoDelay = true;
            var connection = new ClientConnection(client, pipeline, cancels, authentication, _certificate!, options, logger);
            var task = Task.Run(() => connection.RunAsync(_stopping.Token));
            lock (_clientsLock)
            {
                _clients.Add(task);
            }
            _ = task.ContinueWith(t =>
            {
                lock (_clientsLock)
                {
                    _clients.Remove(t);
                }
                if (t.Exception is { } e)
                {
                    LogClientCrashed(logger, e);
                }
            }, TaskScheduler.Default);
        }
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "PostgreSQL listener on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Warning, Message = "--allow-cleartext-password is set: PostgreSQL clients may send their API token unencrypted from any address")]
    private static partial void LogCleartextAllowed(ILogger logger);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Error, Message = "A proxied client connection failed unexpectedly")]
    private static partial void LogClientCrashed(ILogger logger, Exception exception);
}
