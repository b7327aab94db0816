using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using Vigil.Postgres.Protocol;
using Vigil.Storage;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>
/// The API token on the PostgreSQL wire: with user = the token's id, psql, Npgsql and JDBC prove the token with
/// SCRAM-SHA-256 and it never crosses the wire (a <see cref="WireTap"/> sees every byte the client sent), even with
/// sslmode=disable; any other user name falls back to cleartext, allowed here because the client is on loopback.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TokenOnTheWireTests(GatewayFixture gateway)
{
    public const string JdbcJar = "/usr/share/java/postgresql.jar";

    private async Task<(string Connection, string Token, string TokenId)> SetupAsync()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var user = await gateway.CreateUserAsync([group]);
        return (connection, user.Token, user.TokenId);
    }

    [Fact]
    public async Task Psql_proves_the_token_with_scram_and_never_sends_it()
    {
        var (connection, token, tokenId) = await SetupAsync();
        await using var tap = new WireTap(gateway.PgPort);

        var result = await Processes.RunAsync("psql",
            [$"postgresql://{tokenId}@127.0.0.1:{tap.Port}/{connection}?sslmode=disable", "-X", "-At", "-c", "SELECT 'scram ' || 1"],
            new Dictionary<string, string> { ["PGPASSWORD"] = token });

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Contain("scram 1");
        tap.Sent.Should().Contain("SCRAM-SHA-256").And.NotContain(token);
        (await gateway.LatestSessionAsync(connection)).ClientUser.Should().Be(tokenId);
    }

    [Fact]
    public async Task Over_tls_psql_and_npgsql_bind_scram_to_the_tls_session()
    {
        // channel_binding=require makes libpq refuse anything but SCRAM-SHA-256-PLUS: proof that SCRAM ran, bound to TLS.
        var (connection, token, tokenId) = await SetupAsync();
        var psql = await Processes.RunAsync("psql",
            [$"postgresql://{tokenId}@127.0.0.1:{gateway.PgPort}/{connection}?sslmode=require&channel_binding=require", "-X", "-At", "-c", "SELECT 'bound'"],
            new Dictionary<string, string> { ["PGPASSWORD"] = token });
        psql.ExitCode.Should().Be(0, psql.Stderr);
        psql.Stdout.Should().Contain("bound");

        await using var db = new NpgsqlConnection(
            $"Host=127.0.0.1;Port={gateway.PgPort};Database={connection};Username={tokenId};Password={token};SSL Mode=Require;Channel Binding=Require;Pooling=false");
        await db.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 'npgsql bound'", db);
        (await command.ExecuteScalarAsync()).Should().Be("npgsql bound");
    }

    [Fact]
    public async Task Psql_with_any_other_user_sends_the_token_in_cleartext_which_loopback_allows()
    {
        var (connection, token, _) = await SetupAsync();
        await using var tap = new WireTap(gateway.PgPort);

        var result = await Processes.RunAsync("psql",
            [$"postgresql://someone@127.0.0.1:{tap.Port}/{connection}?sslmode=disable", "-X", "-At", "-c", "SELECT 1"],
            new Dictionary<string, string> { ["PGPASSWORD"] = token });

        result.ExitCode.Should().Be(0, result.Stderr);
        tap.Sent.Should().Contain(token, "the tap sees what a cleartext password exchange sends: the control for the SCRAM tests");
    }

    [Fact]
    public async Task Npgsql_proves_the_token_with_scram_and_never_sends_it()
    {
        var (connection, token, tokenId) = await SetupAsync();
        await using var tap = new WireTap(gateway.PgPort);

        await using (var db = new NpgsqlConnection($"Host=127.0.0.1;Port={tap.Port};Database={connection};Username={tokenId};Password={token};SSL Mode=Disable;Pooling=false"))
        {
            await db.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 'npgsql ' || 2", db);
            (await command.ExecuteScalarAsync()).Should().Be("npgsql 2");
        }

        tap.Sent.Should().Contain("SCRAM-SHA-256").And.NotContain(token);
    }

    [Fact]
    public async Task Jdbc_proves_the_token_with_scram_and_never_sends_it()
    {
        File.Exists(JdbcJar).Should().BeTrue($"the JDBC driver comes from the Debian package libpostgresql-jdbc-java (.ci/run installs it)");
        var (connection, token, tokenId) = await SetupAsync();
        await using var tap = new WireTap(gateway.PgPort);
        var dir = Directory.CreateTempSubdirectory("vigil-jdbc-");
        var source = await WriteJdbcProbeAsync(dir.FullName);
        try
        {
            var result = await Processes.RunAsync("java",
                ["-cp", JdbcJar, source, $"jdbc:postgresql://127.0.0.1:{tap.Port}/{connection}?sslmode=disable", tokenId, token]);

            result.ExitCode.Should().Be(0, result.Stderr);
            result.Stdout.Should().Contain("jdbc 3");
            tap.Sent.Should().Contain("SCRAM-SHA-256").And.NotContain(token);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Writes a JDBC program (run with <c>java -cp postgresql.jar FILE URL USER PASSWORD</c>) that prints the result of one query.</summary>
    public static async Task<string> WriteJdbcProbeAsync(string directory)
    {
        var source = Path.Combine(directory, "JdbcProbe.java");
        await File.WriteAllTextAsync(source, """
            import java.sql.*;

            public class JdbcProbe {
                public static void main(String[] args) throws Exception {
                    try (Connection c = DriverManager.getConnection(args[0], args[1], args[2]);
                         Statement s = c.createStatement();
                         ResultSet r = s.executeQuery("SELECT 'jdbc ' || 3")) {
                        r.next();
                        System.out.println(r.getString(1));
                    }
                }
            }
            """);
        return source;
    }

    [Fact]
    public async Task Scram_with_a_wrong_or_revoked_token_fails_with_28P01_and_never_asks_for_cleartext()
    {
        var (connection, token, tokenId) = await SetupAsync();
        var wrong = async () =>
        {
            await using var db = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, token[..^1] + "x").Replace("Username=someone", $"Username={tokenId}", StringComparison.Ordinal));
            await db.OpenAsync();
        };
        (await wrong.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("28P01");

        (await gateway.Http.DeleteAsync($"/api/tokens/{tokenId}")).EnsureSuccessStatusCode();
        await using var tap = new WireTap(gateway.PgPort);
        var revoked = await Processes.RunAsync("psql",
            [$"postgresql://{tokenId}@127.0.0.1:{tap.Port}/{connection}?sslmode=disable", "-X", "-c", "SELECT 1"],
            new Dictionary<string, string> { ["PGPASSWORD"] = token });
        revoked.ExitCode.Should().NotBe(0);
        revoked.Stderr.Should().Contain("password authentication failed");
        tap.Sent.Should().NotContain(token, "a revoked token with a verifier still gets SCRAM, not a cleartext request");
    }

    [Fact]
    public async Task A_token_made_before_verifiers_existed_still_works_with_cleartext()
    {
        var (connection, token, tokenId) = await SetupAsync();
        var store = gateway.App.Services.GetRequiredService<SqliteStore>();
        await using (var db = await store.OpenAsync(CancellationToken.None))
        {
            await db.ExecuteAsync("UPDATE api_tokens SET scram_verifier = NULL WHERE id = @tokenId", new { tokenId });
        }

        var result = await Processes.RunAsync("psql",
            [$"postgresql://{tokenId}@127.0.0.1:{gateway.PgPort}/{connection}?sslmode=disable", "-X", "-At", "-c", "SELECT 'old token'"],
            new Dictionary<string, string> { ["PGPASSWORD"] = token });

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Contain("old token");
    }

    [Theory]
    [InlineData("SCRAM-SHA-256-PLUS", "n,,n=,r=abcdef")]
    [InlineData("SCRAM-SHA-256", "p=tls-server-end-point,,n=,r=abcdef")]
    [InlineData("SCRAM-SHA-256", "n,,m=x,r=abcdef")]
    public async Task A_bad_scram_exchange_is_a_clear_FATAL(string mechanism, string clientFirst)
    {
        var (connection, _, tokenId) = await SetupAsync();
        await using var client = await RawPgClient.ConnectAsync(gateway.PgPort);
        await client.SendAsync(w => FrontendMessageWriter.WriteStartupMessage(w, new Dictionary<string, string> { ["user"] = tokenId, ["database"] = connection }));
        (await client.ReadAsync()).Code.Should().Be(BackendMessageCode.Authentication);

        await client.SendAsync(w => FrontendMessageWriter.WriteSaslInitialResponse(w, mechanism, System.Text.Encoding.ASCII.GetBytes(clientFirst)));

        var error = await client.ReadErrorAsync();
        error.Severity.Should().Be("FATAL");
        error.SqlState.Should().Be("08P01");
        error.Message.Should().StartWith("vigil: ");
        (await client.IsClosedAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
    }
}
