using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Vigil.Hosting;
using Vigil.Pipeline;
using Vigil.Postgres.Protocol;
using Vigil.Sessions;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// One client of the PostgreSQL listener from its first byte to its last: SSLRequest/GSSENCRequest/CancelRequest,
/// StartupMessage, authentication with the caller's API token (<see cref="ClientAuthentication"/>; dbname = connection
/// name), the upstream session, then the <see cref="ProxyRelay"/>. Errors follow §55.2.1 (Start-up): a FATAL ErrorResponse, then close.
/// </summary>
internal sealed partial class ClientConnection(
    Socket socket,
    CommandPipeline pipeline,
    CancelRegistry cancels,
    ClientAuthentication authentication,
    X509Certificate2 certificate,
    GatewayOptions options,
    ILogger logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var remote = socket.RemoteEndPoint?.ToString();
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            using var startupTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            startupTimeout.CancelAfter(options.StartupTimeout);
            var (startup, tls) = await NegotiateAsync(stream, startupTimeout.Token);
            stream = tls ?? stream;
            if (startup is null)
            {
                return;
            }
            var caller = await AuthenticateAsync(stream, startup, startupTimeout.Token);
            if (caller is null)
            {
                return;
            }
            await ServeAsync(stream, startup, caller, remote, cancellationToken);
        }
        catch (PostgresProtocolException e)
        {
            LogProtocolViolation(logger, remote, e.Message);
            await TrySendFatalAsync(stream, e.SqlState, "vigil: " + e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogStartupTimeout(logger, remote, options.StartupTimeout.TotalSeconds);
            await TrySendFatalAsync(stream, "08P01", "vigil: startup timeout");
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            LogClientGone(logger, remote, e.Message);
        }
        finally
        {
            await stream.DisposeAsync();
        }
    }

    private async Task<(StartupMessage? Startup, SslStream? Tls)> NegotiateAsync(Stream stream, CancellationToken cancellationToken)
    {
        SslStream? tls = null;
        while (true)
        {
            var request = await HandshakeIo.ReadStartupAsync(tls ?? stream, cancellationToken);
            switch (request)
            {
                case null:
                    return (null, tls);
                case SslRequest when tls is null:
                    await stream.WriteAsync("S"u8.ToArray(), cancellationToken);
                    tls = new SslStream(stream, leaveInnerStreamOpen: false);
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, cancellationToken);
                    break;
                case GssEncRequest when tls is null:
                    await stream.WriteAsync("N"u8.ToArray(), cancellationToken);
                    break;
                case SslRequest or GssEncRequest:
                    throw new PostgresProtocolException("encryption requested twice");
                case CancelRequest cancel:
                    await ForwardCancelAsync(cancel, cancellationToken);
                    return (null, tls);
                case StartupMessage startup:
                    return (startup, tls);
            }
        }
    }

    private async Task<Identity.CallerIdentity?> AuthenticateAsync(Stream stream, StartupMessage startup, CancellationToken cancellationToken)
    {
        if (startup.Parameters.ContainsKey("replication"))
        {
            await HandshakeIo.SendFatalAsync(stream, "0A000", "vigil: replication connections are not supported", cancellationToken);
            return null;
        }
        return await authentication.AuthenticateAsync(stream, startup, socket.RemoteEndPoint, cancellationToken);
    }

    private async Task ServeAsync(Stream stream, StartupMessage startup, Identity.CallerIdentity caller, string? remote, CancellationToken cancellationToken)
    {
        if (ClientEncodingPolicy.Refusal(startup.Parameters.GetValueOrDefault("client_encoding")) is { } encoding)
        {
            await HandshakeIo.SendFatalAsync(stream, ClientEncodingPolicy.SqlState, "vigil: " + encoding, cancellationToken);
            return;
        }
        var (session, refusal) = await pipeline.OpenSessionAsync(caller, startup.Database, SessionType.Connect, startup.User, remote, null, cancellationToken);
        switch (refusal)
        {
            case SessionRefusal.UnknownConnection:
                await HandshakeIo.SendFatalAsync(stream, "3D000", $"vigil: connection \"{startup.Database}\" does not exist", cancellationToken);
                return;
            case SessionRefusal.Forbidden:
                await HandshakeIo.SendFatalAsync(stream, "42501", $"vigil: permission denied for connection \"{startup.Database}\": {caller.Name} is not in its access groups", cancellationToken);
                return;
            case SessionRefusal.ModeNotAllowed:
                await HandshakeIo.SendFatalAsync(stream, "42501", $"vigil: connection \"{startup.Database}\" does not allow native clients (access mode 'connect')", cancellationToken);
                return;
            case SessionRefusal.AccessRequestRequired:
                await HandshakeIo.SendFatalAsync(stream, "42501",
                    $"vigil: connection \"{startup.Database}\" requires just-in-time access: request it with vigil access request {startup.Database} --duration 1h --reason TEXT (POST /api/access-requests), then connect once it is approved",
                    cancellationToken);
                return;
        }
        // Whatever happens from here on (a bug included), the session leaves the open set and its record is closed.
        var status = SessionStatus.Failed;
        string? reason = "the gateway's connection handler failed";
        try
        {
            if (session!.Connection.Type != Connections.ConnectionTypes.Postgres)
            {
                reason = $"connection \"{startup.Database}\" is of type {session.Connection.Type}, not postgres";
                await HandshakeIo.SendFatalAsync(stream, "0A000", $"vigil: {reason}; HTTP and Kubernetes connections are reached at /proxy/{startup.Database}/ on the gateway's HTTP listener", cancellationToken);
                return;
            }
            UpstreamSession upstream;
            try
            {
                upstream = await UpstreamConnector.ConnectAsync(session!.Connection, startup.Parameters, TimeSpan.FromSeconds(15), cancellationToken);
            }
            catch (UpstreamException e)
            {
                LogUpstreamFailed(logger, session!.Connection.Name, e.Message);
                reason = e.Message;
                await HandshakeIo.SendFatalAsync(stream, "08006", "vigil: " + e.Message, cancellationToken);
                return;
            }
            foreach (var (name, value) in upstream.Parameters)
            {
                session.ServerParameters.Set(name, value);
            }
            if (ClientEncodingPolicy.Refusal(session.ServerParameters["client_encoding"]) is { } reported)
            {
                // ALTER ROLE/DATABASE … SET client_encoding on the target: refused like the client's own choice.
                await upstream.Stream.DisposeAsync();
                reason = reported;
                await HandshakeIo.SendFatalAsync(stream, ClientEncodingPolicy.SqlState, "vigil: " + reported, cancellationToken);
                return;
            }
            var clientKey = cancels.Register(new CancelRegistry.UpstreamKey(session.Connection, upstream.ProcessId, upstream.SecretKey));
            try
            {
                await HandshakeIo.SendAsync(stream, w => WriteReady(w, upstream, clientKey), cancellationToken);
                var relay = new ProxyRelay(session, pipeline, stream, upstream.Stream, options.MaxMessageSize);
                var outcome = await relay.RunAsync(cancellationToken);
                (status, reason) = outcome.FailureReason is null ? (SessionStatus.Done, null) : (SessionStatus.Failed, outcome.FailureReason);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                reason = cancellationToken.IsCancellationRequested ? "gateway shutting down" : e.Message;
            }
            finally
            {
                cancels.Remove(clientKey);
                await upstream.Stream.DisposeAsync();
            }
        }
        finally
        {
            await pipeline.CloseSessionAsync(session!, status, reason);
        }
    }

    private static void WriteReady(IBufferWriter<byte> writer, UpstreamSession upstream, (int ProcessId, int SecretKey) clientKey)
    {
        BackendMessageWriter.WriteAuthenticationOk(writer);
        foreach (var (name, value) in upstream.Parameters)
        {
            BackendMessageWriter.WriteParameterStatus(writer, name, value);
        }
        BackendMessageWriter.WriteBackendKeyData(writer, clientKey.ProcessId, clientKey.SecretKey);
        foreach (var notice in upstream.Notices)
        {
            BackendMessageWriter.WriteMessage(writer, BackendMessageCode.NoticeResponse, notice);
        }
        BackendMessageWriter.WriteReadyForQuery(writer, upstream.TransactionStatus);
    }

    private async Task ForwardCancelAsync(CancelRequest cancel, CancellationToken cancellationToken)
    {
        var upstream = cancels.Find(cancel.ProcessId, cancel.SecretKey);
        if (upstream is null)
        {
            LogUnknownCancel(logger);
            return;
        }
        try
        {
            await UpstreamConnector.CancelAsync(upstream.Connection, upstream.ProcessId, upstream.SecretKey, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            LogUpstreamFailed(logger, upstream.Connection.Name, e.Message);
        }
    }

    private static async Task TrySendFatalAsync(Stream stream, string sqlState, string message)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await HandshakeIo.SendFatalAsync(stream, sqlState, message, timeout.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or NotSupportedException or InvalidOperationException)
        {
            // The client is gone; nothing more to tell it.
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Protocol violation from {Remote}: {Reason}")]
    private static partial void LogProtocolViolation(ILogger logger, string? remote, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Client {Remote} did not finish startup within {Seconds} s")]
    private static partial void LogStartupTimeout(ILogger logger, string? remote, double seconds);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Client {Remote} went away: {Reason}")]
    private static partial void LogClientGone(ILogger logger, string? remote, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Upstream of connection {Connection} failed: {Reason}")]
    private static partial void LogUpstreamFailed(ILogger logger, string connection, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "CancelRequest with an unknown key ignored")]
    private static partial void LogUnknownCancel(ILogger logger);
}
