namespace Vigil.Connections;

/// <summary>
/// The answer of a connectivity test (<see cref="ConnectivityTester"/>; <c>POST /api/connections/{name}/test</c>, the
/// console's "Test connectivity", <c>vigil connections test</c>, the MCP tool <c>connection_test</c>). JSON in
/// snake_case: <c>{name, type, ok, target, failure, message, elapsed_ms}</c>. Never carries a secret of the connection.
/// </summary>
/// <param name="Name">The connection's name.</param>
/// <param name="Type">The connection's type (<c>postgres</c>, <c>http</c>, <c>kubernetes</c>, <c>ssh</c>).</param>
/// <param name="Ok">True when the gateway reached the target and it accepted the connection's credentials.</param>
/// <param name="Target">
/// What answered, when <paramref name="Ok"/>: <c>PostgreSQL 17.2</c>, <c>HTTP 404 Not Found</c>, <c>Kubernetes v1.32.0</c>,
/// <c>SSH-2.0-OpenSSH_10.0p2 Debian-5, host key SHA256:…, login by publickey</c>; null otherwise.
/// </param>
/// <param name="Failure">Null when <paramref name="Ok"/>; else one of <see cref="ConnectivityFailure"/>'s values.</param>
/// <param name="Message">One readable line: <c>Connected: PostgreSQL 17.2.</c> or <c>Connection test failed: …</c>.</param>
/// <param name="ElapsedMs">How long the test took, milliseconds.</param>
public sealed record ConnectivityResult(string Name, string Type, bool Ok, string? Target, string? Failure, string Message, long ElapsedMs);

/// <summary>Why a connectivity test failed: the values of <see cref="ConnectivityResult.Failure"/>.</summary>
public static class ConnectivityFailure
{
    /// <summary>The host refused the TCP connection, is down, or its name does not resolve.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>No complete answer within the test's timeout (10 s by default).</summary>
    public const string Timeout = "timeout";

    /// <summary>The TLS handshake failed: the target's certificate was not trusted (chain or name), or the target does not speak TLS when the connection requires it.</summary>
    public const string Tls = "tls";

    /// <summary>The target refused the connection's credentials (password, token, client certificate, private key).</summary>
    public const string Authentication = "authentication";

    /// <summary>An <c>ssh</c> target presented a host key other than the pinned one; nothing was sent to it.</summary>
    public const string HostKeyMismatch = "host_key_mismatch";

    /// <summary>The target answered, but not as its type should (an unexpected status or message, a broken session).</summary>
    public const string Protocol = "protocol";
}
