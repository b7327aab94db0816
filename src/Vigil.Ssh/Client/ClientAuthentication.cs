using Vigil.Ssh.Protocol;
using Vigil.Ssh.Transport;
using static Vigil.Ssh.Protocol.SshMessageNumber;

namespace Vigil.Ssh.Client;

/// <summary>
/// The client side of <c>ssh-userauth</c> (RFC 4252): the service request, then <c>publickey</c> (§7, signed right
/// away without the query step), <c>password</c> (§8) and <c>keyboard-interactive</c> (RFC 4256, every prompt
/// answered with the password), each tried when configured and still allowed by the server's last failure.
/// </summary>
internal static class ClientAuthentication
{
    private const string Service = "ssh-connection";

    /// <summary>Authenticates; returns the method that succeeded.</summary>
    /// <exception cref="SshAuthenticationException">Every configured method was refused.</exception>
    /// <exception cref="SshProtocolException">An unexpected message.</exception>
    public static async Task<string> AuthenticateAsync(SshTransport transport, SshClientOptions options, CancellationToken cancellationToken)
    {
        await transport.SendAsync(SshWriter.Message(SSH_MSG_SERVICE_REQUEST).WriteString("ssh-userauth").Memory, cancellationToken).ConfigureAwait(false);
        var accept = await ReceiveAsync(transport, cancellationToken).ConfigureAwait(false);
        if (accept[0] != SSH_MSG_SERVICE_ACCEPT)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"expected SSH_MSG_SERVICE_ACCEPT, got message {accept[0]}");
        }

        var tried = new List<string>();
        string[]? allowed = null;
        foreach (var method in options.AuthenticationMethods)
        {
            var configured = method switch
            {
                "publickey" => options.PrivateKey is not null,
                "password" or "keyboard-interactive" => options.Password is not null,
                _ => false,
            };
            if (!configured || (allowed is not null && !allowed.Contains(method)))
            {
                continue;
            }

            tried.Add(method);
            var reply = method switch
            {
                "publickey" => await PublicKeyAsync(transport, options, cancellationToken).ConfigureAwait(false),
                "password" => await PasswordAsync(transport, options, cancellationToken).ConfigureAwait(false),
                _ => await KeyboardInteractiveAsync(transport, options, cancellationToken).ConfigureAwait(false),
            };
            if (reply[0] == SSH_MSG_USERAUTH_SUCCESS)
            {
                return method;
            }

            // SSH_MSG_USERAUTH_PASSWD_CHANGEREQ (60, RFC 4252 §8) to a password request: an expired password, refused.
            allowed = reply[0] == SSH_MSG_USERAUTH_FAILURE ? Failure(reply) : allowed;
        }

        throw new SshAuthenticationException(options.UserName, tried, allowed ?? []);
    }

    private static SshWriter Request(SshClientOptions options, string method) =>
        SshWriter.Message(SSH_MSG_USERAUTH_REQUEST, 256).WriteString(options.UserName).WriteString(Service).WriteString(method);

    /// <summary>RFC 4252 §7: the signature covers the session identifier and the request up to the signature.</summary>
    private static async Task<byte[]> PublicKeyAsync(SshTransport transport, SshClientOptions options, CancellationToken cancellationToken)
    {
        var key = options.PrivateKey!;
        var signed = new SshWriter(512)
            .WriteBinaryString(transport.SessionId)
            .WriteByte(SSH_MSG_USERAUTH_REQUEST)
            .WriteString(options.UserName)
            .WriteString(Service)
            .WriteString("publickey")
            .WriteBoolean(true)
            .WriteString(key.SignatureAlgorithm)
            .WriteBinaryString(key.PublicKey.Blob.Span);
        var request = Request(options, "publickey")
            .WriteBoolean(true)
            .WriteString(key.SignatureAlgorithm)
            .WriteBinaryString(key.PublicKey.Blob.Span)
            .WriteBinaryString(key.Sign(signed.Span));
        await transport.SendAsync(request.Memory, cancellationToken).ConfigureAwait(false);
        return await ResultAsync(transport, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<byte[]> PasswordAsync(SshTransport transport, SshClientOptions options, CancellationToken cancellationToken)
    {
        await transport.SendAsync(Request(options, "password").WriteBoolean(false).WriteString(options.Password!).Memory, cancellationToken).ConfigureAwait(false);
        return await ResultAsync(transport, cancellationToken, allowInfo: true).ConfigureAwait(false);
    }

    /// <summary>RFC 4256 §3.2-3.4: answers each SSH_MSG_USERAUTH_INFO_REQUEST (at most 10) with the password for every prompt.</summary>
    private static async Task<byte[]> KeyboardInteractiveAsync(SshTransport transport, SshClientOptions options, CancellationToken cancellationToken)
    {
        await transport.SendAsync(Request(options, "keyboard-interactive").WriteString("").WriteString("").Memory, cancellationToken).ConfigureAwait(false);
        for (var round = 0; round < 10; round++)
        {
            var reply = await ResultAsync(transport, cancellationToken, allowInfo: true).ConfigureAwait(false);
            if (reply[0] != SSH_MSG_USERAUTH_INFO_REQUEST)
            {
                return reply;
            }

            var reader = new SshReader(reply, "SSH_MSG_USERAUTH_INFO_REQUEST");
            reader.ReadByte();
            reader.ReadString();
            reader.ReadString();
            reader.ReadString();
            var prompts = reader.ReadUInt32();
            if (prompts > 100)
            {
                throw SshProtocolException.Malformed("SSH_MSG_USERAUTH_INFO_REQUEST", $"{prompts} prompts");
            }

            var response = SshWriter.Message(SSH_MSG_USERAUTH_INFO_RESPONSE, 64).WriteUInt32(prompts);
            for (var i = 0; i < prompts; i++)
            {
                reader.ReadString();
                reader.ReadBoolean();
                response.WriteString(options.Password!);
            }

            await transport.SendAsync(response.Memory, cancellationToken).ConfigureAwait(false);
        }

        throw new SshProtocolException(SshDisconnectReason.ProtocolError, "keyboard-interactive: more than 10 rounds of prompts");
    }

    /// <summary>The next SUCCESS or FAILURE (banners skipped); with <paramref name="allowInfo"/> also message 60.</summary>
    private static async Task<byte[]> ResultAsync(SshTransport transport, CancellationToken cancellationToken, bool allowInfo = false)
    {
        while (true)
        {
            var reply = await ReceiveAsync(transport, cancellationToken).ConfigureAwait(false);
            switch (reply[0])
            {
                case SSH_MSG_USERAUTH_BANNER:
                    continue;
                case SSH_MSG_USERAUTH_SUCCESS or SSH_MSG_USERAUTH_FAILURE:
                case SSH_MSG_USERAUTH_INFO_REQUEST when allowInfo:
                    return reply;
                default:
                    throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"unexpected message {reply[0]} during authentication");
            }
        }
    }

    /// <summary>The next message other than SSH_MSG_EXT_INFO (RFC 8308; the client signs RSA with SHA-256, which every server announcing it accepts).</summary>
    private static async Task<byte[]> ReceiveAsync(SshTransport transport, CancellationToken cancellationToken)
    {
        while (true)
        {
            var payload = await transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (payload[0] != SSH_MSG_EXT_INFO)
            {
                return payload;
            }
        }
    }

    /// <summary>The methods that can continue, from SSH_MSG_USERAUTH_FAILURE (RFC 4252 §5.1).</summary>
    private static string[] Failure(byte[] reply)
    {
        var reader = new SshReader(reply, "SSH_MSG_USERAUTH_FAILURE");
        reader.ReadByte();
        return reader.ReadNameList();
    }
}
