namespace Vigil.Ssh;

/// <summary>The server refused every authentication method the client could try (RFC 4252 §5.1 SSH_MSG_USERAUTH_FAILURE).</summary>
/// <param name="userName">The user name tried.</param>
/// <param name="tried">The methods tried, in order.</param>
/// <param name="allowed">The methods the server's last failure said can continue.</param>
public sealed class SshAuthenticationException(string userName, IReadOnlyList<string> tried, IReadOnlyList<string> allowed)
    : Exception($"SSH authentication as '{userName}' failed (tried: {(tried.Count == 0 ? "nothing" : string.Join(", ", tried))}; the server allows: {string.Join(", ", allowed)})")
{
    /// <summary>The methods tried, in order.</summary>
    public IReadOnlyList<string> Tried { get; } = tried;

    /// <summary>The methods the server said can continue.</summary>
    public IReadOnlyList<string> Allowed { get; } = allowed;
}
