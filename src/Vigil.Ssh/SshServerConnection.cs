using System.Net;
using Vigil.Ssh.Auth;
using Vigil.Ssh.Connection;
using Vigil.Ssh.Transport;

namespace Vigil.Ssh;

/// <summary>Runs the server side of one SSH connection: transport (RFC 4253), authentication (RFC 4252) and connection protocol (RFC 4254).</summary>
public static class SshServerConnection
{
    /// <summary>How long handlers get to return after the connection ended before the transport is released anyway.</summary>
    private static readonly TimeSpan HandlerGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Serves one accepted connection until it ends. Completes normally when the client disconnects
    /// (SSH_MSG_DISCONNECT or end of stream). Does not dispose <paramref name="transport"/>; the caller closes it.
    /// </summary>
    /// <param name="transport">The accepted byte stream (e.g. a <see cref="System.Net.Sockets.NetworkStream"/>).</param>
    /// <param name="options">Host keys and limits; at least one host key.</param>
    /// <param name="handler">Authentication and session callbacks.</param>
    /// <param name="remoteEndPoint">The client's address, passed to the handler; may be null.</param>
    /// <param name="cancellationToken">Ends the connection (SSH_DISCONNECT_BY_APPLICATION) and cancels the handlers.</param>
    /// <returns>A task completing when the connection is over and the handlers returned (or 10 s after they were cancelled).</returns>
    /// <exception cref="SshProtocolException">The client broke the protocol, failed authentication too often, hit the auth timeout, or a channel gave up waiting for window; SSH_MSG_DISCONNECT was sent first.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="ArgumentException">No host key in <paramref name="options"/>, or packet limits below RFC 4253 §6.1's 35000 bytes.</exception>
    /// <remarks>Any exception thrown by a handler callback ends the connection and is rethrown here.</remarks>
    public static async Task RunAsync(Stream transport, SshServerOptions options, ISshServerHandler handler, EndPoint? remoteEndPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(handler);
        if (options.HostKeys.Count == 0)
        {
            throw new ArgumentException("SshServerOptions.HostKeys is empty", nameof(options));
        }

        if (options.MaxPacketLength < 35000 || options.ChannelMaxPacket < 1 || options.ChannelMaxPacket > options.MaxPacketLength - 1024)
        {
            throw new ArgumentException("SshServerOptions.MaxPacketLength must be at least 35000 (RFC 4253 §6.1) and ChannelMaxPacket between 1 and MaxPacketLength - 1024", nameof(options));
        }

        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var ssh = new SshTransport(transport, SshTransportSettings.From(options), new ServerKeyExchange([.. options.HostKeys]), remoteEndPoint, lifetime.Token);
        var connection = new ConnectionService(ssh, options, handler, lifetime);
        Task? rekeyTimer = null;
        try
        {
            using (var authTimeout = new CancellationTokenSource(options.AuthTimeout, options.TimeProvider))
            using (var authToken = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token, authTimeout.Token))
            {
                try
                {
                    await ssh.StartAsync(authToken.Token).ConfigureAwait(false);
                    await new UserAuthService(ssh, options, handler).AuthenticateAsync(authToken.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (authTimeout.IsCancellationRequested && !lifetime.IsCancellationRequested)
                {
                    throw new SshProtocolException(SshDisconnectReason.NoMoreAuthMethodsAvailable, $"authentication not completed within {options.AuthTimeout.TotalSeconds:0} s");
                }
            }

            ssh.RekeyEnabled = true;
            rekeyTimer = ssh.RunRekeyTimerAsync(lifetime.Token);
            await connection.RunAsync(lifetime.Token).ConfigureAwait(false);
        }
        catch (SshProtocolException ex)
        {
            await ssh.SendDisconnectAsync(ex.Reason, ex.Message).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is SshPeerDisconnectedException or EndOfStreamException || (ex is IOException && !lifetime.IsCancellationRequested))
        {
            // The client ended the connection (cleanly or by dropping it).
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            var reason = connection.AbortReason ?? new SshProtocolException(SshDisconnectReason.ByApplication, connection.HandlerFailure is null ? "connection closed by the server" : "internal error");
            await ssh.SendDisconnectAsync(reason.Reason, reason.Message).ConfigureAwait(false);
            if (connection.HandlerFailure is { } failure)
            {
                throw new InvalidOperationException("an SSH session handler failed", failure);
            }

            if (connection.AbortReason is { } abort)
            {
                throw abort;
            }

            throw;
        }
        catch (Exception) when (!lifetime.IsCancellationRequested)
        {
            // A handler's authentication callback failed: the client is told, the caller gets the exception.
            await ssh.SendDisconnectAsync(SshDisconnectReason.ByApplication, "internal error").ConfigureAwait(false);
            throw;
        }
        finally
        {
            await lifetime.CancelAsync().ConfigureAwait(false);
            await connection.ShutdownAsync(HandlerGrace).ConfigureAwait(false);
            if (rekeyTimer is not null)
            {
                await rekeyTimer.ConfigureAwait(false);
            }
        }
    }
}
