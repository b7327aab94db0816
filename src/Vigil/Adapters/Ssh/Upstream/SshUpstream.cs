using System.Net.Sockets;
using Vigil.Connections;
using Vigil.Ssh;

namespace Vigil.Adapters.Ssh.Upstream;

/// <summary>
/// The client side of <c>ssh</c> connections, on our own SSH library (<see cref="SshClientConnection"/>): opens an
/// authenticated SSH session to a connection's target with the connection's private key (OpenSSH or PEM; ed25519,
/// ecdsa, rsa) and/or password (password, then keyboard-interactive answering every prompt with it), after checking
/// the target's host key against the pinned one (<see cref="SshTarget.HostKey"/>) during the key exchange: a target
/// presenting another key is refused before anything is sent to it. Failures are <see cref="SshUpstreamException"/>s
/// whose message is ready for the client (after <c>vigil: </c>).
/// </summary>
public static class SshUpstream
{
    /// <summary>How long <see cref="ConnectAsync"/> waits for TCP, the version exchange, key exchange and authentication together.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Connects to <paramref name="connection"/>'s target (type <c>ssh</c>) and authenticates.</summary>
    /// <param name="connection">An <c>ssh</c> connection as the repository returns it (secrets decrypted).</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <param name="connectTimeout">Overall bound on connecting; <see cref="DefaultConnectTimeout"/> when null.</param>
    /// <returns>An open session; dispose it to disconnect.</returns>
    /// <exception cref="SshUpstreamException">Unreachable, timed out, host key mismatch, authentication refused, or the session broke.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ArgumentException"><paramref name="connection"/> is not an <c>ssh</c> connection.</exception>
    public static async Task<SshUpstreamSession> ConnectAsync(Connection connection, CancellationToken cancellationToken, TimeSpan? connectTimeout = null)
    {
        if (connection.Ssh is not { } target)
        {
            throw new ArgumentException($"connection '{connection.Name}' is of type {connection.Type}, not ssh", nameof(connection));
        }
        var timeout = connectTimeout ?? DefaultConnectTimeout;
        var pin = target.Pin;
        using var key = target.PrivateKey is { } text ? SshClientKey.Load(text) : null;
        // The server presents its key for the first of our host key algorithms it has one for (RFC 4253 §7.1): offer
        // only the pinned key's type, or a server with several host keys would present another one and be refused.
        // A bare fingerprint has no type: each type the server presents that does not match is dropped and the
        // connection tried again, so the mismatch reported is the first key the target presented.
        var offered = ClientHostKeyAlgorithms(pin.KeyType);
        string? firstPresented = null;
        while (true)
        {
            var options = Options(connection, key, pin, offered, timeout);
            try
            {
                var client = await SshClientConnection.ConnectAsync(connection.Host, connection.Port, options, cancellationToken);
                return new SshUpstreamSession(connection, client);
            }
            catch (SshHostKeyRejectedException e)
            {
                firstPresented ??= e.Presented.Fingerprint;
                offered = offered.Where(a => KeyType(a) != e.Presented.KeyType).ToList();
                if (pin.KeyType is not null || offered.Count == 0)
                {
                    throw new SshUpstreamException(SshUpstreamFailure.HostKeyMismatch,
                        $"host key mismatch for connection {connection.Name}: expected {pin.Fingerprint}, got {firstPresented}", e)
                    { PresentedFingerprint = firstPresented };
                }
            }
            catch (SshProtocolException e) when (firstPresented is not null && e.Reason is SshDisconnectReason.KeyExchangeFailed)
            {
                // No host key of the remaining types: the key the target did present is the mismatch.
                throw new SshUpstreamException(SshUpstreamFailure.HostKeyMismatch,
                    $"host key mismatch for connection {connection.Name}: expected {pin.Fingerprint}, got {firstPresented}", e)
                { PresentedFingerprint = firstPresented };
            }
            catch (Exception e) when (e is TimeoutException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw Failure(connection, SshUpstreamFailure.Timeout, $"no answer within {timeout.TotalSeconds:0.#}s", e);
            }
            catch (SocketException e)
            {
                throw Failure(connection, SshUpstreamFailure.Unreachable, e.Message, e);
            }
            catch (SshAuthenticationException e)
            {
                throw Failure(connection, SshUpstreamFailure.AuthenticationFailed,
                    $"the target refused the connection's credentials for user {connection.Username} ({e.Message})", e);
            }
            catch (Exception e) when (e is SshProtocolException or IOException)
            {
                throw Failure(connection, SshUpstreamFailure.ConnectionLost, e.Message, e);
            }
        }
    }

    /// <summary>An exception for <paramref name="failure"/> naming the connection and its address (never its credentials).</summary>
    internal static SshUpstreamException Failure(Connection connection, SshUpstreamFailure failure, string detail, Exception? inner) =>
        new(failure, $"cannot reach connection '{connection.Name}' ({connection.Host}:{connection.Port}): {detail}", inner);

    private static SshClientOptions Options(Connection connection, SshClientKey? key, Vigil.Connections.SshHostKey pin, IReadOnlyList<string> hostKeyAlgorithms, TimeSpan timeout)
    {
        var options = new SshClientOptions
        {
            UserName = connection.Username,
            Password = connection.Password,
            PrivateKey = key,
            HostKeyFingerprint = pin.Fingerprint,
            ConnectTimeout = timeout,
        };
        options.HostKeyAlgorithms.Clear();
        foreach (var algorithm in hostKeyAlgorithms)
        {
            options.HostKeyAlgorithms.Add(algorithm);
        }
        return options;
    }

    /// <summary>The host key signature algorithms for a pinned key type (RFC 8332: rsa-sha2-* use ssh-rsa keys), or all of them.</summary>
    private static List<string> ClientHostKeyAlgorithms(string? keyType)
    {
        var all = new SshClientOptions().HostKeyAlgorithms;
        return keyType is null ? [.. all] : [.. all.Where(a => KeyType(a) == keyType)];
    }

    private static string KeyType(string algorithm) => algorithm is "rsa-sha2-256" or "rsa-sha2-512" ? "ssh-rsa" : algorithm;
}
