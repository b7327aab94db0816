using Vigil.Connections;

namespace Vigil.Adapters.Ssh.Upstream;

/// <summary>
/// Tests an <c>ssh</c> connection as a session would start (<see cref="SshUpstream.ConnectAsync"/>: TCP, version and key
/// exchange with the pinned host key checked, login with the connection's key or password), then disconnects without
/// opening a channel. The target is the server's identification string, the host key it presented and the accepted
/// login method: <c>SSH-2.0-OpenSSH_10.0p2 Debian-5, host key SHA256:…, login by publickey</c>.
/// </summary>
public sealed class SshProbe : IConnectivityProbe
{
    /// <inheritdoc />
    public bool Handles(string type) => type == ConnectionTypes.Ssh;

    /// <inheritdoc />
    public async Task<ProbeOutcome> ProbeAsync(Connection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await using var session = await SshUpstream.ConnectAsync(connection, cancellationToken, timeout);
            return ProbeOutcome.Reached($"{session.ServerVersion}, host key {session.HostKeyFingerprint}, login by {session.AuthMethod}");
        }
        catch (SshUpstreamException e)
        {
            var failure = e.Failure switch
            {
                SshUpstreamFailure.Unreachable => ConnectivityFailure.Unreachable,
                SshUpstreamFailure.Timeout => ConnectivityFailure.Timeout,
                SshUpstreamFailure.HostKeyMismatch => ConnectivityFailure.HostKeyMismatch,
                SshUpstreamFailure.AuthenticationFailed => ConnectivityFailure.Authentication,
                _ => ConnectivityFailure.Protocol,
            };
            return ProbeOutcome.Failed(failure, e.Message);
        }
    }
}
