using System.Net.Sockets;
using System.Security.Authentication;
using Vigil.Connections;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// Tests a <c>postgres</c> connection as a session would start (<see cref="UpstreamConnector"/>: TCP, TLS per the
/// connection's <c>ssl_mode</c>, StartupMessage, authentication as the connection's user, until ReadyForQuery), then
/// closes without a query. The target is the server's <c>server_version</c> (ParameterStatus, §55.2.7).
/// </summary>
public sealed class PostgresProbe : IConnectivityProbe
{
    /// <inheritdoc />
    public bool Handles(string type) => type == ConnectionTypes.Postgres;

    /// <inheritdoc />
    public async Task<ProbeOutcome> ProbeAsync(Connection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var session = await UpstreamConnector.ConnectAsync(connection, new Dictionary<string, string>(), timeout, cancellationToken);
            await session.Stream.DisposeAsync();
            var version = session.Parameters.FirstOrDefault(p => p.Name == "server_version").Value ?? "unknown";
            return ProbeOutcome.Reached($"PostgreSQL {version}");
        }
        catch (UpstreamException e)
        {
            var failure = e.InnerException switch
            {
                SocketException => ConnectivityFailure.Unreachable,
                OperationCanceledException => ConnectivityFailure.Timeout,
                AuthenticationException => ConnectivityFailure.Tls,
                // 28P01 invalid_password, 28000 invalid_authorization_specification (no pg_hba.conf entry, unknown role).
                null when e.SqlState is "28P01" or "28000" => ConnectivityFailure.Authentication,
                _ => ConnectivityFailure.Protocol,
            };
            return ProbeOutcome.Failed(failure, e.Message);
        }
    }
}
