using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Vigil.Hosting;
using Vigil.Identity;
using Vigil.Identity.Tokens;
using Vigil.Postgres.Auth;
using Vigil.Postgres.Protocol;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// Authenticates a PostgreSQL client with an API token (§55.2.2 and §55.3 of the PostgreSQL docs). When the startup
/// <c>user</c> is a token's id and that token has a SCRAM verifier, the client proves the token with SCRAM-SHA-256
/// (RFC 5802, RFC 7677; over TLS also SCRAM-SHA-256-PLUS with tls-server-end-point) and the token never crosses the wire. Otherwise the client is asked for the token in
/// cleartext (AuthenticationCleartextPassword), which is refused before anything is sent (FATAL 28000) on an
/// unencrypted connection from a non-loopback address unless <see cref="GatewayOptions.AllowCleartextPassword"/>.
/// </summary>
public sealed partial class ClientAuthentication(TokenService tokens, GatewayOptions options, ILogger<ClientAuthentication> logger)
{
    /// <summary>The caller, or null after a FATAL has been sent.</summary>
    /// <exception cref="PostgresProtocolException">The client broke the protocol (08P01) or sent a mechanism or identity not offered.</exception>
    public async Task<CallerIdentity?> AuthenticateAsync(Stream stream, StartupMessage startup, EndPoint? remote, CancellationToken cancellationToken)
    {
        if (Guid.TryParse(startup.User, out _) && await tokens.ScramVerifierAsync(startup.User, cancellationToken) is { } verifier)
        {
            return await ScramAsync(stream, startup, verifier, cancellationToken);
        }
        if (stream is not SslStream && !IsLoopback(remote) && !options.AllowCleartextPassword)
        {
            LogCleartextRefused(logger, remote?.ToString(), startup.Database);
            await HandshakeIo.SendFatalAsync(stream, PostgresSqlState.InvalidAuthorizationSpecification,
                "vigil: cleartext password authentication is refused on an unencrypted connection: connect with sslmode=require, or use SCRAM by setting the user name to the token's id (user = TOKEN_ID, password = the token)",
                cancellationToken);
            return null;
        }
        await HandshakeIo.SendAsync(stream, BackendMessageWriter.WriteAuthenticationCleartextPassword, cancellationToken);
        var token = PasswordMessage.Parse(new ReadOnlySequence<byte>(await ReadPasswordMessageAsync(stream, cancellationToken))).Password;
        return await IdentifiedOrFailAsync(stream, startup, await tokens.AuthenticateAsync(token, cancellationToken), cancellationToken);
    }

    private async Task<CallerIdentity?> ScramAsync(Stream stream, StartupMessage startup, ScramVerifier verifier, CancellationToken cancellationToken)
    {
        // Over TLS SCRAM-SHA-256-PLUS is offered too: bound to this TLS session, a proof relayed by a man in the middle fails.
        var binding = (stream as SslStream)?.LocalCertificate is X509Certificate2 certificate ? TlsServerEndPoint.Compute(certificate) : null;
        var scram = new ScramSha256Server(verifier, binding);
        await HandshakeIo.SendAsync(stream, w => BackendMessageWriter.WriteAuthenticationSasl(w, scram.Mechanisms), cancellationToken);
        var initial = SaslInitialResponse.Parse(new ReadOnlySequence<byte>(await ReadPasswordMessageAsync(stream, cancellationToken)));
        if (initial.Data is null)
        {
            throw new PostgresProtocolException($"the client selected SASL mechanism \"{initial.Mechanism}\" without a client-first-message");
        }
        var serverFirst = scram.ProcessClientFirst(initial.Mechanism, initial.Data);
        await HandshakeIo.SendAsync(stream, w => BackendMessageWriter.WriteAuthenticationSaslContinue(w, serverFirst), cancellationToken);
        var serverFinal = scram.ProcessClientFinal(await ReadPasswordMessageAsync(stream, cancellationToken));
        var caller = serverFinal is null ? null : await tokens.AuthenticateProvenAsync(startup.User, cancellationToken);
        if (caller is not null)
        {
            await HandshakeIo.SendAsync(stream, w => BackendMessageWriter.WriteAuthenticationSaslFinal(w, serverFinal!), cancellationToken);
        }
        return await IdentifiedOrFailAsync(stream, startup, caller, cancellationToken);
    }

    private async Task<CallerIdentity?> IdentifiedOrFailAsync(Stream stream, StartupMessage startup, CallerIdentity? caller, CancellationToken cancellationToken)
    {
        if (caller is null)
        {
            LogAuthenticationFailed(logger, startup.User, startup.Database);
            await HandshakeIo.SendFatalAsync(stream, "28P01", $"vigil: password authentication failed for user \"{startup.User}\": the password must be a valid Vigil API token", cancellationToken);
        }
        return caller;
    }

    private static async Task<byte[]> ReadPasswordMessageAsync(Stream stream, CancellationToken cancellationToken)
    {
        var (code, body) = await HandshakeIo.ReadMessageAsync(stream, HandshakeIo.MaxStartupPacket, cancellationToken);
        if (code != FrontendMessageCode.PasswordMessage)
        {
            throw new PostgresProtocolException($"expected a password message, got message type '{(char)code}'");
        }
        return body;
    }

    private static bool IsLoopback(EndPoint? remote) =>
        remote is IPEndPoint { Address: var address } && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Authentication failed for user {User} on connection {Connection}")]
    private static partial void LogAuthenticationFailed(ILogger logger, string user, string connection);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "Refused cleartext password authentication from {Remote} on connection {Connection}: unencrypted and not loopback")]
    private static partial void LogCleartextRefused(ILogger logger, string? remote, string connection);
}
