using System.Text;

namespace Vigil.Connections;

/// <summary>
/// Tests whether the gateway can reach a connection's target with the connection's own credentials, for every type:
/// the <see cref="IConnectivityProbe"/> registered for the connection's type connects (PostgreSQL startup and
/// authentication; an HTTP GET of the base URL; a Kubernetes <c>GET /version</c>; an SSH login with the pinned host key
/// checked) and closes at once, within a bounded time (<see cref="DefaultTimeout"/>). The one entry point of
/// <c>POST /api/connections/{name}/test</c>, the console's "Test connectivity", the CLI and MCP. Authorization is the
/// caller's (admins only, as a management action).
/// </summary>
public sealed partial class ConnectivityTester(IEnumerable<IConnectivityProbe> probes, TimeProvider time, ILogger<ConnectivityTester> logger)
{
    /// <summary>The bound on one test: TCP, TLS, the protocol's handshake and authentication together.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Secrets shorter than this are not searched for in the target's text: a short value (a tenant id "t1") would
    /// mangle ordinary words, and the texts the probes build never contain a credential in the first place.
    /// </summary>
    private const int ScrubbedSecretLength = 4;

    /// <summary>Longest <see cref="ConnectivityResult.Target"/> or failure detail kept: it is one line for a person.</summary>
    private const int MaxText = 300;

    private readonly IConnectivityProbe[] _probes = [.. probes];

    /// <summary>Tests <paramref name="connection"/> within <see cref="DefaultTimeout"/>.</summary>
    /// <inheritdoc cref="TestAsync(Connection, TimeSpan, CancellationToken)"/>
    public Task<ConnectivityResult> TestAsync(Connection connection, CancellationToken cancellationToken) =>
        TestAsync(connection, DefaultTimeout, cancellationToken);

    /// <summary>Tests <paramref name="connection"/> within <paramref name="timeout"/>.</summary>
    /// <param name="connection">The connection as the repository returns it (secrets decrypted).</param>
    /// <param name="timeout">The bound on the whole test; when it passes the result's failure is <c>timeout</c>.</param>
    /// <param name="cancellationToken">The caller gave up (the request was aborted).</param>
    /// <returns>The result, reachable or not; a target's failure is never thrown.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="NotSupportedException">No probe handles the connection's type.</exception>
    public async Task<ConnectivityResult> TestAsync(Connection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var probe = _probes.FirstOrDefault(p => p.Handles(connection.Type))
            ?? throw new NotSupportedException($"no connectivity test for connections of type {connection.Type}");
        var started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout, time);
        using var caller = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), deadline);
        ProbeOutcome outcome;
        try
        {
            outcome = await probe.ProbeAsync(connection, timeout, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = ProbeOutcome.Failed(ConnectivityFailure.Timeout,
                $"cannot reach connection '{connection.Name}' ({connection.Host}:{connection.Port}): no answer within {timeout.TotalSeconds:0.#}s");
        }
        cancellationToken.ThrowIfCancellationRequested();
        var elapsed = (long)time.GetElapsedTime(started).TotalMilliseconds;
        var secrets = SecretsOf(connection);
        var target = outcome.Failure is null && outcome.Target is { } answered ? Clean(answered, secrets) : null;
        var message = target is not null
            ? $"Connected: {target}."
            : $"Connection test failed: {Clean(outcome.Detail ?? outcome.Failure ?? "", secrets).TrimEnd('.')}.";
        var result = new ConnectivityResult(connection.Name, connection.Type, target is not null, target, target is null ? outcome.Failure ?? ConnectivityFailure.Protocol : null, message, elapsed);
        LogTested(logger, connection.Name, connection.Type, result.Failure ?? "ok", elapsed);
        return result;
    }

    /// <summary>
    /// One line of at most <see cref="MaxText"/> characters with every secret of the connection replaced by <c>***</c>:
    /// the target's own words (a version, an error) are shown, and a hostile target could echo a credential back.
    /// </summary>
    private static string Clean(string text, IEnumerable<string> secrets)
    {
        foreach (var secret in secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }
        var line = new StringBuilder(Math.Min(text.Length, MaxText + 1));
        foreach (var c in text)
        {
            if (line.Length > MaxText)
            {
                break;
            }
            var printable = char.IsControl(c) ? ' ' : c;
            if (printable != ' ' || (line.Length > 0 && line[^1] != ' '))
            {
                line.Append(printable);
            }
        }
        var clean = line.ToString().TrimEnd();
        return clean.Length > MaxText ? clean[..MaxText] + "…" : clean;
    }

    private static IEnumerable<string> SecretsOf(Connection connection) =>
        new[] { connection.Password, connection.Http?.Token, connection.Http?.ClientKey, connection.Ssh?.PrivateKey }
            .Concat(connection.Http?.Headers.Values ?? [])
            .OfType<string>()
            .Where(s => s.Length >= ScrubbedSecretLength)
            .OrderByDescending(s => s.Length);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Connectivity test of connection {Connection} ({Type}): {Outcome} in {ElapsedMs} ms")]
    private static partial void LogTested(ILogger logger, string connection, string type, string outcome, long elapsedMs);
}
