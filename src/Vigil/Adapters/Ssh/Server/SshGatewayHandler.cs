using Vigil.Adapters.Ssh.Upstream;
using Vigil.Identity;
using Vigil.Identity.SshKeys;
using Vigil.Pipeline;
using Vigil.Sessions;
using Vigil.Ssh;
using ConnectionTypes = Vigil.Connections.ConnectionTypes;
using SshPublicKey = Vigil.Ssh.SshPublicKey;
using SshConnectionInfo = Vigil.Ssh.SshConnectionInfo;

namespace Vigil.Adapters.Ssh.Server;

/// <summary>
/// The gateway's side of a native SSH client (<see cref="SshGatewayListener"/>). The SSH user name is the connection's
/// name. Authentication: a Vigil API token as the password (methods <c>password</c> and <c>keyboard-interactive</c>,
/// RFC 4252 §8, RFC 4256), or a public key registered on the identity (<c>publickey</c>, RFC 4252 §7); a wrong token
/// gets the library's uniform delay and failure, whatever the user name. Each session channel (RFC 4254 §6) is one Vigil
/// session of type <c>connect</c> on that connection, authorized like any native client (access groups, the
/// <c>connect</c> mode, just-in-time access), then served by <see cref="SshExecChannel"/> (an <c>exec</c> request),
/// <see cref="SshShellChannel"/> (<c>shell</c>) or <see cref="SftpChannel"/> (the <c>sftp</c> subsystem) against the
/// connection's target (<see cref="SshUpstream"/>).
/// </summary>
public sealed partial class SshGatewayHandler(
    CommandPipeline pipeline,
    SshExecChannel exec,
    SshShellChannel shell,
    SftpChannel sftp,
    SshKeyRepository keys,
    ILogger<SshGatewayHandler> logger) : ISshServerHandler
{
    /// <inheritdoc />
    public async ValueTask<object?> AuthenticatePasswordAsync(SshAuthContext context, string password, CancellationToken cancellationToken) =>
        await pipeline.IdentifyAsync(password, cancellationToken);

    /// <inheritdoc />
    /// <remarks>The same lookup answers the query step and the signed attempt: a key registered on an active identity.</remarks>
    public async ValueTask<object?> AuthenticatePublicKeyAsync(SshAuthContext context, SshPublicKey key, bool signatureVerified, CancellationToken cancellationToken) =>
        await keys.FindIdentityAsync(key.Blob, cancellationToken);

    /// <inheritdoc />
    public async Task OpenSessionAsync(SshConnectionInfo connection, SshSessionChannel channel, CancellationToken cancellationToken)
    {
        var start = await FirstStartRequestAsync(channel, cancellationToken);
        if (start is null)
        {
            return;
        }
        var identity = (CallerIdentity)connection.Principal;
        var name = connection.UserName;
        var (session, refusal) = await pipeline.OpenSessionAsync(
            identity, name, SessionType.Connect, identity.Name, connection.RemoteEndPoint?.ToString(), new SessionClient(connection.ClientVersion, null, null), cancellationToken);
        if (session is null)
        {
            LogRefused(logger, identity.Name, name, refusal.ToString());
            await SshClientText.FailAsync(channel, RefusalText(refusal, name, identity), SshClientText.Refused, cancellationToken);
            return;
        }
        var outcome = new SshChannelOutcome(SessionStatus.Failed, "the gateway's SSH session handler failed", null);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.Terminated);
        try
        {
            outcome = await ServeAsync(session, start, channel, ended.Token);
        }
        catch (OperationCanceledException) when (session.Terminated.IsCancellationRequested)
        {
            await SshClientText.FailAsync(channel, $"session terminated: {session.TerminationReason}", SshClientText.Failed, CancellationToken.None);
            outcome = new(SessionStatus.Interrupted, session.TerminationReason, SshClientText.Failed);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            outcome = new(SessionStatus.Interrupted, "the client disconnected", null);
        }
        catch (SshUpstreamException e)
        {
            await SshClientText.FailAsync(channel, e.Message, SshClientText.Failed, cancellationToken);
            outcome = new(SessionStatus.Failed, e.Message, SshClientText.Failed);
        }
        finally
        {
            await pipeline.CloseSessionAsync(session, outcome.Status, outcome.Reason, outcome.ExitStatus);
        }
    }

    private async Task<SshChannelOutcome> ServeAsync(SessionContext session, SshChannelRequest start, SshSessionChannel channel, CancellationToken cancellationToken)
    {
        if (session.Connection.Type != ConnectionTypes.Ssh)
        {
            var reason = $"connection \"{session.Connection.Name}\" is of type {session.Connection.Type}, not ssh";
            await SshClientText.FailAsync(channel, reason, SshClientText.Refused, cancellationToken);
            return new(SessionStatus.Failed, reason, SshClientText.Refused);
        }
        if (start is SshSubsystemRequest { Name: not SftpChannel.Subsystem } other)
        {
            var reason = $"subsystem \"{other.Name}\" is not supported (only {SftpChannel.Subsystem})";
            await SshClientText.FailAsync(channel, reason, SshClientText.Refused, cancellationToken);
            return new(SessionStatus.Failed, reason, SshClientText.Refused);
        }
        await using var upstream = await SshUpstream.ConnectAsync(session.Connection, cancellationToken);
        return start switch
        {
            SshExecRequest request => await exec.RunAsync(session, upstream, channel, request.Command, cancellationToken),
            SshShellRequest => await shell.RunAsync(session, upstream, channel, cancellationToken),
            _ => await sftp.RunAsync(session, upstream, channel, cancellationToken),
        };
    }

    /// <summary>The channel's shell, exec or subsystem request (pty-req and env before it are kept by the channel); null when the channel closed first.</summary>
    private static async Task<SshChannelRequest?> FirstStartRequestAsync(SshSessionChannel channel, CancellationToken cancellationToken)
    {
        await foreach (var request in channel.Requests.ReadAllAsync(cancellationToken))
        {
            if (request is SshShellRequest or SshExecRequest or SshSubsystemRequest)
            {
                return request;
            }
        }
        return null;
    }

    private static string RefusalText(SessionRefusal refusal, string name, CallerIdentity identity) => refusal switch
    {
        SessionRefusal.UnknownConnection => $"connection \"{name}\" does not exist (log in as the connection's name: ssh -p PORT CONNECTION@gateway)",
        SessionRefusal.ModeNotAllowed => $"connection \"{name}\" does not allow native clients (access mode 'connect')",
        SessionRefusal.AccessRequestRequired =>
            $"connection \"{name}\" requires just-in-time access: request it with vigil access request {name} --duration 1h --reason TEXT (POST /api/access-requests), then connect once it is approved",
        _ => $"permission denied for connection \"{name}\": {identity.Name} is not in its access groups",
    };

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "SSH session of {User} on connection {Connection} refused: {Refusal}")]
    private static partial void LogRefused(ILogger logger, string user, string connection, string refusal);
}
