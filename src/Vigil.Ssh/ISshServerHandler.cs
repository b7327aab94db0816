namespace Vigil.Ssh;

/// <summary>
/// The application side of an SSH server: decides authentication and runs session channels. Called by
/// <see cref="SshServerConnection.RunAsync"/>; authentication calls are sequential, session calls run concurrently
/// (one per channel).
/// </summary>
public interface ISshServerHandler
{
    /// <summary>
    /// Checks a password, for both the <c>password</c> method (RFC 4252 §8) and the single prompt of
    /// <c>keyboard-interactive</c> (RFC 4256). Return a principal (any non-null object the application uses to carry
    /// the identity; it is handed back in <see cref="SshConnectionInfo.Principal"/>) to accept, or null to refuse.
    /// A refusal is answered after <see cref="SshServerOptions.AuthFailureDelay"/> with the same
    /// SSH_MSG_USERAUTH_FAILURE whatever the reason, so do not add delays of your own for unknown users.
    /// </summary>
    /// <param name="context">User name, method, remote end point, client version.</param>
    /// <param name="password">The password or token as sent (UTF-8 decoded).</param>
    /// <param name="cancellationToken">Cancelled when the connection ends or the auth timeout fires.</param>
    /// <returns>The principal, or null to refuse.</returns>
    ValueTask<object?> AuthenticatePasswordAsync(SshAuthContext context, string password, CancellationToken cancellationToken);

    /// <summary>
    /// Checks a public key for the <c>publickey</c> method (RFC 4252 §7). Called twice per key in the usual flow:
    /// first with <paramref name="signatureVerified"/> false for the query without signature (a non-null result only
    /// makes the server answer SSH_MSG_USERAUTH_PK_OK and is discarded), then with <paramref name="signatureVerified"/>
    /// true after the server verified the client's signature over the session identifier with this key (the non-null
    /// result authenticates the user and becomes <see cref="SshConnectionInfo.Principal"/>). Signatures are verified
    /// by the library (ssh-ed25519, ecdsa-sha2-nistp256, rsa-sha2-256, rsa-sha2-512); the handler only decides
    /// whether this key may log in as <see cref="SshAuthContext.UserName"/>.
    /// </summary>
    /// <param name="context">User name, method, remote end point, client version.</param>
    /// <param name="key">The offered key; compare <see cref="SshPublicKey.Blob"/> or <see cref="SshPublicKey.Fingerprint"/>.</param>
    /// <param name="signatureVerified">True when the client proved possession of the private key.</param>
    /// <param name="cancellationToken">Cancelled when the connection ends or the auth timeout fires.</param>
    /// <returns>The principal, or null to refuse.</returns>
    ValueTask<object?> AuthenticatePublicKeyAsync(SshAuthContext context, SshPublicKey key, bool signatureVerified, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one session channel (RFC 4254 §6), called when the client opened it (SSH_MSG_CHANNEL_OPEN "session").
    /// Read <see cref="SshSessionChannel.Requests"/> for pty-req/env and the shell/exec/subsystem request, then
    /// serve <see cref="SshSessionChannel.Input"/> and write output; send exit-status before returning. When the task
    /// completes the library sends SSH_MSG_CHANNEL_EOF and SSH_MSG_CHANNEL_CLOSE if not sent yet. An exception ends
    /// the whole connection (SSH_DISCONNECT_BY_APPLICATION) and is rethrown by <see cref="SshServerConnection.RunAsync"/>.
    /// </summary>
    /// <param name="connection">The authenticated connection (user, principal, algorithms).</param>
    /// <param name="channel">The channel.</param>
    /// <param name="cancellationToken">Cancelled when the client closes the channel or the connection ends (including a client that disappears).</param>
    /// <returns>A task that completes when the session is over.</returns>
    Task OpenSessionAsync(SshConnectionInfo connection, SshSessionChannel channel, CancellationToken cancellationToken);
}
