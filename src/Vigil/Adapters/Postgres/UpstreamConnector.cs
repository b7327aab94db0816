using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using Vigil.Connections;
using Vigil.Postgres.Auth;
using Vigil.Postgres.Protocol;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// Raised when the target cannot be reached or refuses the gateway; the message names the connection only. The inner
/// exception says how it failed: a <see cref="SocketException"/> (unreachable), an <see cref="OperationCanceledException"/>
/// (timed out), an <see cref="System.Security.Authentication.AuthenticationException"/> (TLS), or none when the server
/// refused the session (<see cref="SqlState"/>) or answered unexpectedly.
/// </summary>
public sealed class UpstreamException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The SQLSTATE of the server's ErrorResponse when it refused the session (<c>28P01</c>: wrong password); else null.</summary>
    public string? SqlState { get; init; }
}

/// <summary>An authenticated upstream session, ready for queries.</summary>
/// <param name="Stream">The (possibly TLS) stream to the server.</param>
/// <param name="Parameters">ParameterStatus messages the server sent, in order.</param>
/// <param name="ProcessId">The server's BackendKeyData process id.</param>
/// <param name="SecretKey">The server's BackendKeyData secret key.</param>
/// <param name="Notices">NoticeResponse bodies sent during startup.</param>
/// <param name="TransactionStatus">The first ReadyForQuery status byte.</param>
public sealed record UpstreamSession(
    Stream Stream, IReadOnlyList<(string Name, string Value)> Parameters, int ProcessId, int SecretKey, IReadOnlyList<byte[]> Notices, byte TransactionStatus);

/// <summary>
/// Opens a session to a PostgreSQL target as the connection's own user: TCP, TLS per <see cref="SslMode"/>
/// (§55.2.10 SSL Session Encryption), StartupMessage, then SCRAM-SHA-256 (§55.3.1), MD5 or cleartext password.
/// </summary>
public static class UpstreamConnector
{
    private const int MaxHandshakeMessage = 1024 * 1024;

