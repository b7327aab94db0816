using Vigil.Ssh.Protocol;
using Vigil.Ssh.Transport;
using static Vigil.Ssh.Protocol.SshMessageNumber;

namespace Vigil.Ssh.Auth;

/// <summary>
/// The server side of <c>ssh-userauth</c> (RFC 4252): the service request, then authentication requests until one
/// succeeds, with methods <c>none</c> (answers the method list), <c>password</c> (§8), <c>publickey</c> (§7, with
/// the SSH_MSG_USERAUTH_PK_OK query step) and <c>keyboard-interactive</c> (RFC 4256, one password prompt).
/// </summary>
internal sealed class UserAuthService(SshTransport transport, SshServerOptions options, ISshServerHandler handler)
{
    private const string Methods = "publickey,password,keyboard-interactive";

    /// <summary>Public key queries without signature allowed per connection, so a client cannot probe keys without bound.</summary>
    private const int MaxKeyQueries = 50;

    private int _failures;
    private int _keyQueries;
    private bool _bannerSent;

    /// <summary>Runs authentication; on success <see cref="SshConnectionInfo"/> carries user, method and principal.</summary>
    /// <exception cref="SshProtocolException">Unexpected message, wrong service, or <see cref="SshServerOptions.MaxAuthAttempts"/> failures.</exception>
    public async Task AuthenticateAsync(CancellationToken cancellationToken)
    {
        var serviceRequest = await transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        var service = new SshReader(serviceRequest, "SSH_MSG_SERVICE_REQUEST");
        if (service.ReadByte() != SSH_MSG_SERVICE_REQUEST)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"expected SSH_MSG_SERVICE_REQUEST, got message {serviceRequest[0]}");
        }

        if (service.ReadString() != "ssh-userauth")
        {
            throw new SshProtocolException(SshDisconnectReason.ServiceNotAvailable, "only the ssh-userauth service is available before authentication");
        }

        await transport.SendOrQueueAsync(SshWriter.Message(SSH_MSG_SERVICE_ACCEPT).WriteString("ssh-userauth").Memory, cancellationToken).ConfigureAwait(false);

        byte[]? pending = null;
        while (true)
        {
            var payload = pending ?? await transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            pending = null;
            if (payload[0] != SSH_MSG_USERAUTH_REQUEST)
            {
                throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"expected SSH_MSG_USERAUTH_REQUEST, got message {payload[0]}");
            }

            var started = options.TimeProvider.GetTimestamp();
            var request = UserAuthRequest.Parse(payload);
            if (request.Service != "ssh-connection")
            {
                throw new SshProtocolException(SshDisconnectReason.ServiceNotAvailable, "only the ssh-connection service can be authenticated for");
            }

            await SendBannerAsync(cancellationToken).ConfigureAwait(false);
            var method = request.Method;
            var user = request.User;
            var context = new SshAuthContext(user, method, transport.Info.RemoteEndPoint, transport.Info.ClientVersion);
            object? principal = null;
            var counts = true;
            switch (method)
            {
                case "password":
                    // RFC 4252 §8 password change is not offered: such a request is a failed attempt.
                    principal = request.PasswordChange ? null : await handler.AuthenticatePasswordAsync(context, request.Password, cancellationToken).ConfigureAwait(false);
                    break;
                case "keyboard-interactive":
                    (principal, pending) = await KeyboardInteractiveAsync(context, cancellationToken).ConfigureAwait(false);
                    if (pending is not null)
                    {
                        // The client abandoned the exchange with a new request (RFC 4256 §3.4): no attempt is counted.
                        continue;
                    }

                    break;
                case "publickey":
                    SshPublicKey? key;
                    try
                    {
                        key = SshPublicKey.FromBlob(request.KeyBlob);
                    }
                    catch (SshProtocolException)
                    {
                        key = null;
                    }

                    if (!request.Signed)
                    {
                        await QueryAsync(context, key, request.Algorithm, request.KeyBlob, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    principal = await SignedAsync(context, key, request.Algorithm, payload.AsMemory(0, request.SignedLength), request.Signature, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    counts = false;
                    break;
            }

            if (principal is not null)
            {
                transport.Info.UserName = user;
                transport.Info.Principal = principal;
                transport.Info.AuthMethod = method;
                await transport.SendOrQueueAsync(new[] { SSH_MSG_USERAUTH_SUCCESS }, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (counts)
            {
                await FailAttemptAsync(started, cancellationToken).ConfigureAwait(false);
            }

            await SendFailureAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private ValueTask SendFailureAsync(CancellationToken cancellationToken) =>
        transport.SendOrQueueAsync(SshWriter.Message(SSH_MSG_USERAUTH_FAILURE).WriteString(Methods).WriteBoolean(false).Memory, cancellationToken);

    private async Task FailAttemptAsync(long started, CancellationToken cancellationToken)
    {
        var remaining = options.AuthFailureDelay - options.TimeProvider.GetElapsedTime(started);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }

        if (++_failures >= options.MaxAuthAttempts)
        {
            throw new SshProtocolException(SshDisconnectReason.NoMoreAuthMethodsAvailable, $"too many authentication failures ({_failures})");
        }
    }

    private async Task SendBannerAsync(CancellationToken cancellationToken)
    {
        if (_bannerSent || options.Banner is null)
        {
            return;
        }

        _bannerSent = true;
        await transport.SendOrQueueAsync(SshWriter.Message(SSH_MSG_USERAUTH_BANNER).WriteString(options.Banner).WriteString("").Memory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>RFC 4256 §3.2-3.4: one SSH_MSG_USERAUTH_INFO_REQUEST with the password prompt (echo off); the answer is checked as a password.</summary>
    private async Task<(object? Principal, byte[]? Abandoned)> KeyboardInteractiveAsync(SshAuthContext context, CancellationToken cancellationToken)
    {
        var prompt = SshWriter.Message(SSH_MSG_USERAUTH_INFO_REQUEST)
            .WriteString("").WriteString("").WriteString("")
            .WriteUInt32(1).WriteString(options.KeyboardInteractivePrompt).WriteBoolean(false);
        await transport.SendOrQueueAsync(prompt.Memory, cancellationToken).ConfigureAwait(false);
        var response = await transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        if (response[0] == SSH_MSG_USERAUTH_REQUEST)
        {
            return (null, response);
        }

        var reader = new SshReader(response, "SSH_MSG_USERAUTH_INFO_RESPONSE");
        if (reader.ReadByte() != SSH_MSG_USERAUTH_INFO_RESPONSE)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"expected SSH_MSG_USERAUTH_INFO_RESPONSE, got message {response[0]}");
        }

        if (reader.ReadUInt32() != 1)
        {
            return (null, null);
        }

        var password = reader.ReadString();
        reader.ExpectEnd();
        return (await handler.AuthenticatePasswordAsync(context, password, cancellationToken).ConfigureAwait(false), null);
    }

    /// <summary>RFC 4252 §7 query without signature: SSH_MSG_USERAUTH_PK_OK if the handler would accept the key, else a failure; not an attempt.</summary>
    private async Task QueryAsync(SshAuthContext context, SshPublicKey? key, string algorithm, byte[] blob, CancellationToken cancellationToken)
    {
        if (++_keyQueries > MaxKeyQueries)
        {
            throw new SshProtocolException(SshDisconnectReason.NoMoreAuthMethodsAvailable, "too many public key queries");
        }

        if (key is not null && key.SupportsSignatureAlgorithm(algorithm)
            && await handler.AuthenticatePublicKeyAsync(context, key, false, cancellationToken).ConfigureAwait(false) is not null)
        {
            await transport.SendOrQueueAsync(SshWriter.Message(SSH_MSG_USERAUTH_PK_OK).WriteString(algorithm).WriteBinaryString(blob).Memory, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SendFailureAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>RFC 4252 §7 with signature: verified over session id and request, then the handler decides.</summary>
    private async ValueTask<object?> SignedAsync(SshAuthContext context, SshPublicKey? key, string algorithm, ReadOnlyMemory<byte> request, byte[] signature, CancellationToken cancellationToken)
    {
        // RFC 4252 §7: the signature covers string session_id followed by the request up to the signature.
        var signedData = new SshWriter(request.Length + 40).WriteBinaryString(transport.SessionId).WriteBytes(request.Span);
        if (key is null || !key.Verify(algorithm, signedData.Span, signature))
        {
            return null;
        }

        return await handler.AuthenticatePublicKeyAsync(context, key, true, cancellationToken).ConfigureAwait(false);
    }
}
