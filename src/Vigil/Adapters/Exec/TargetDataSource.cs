using Npgsql;
using Vigil.Connections;

namespace Vigil.Adapters.Exec;

/// <summary>Builds Npgsql data sources for a connection: its credentials, TLS policy and a server-side statement timeout.</summary>
public static class TargetDataSource
{
    /// <summary>A data source for <paramref name="connection"/> whose statements time out after <paramref name="statementTimeout"/>.</summary>
    public static NpgsqlDataSource Create(Connection connection, TimeSpan statementTimeout)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = connection.Host,
            Port = connection.Port,
            Database = connection.Database,
            Username = connection.Username,
            Password = connection.Password,
            SslMode = connection.SslMode switch
            {
                Connections.SslMode.Disable => Npgsql.SslMode.Disable,
                Connections.SslMode.Require => Npgsql.SslMode.Require,
                Connections.SslMode.VerifyFull => Npgsql.SslMode.VerifyFull,
                _ => Npgsql.SslMode.Prefer,
            },
            ApplicationName = "vigil-exec",
            Pooling = false,
            Timeout = 15,
            // The server enforces the limit (it cancels the statement); the client timeout is a backstop a bit later.
            Options = $"-c statement_timeout={(long)statementTimeout.TotalMilliseconds}",
            CommandTimeout = (int)Math.Ceiling(statementTimeout.TotalSeconds) + 5,
        };
        var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString);
        dataSource.UseSslClientAuthenticationOptionsCallback(options =>
            options.RemoteCertificateValidationCallback = (_, certificate, _, errors) => UpstreamTls.Validate(connection, certificate, errors));
        return dataSource.Build();
    }
}