    /// <summary>Connects and authenticates; <paramref name="clientParameters"/> are forwarded except user/database.</summary>
    /// <exception cref="UpstreamException">Unreachable, TLS refused, authentication failed or the server sent an error.</exception>
    public static async Task<UpstreamSession> ConnectAsync(
        Connection connection, IReadOnlyDictionary<string, string> clientParameters, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var token = timeoutSource.Token;
        Stream? stream = null;
        try
        {
            stream = await OpenTransportAsync(connection, token);
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["user"] = connection.Username,
                ["database"] = connection.Database,
            };
            foreach (var (name, value) in clientParameters)
            {
                if (name is not ("user" or "database" or "replication") && !name.StartsWith("_pq_.", StringComparison.Ordinal))
                {
                    parameters[name] = value;
                }
            }
            await HandshakeIo.SendAsync(stream, w => FrontendMessageWriter.WriteStartupMessage(w, parameters), token);
            await AuthenticateAsync(stream, connection, token);
            return await ReadUntilReadyAsync(stream, connection, token);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or PostgresProtocolException
            or System.Security.Authentication.AuthenticationException && !cancellationToken.IsCancellationRequested)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
            var why = e switch
            {
                OperationCanceledException => $"timed out after {timeout.TotalSeconds:0}s",
                PostgresProtocolException p => p.Message,
                System.Security.Authentication.AuthenticationException => "TLS handshake failed (certificate rejected?)",
                _ => e.Message,
            };
            throw new UpstreamException($"cannot reach connection \"{connection.Name}\": {why}", e);
        }
        catch (UpstreamException)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync();
            }
            throw;
        }
    }

    /// <summary>Sends a CancelRequest for the upstream backend <paramref name="processId"/> (no reply is expected).</summary>
    public static async Task CancelAsync(Connection connection, int processId, int secretKey, CancellationToken cancellationToken)
    {
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(connection.Host, connection.Port, cancellationToken);
        await HandshakeIo.SendAsync(client.GetStream(), w => FrontendMessageWriter.WriteCancelRequest(w, processId, secretKey), cancellationToken);
    }

    private static async Task<Stream> OpenTransportAsync(Connection connection, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(connection.Host, connection.Port, cancellationToken);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        Stream stream = client.GetStream();
        if (connection.SslMode == SslMode.Disable)
        {
            return stream;
        }
        await HandshakeIo.SendAsync(stream, FrontendMessageWriter.WriteSslRequest, cancellationToken);
        var answer = new byte[1];
        await stream.ReadExactlyAsync(answer, cancellationToken);
        if (answer[0] == (byte)'S')
        {
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(UpstreamTls.ClientOptions(connection), cancellationToken);
            return tls;
        }
        if (answer[0] != (byte)'N')
        {
            throw new UpstreamException($"cannot reach connection \"{connection.Name}\": unexpected answer to SSLRequest");
        }
        if (connection.SslMode != SslMode.Prefer)
        {
            throw new UpstreamException($"cannot reach connection \"{connection.Name}\": server does not support TLS but ssl_mode is {connection.SslMode.ToText()}",
                new System.Security.Authentication.AuthenticationException("the server does not support TLS"));
        }
        return stream;
    }

    private static async Task AuthenticateAsync(Stream stream, Connection connection, CancellationToken cancellationToken)
    {
        ScramSha256Client? scram = null;
        while (true)
        {
            var (code, body) = await HandshakeIo.ReadMessageAsync(stream, MaxHandshakeMessage, cancellationToken);
            if (code == BackendMessageCode.ErrorResponse)
            {
                throw Refused(connection, body);
            }
            if (code == BackendMessageCode.NegotiateProtocolVersion)
            {
                continue;
            }
            if (code != BackendMessageCode.Authentication)
            {
                throw new UpstreamException($"connection \"{connection.Name}\" sent unexpected message '{(char)code}' during authentication");
            }
            var auth = AuthenticationMessage.Parse(new ReadOnlySequence<byte>(body));
            var password = connection.Password ?? "";
            switch (auth.Type)
            {
                case AuthenticationMessage.Ok:
                    return;
                case AuthenticationMessage.CleartextPassword:
                    await HandshakeIo.SendAsync(stream, w => FrontendMessageWriter.WritePasswordMessage(w, password), cancellationToken);
                    break;
                case AuthenticationMessage.MD5Password:
                    var md5 = Md5Password.Compute(connection.Username, password, auth.GetMd5Salt());
                    await HandshakeIo.SendAsync(stream, w => FrontendMessageWriter.WritePasswordMessage(w, md5), cancellationToken);
                    break;
                case AuthenticationMessage.Sasl:
                    if (!auth.GetSaslMechanisms().Contains("SCRAM-SHA-256"))
                    {
                        throw new UpstreamException($"connection \"{connection.Name}\" offers no supported SASL mechanism");
                    }
                    scram = new ScramSha256Client(password);
                    var first = scram.ClientFirstMessage;
                    await HandshakeIo.SendAsync(stream, w => FrontendMessageWriter.WriteSaslInitialResponse(w, "SCRAM-SHA-256", first), cancellationToken);
                    break;
                case AuthenticationMessage.SaslContinue when scram is not null:
                    var final = scram.ProcessServerFirst(auth.Payload.ToArray());
                    await HandshakeIo.SendAsync(stream, w => FrontendMessageWriter.WriteSaslResponse(w, final), cancellationToken);
                    break;
                case AuthenticationMessage.SaslFinal when scram is not null:
                    scram.VerifyServerFinal(auth.Payload.ToArray());
                    break;
                default:
                    throw new UpstreamException($"connection \"{connection.Name}\" asks for unsupported authentication method {auth.Type}");
            }
        }
    }

    private static async Task<UpstreamSession> ReadUntilReadyAsync(Stream stream, Connection connection, CancellationToken cancellationToken)
    {
        var parameters = new List<(string, string)>();
        var notices = new List<byte[]>();
        var key = (ProcessId: 0, SecretKey: 0);
        while (true)
        {
            var (code, body) = await HandshakeIo.ReadMessageAsync(stream, MaxHandshakeMessage, cancellationToken);
            var sequence = new ReadOnlySequence<byte>(body);
            switch (code)
            {
                case BackendMessageCode.ParameterStatus:
                    var status = ParameterStatusMessage.Parse(sequence);
                    parameters.Add((status.Name, status.Value));
                    break;
                case BackendMessageCode.BackendKeyData:
                    var data = BackendKeyDataMessage.Parse(sequence);
                    key = (data.ProcessId, data.SecretKey);
                    break;
                case BackendMessageCode.NoticeResponse:
                    notices.Add(body);
                    break;
                case BackendMessageCode.ErrorResponse:
                    throw Refused(connection, body);
                case BackendMessageCode.ReadyForQuery:
                    return new UpstreamSession(stream, parameters, key.ProcessId, key.SecretKey, notices, ReadyForQueryMessage.Parse(sequence).TransactionStatus);
                default:
                    throw new UpstreamException($"connection \"{connection.Name}\" sent unexpected message '{(char)code}' during startup");
            }
        }
    }

    private static UpstreamException Refused(Connection connection, byte[] body)
    {
        // The server's own text can name the upstream role or database; report the SQLSTATE only.
        var error = ErrorResponseMessage.Parse(new ReadOnlySequence<byte>(body));
        var what = error.SqlState is "28P01" or "28000" ? "rejected the gateway's credentials" : "refused the session";
        return new UpstreamException($"connection \"{connection.Name}\" {what} (SQLSTATE {error.SqlState})") { SqlState = error.SqlState };
    }
}
