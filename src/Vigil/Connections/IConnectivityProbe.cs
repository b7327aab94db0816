namespace Vigil.Connections;

/// <summary>
/// Tests one type of target: connects to it as the gateway would for a session, with the connection's own credentials,
/// and closes at once. Each adapter implements one for its types (in its own folder); <see cref="ConnectivityTester"/>
/// chooses by <see cref="Handles"/>. A probe only translates: what the target answered, or its client library's
/// failure, into a <see cref="ProbeOutcome"/>. It never puts a secret into the outcome's text.
/// </summary>
public interface IConnectivityProbe
{
    /// <summary>True for the connection types this probe tests (<see cref="ConnectionTypes"/>).</summary>
    bool Handles(string type);

    /// <summary>Connects to <paramref name="connection"/>'s target, authenticates, and disconnects.</summary>
    /// <param name="connection">The connection as the repository returns it (secrets decrypted).</param>
    /// <param name="timeout">The bound on the whole attempt; <paramref name="cancellationToken"/> is also cancelled when it passes.</param>
    /// <param name="cancellationToken">Cancelled when the caller gives up or <paramref name="timeout"/> passes.</param>
    /// <returns>What answered, or why it failed; a failure to reach the target is an outcome, never an exception.</returns>
    Task<ProbeOutcome> ProbeAsync(Connection connection, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>What a probe found: <see cref="Target"/> when the target was reached, else a <see cref="Failure"/> and its <see cref="Detail"/>.</summary>
/// <param name="Target">What answered (<c>PostgreSQL 17.2</c>); null on failure.</param>
/// <param name="Failure">Null on success; else a <see cref="ConnectivityFailure"/> value.</param>
/// <param name="Detail">On failure: why, naming the connection and address, never a credential.</param>
public sealed record ProbeOutcome(string? Target, string? Failure, string? Detail)
{
    /// <summary>The target was reached and accepted the credentials.</summary>
    public static ProbeOutcome Reached(string target) => new(target, null, null);

    /// <summary>The test failed with <paramref name="failure"/> (a <see cref="ConnectivityFailure"/> value) because of <paramref name="detail"/>.</summary>
    public static ProbeOutcome Failed(string failure, string detail) => new(null, failure, detail);
}
