using Vigil.Postgres.Protocol;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>
/// A portal fetched in chunks (Execute with a row limit, PortalSuspended between chunks: JDBC's setFetchSize,
/// node-postgres cursors) is recorded as one statement with the rows of every chunk.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ChunkedFetchTests(GatewayFixture gateway)
{
    private async Task<(RawPgClient Client, string Connection)> LoggedInAsync()
    {
        // A connection of its own, so the newest session on it is this test's.
        var connection = await gateway.CreateConnectionAsync([]);
        var client = await RawPgClient.ConnectAsync(gateway.PgPort);
        await client.LoginAsync(connection, GatewayFixture.Token);
        return (client, connection);
    }

    /// <summary>Reads until a message of <paramref name="codes"/> and returns its code, counting DataRows on the way.</summary>
    private static async Task<(byte Code, int Rows)> ReadUntilAsync(RawPgClient client, params byte[] codes)
    {
        var rows = 0;
        while (true)
        {
            var (code, _) = await client.ReadAsync();
            code.Should().NotBe(0).And.NotBe(BackendMessageCode.ErrorResponse);
            rows += code == BackendMessageCode.DataRow ? 1 : 0;
            if (codes.Contains(code))
            {
                return (code, rows);
            }
        }
    }

    [Fact]
    public async Task Named_portal_fetched_in_chunks_inside_a_block_is_one_statement_with_all_its_rows()
    {
        var sql = $"SELECT id FROM items /* {Guid.NewGuid():N} */";
        var (client, connection) = await LoggedInAsync();
        await using (client)
        {
            await client.SendAsync(w => FrontendMessageWriter.WriteQuery(w, "BEGIN"));
            await ReadUntilAsync(client, BackendMessageCode.ReadyForQuery);
            await client.SendAsync(w =>
            {
                FrontendMessageWriter.WriteParse(w, "", sql);
                FrontendMessageWriter.WriteBind(w, "C_1", "", []);
            });
            var fetched = 0;
            while (true)
            {
                // As pgjdbc does with setFetchSize(30): Execute with a row limit, then Sync, per chunk.
                await client.SendAsync(w =>
                {
                    FrontendMessageWriter.WriteExecute(w, "C_1", 30);
                    FrontendMessageWriter.WriteSync(w);
                });
                var (code, rows) = await ReadUntilAsync(client, BackendMessageCode.PortalSuspended, BackendMessageCode.CommandComplete);
                fetched += rows;
                await ReadUntilAsync(client, BackendMessageCode.ReadyForQuery);
                if (code == BackendMessageCode.CommandComplete)
                {
                    break;
                }
            }
            fetched.Should().Be(100);
            await client.SendAsync(w =>
            {
                FrontendMessageWriter.WriteClose(w, TargetKind.Portal, "C_1");
                FrontendMessageWriter.WriteSync(w);
                FrontendMessageWriter.WriteQuery(w, "COMMIT");
            });
            await ReadUntilAsync(client, BackendMessageCode.ReadyForQuery);
            await ReadUntilAsync(client, BackendMessageCode.ReadyForQuery);
        }
        var session = await gateway.LatestSessionAsync(connection);
        var statement = session.Events!.Where(e => e.Text == sql).Should().ContainSingle().Subject;
        statement.Rows.Should().Be(100);
        statement.CommandTag.Should().Be("SELECT 100");
        session.Events!.Should().NotContain(e => e.CommandTag == "PortalSuspended");
    }

    [Fact]
    public async Task Unnamed_portal_closed_after_two_chunks_records_the_rows_fetched()
    {
        var sql = $"SELECT id FROM items /* {Guid.NewGuid():N} */";
        var (client, connection) = await LoggedInAsync();
        await using (client)
        {
            // As node-postgres' pg-cursor does: Execute with a row limit and Flush, no Sync until the cursor is closed.
            await client.SendAsync(w =>
            {
                FrontendMessageWriter.WriteParse(w, "", sql);
                FrontendMessageWriter.WriteBind(w, "", "", []);
                FrontendMessageWriter.WriteExecute(w, "", 25);
                FrontendMessageWriter.WriteFlush(w);
            });
            (await ReadUntilAsync(client, BackendMessageCode.PortalSuspended)).Rows.Should().Be(25);
            await client.SendAsync(w =>
            {
                FrontendMessageWriter.WriteExecute(w, "", 25);
                FrontendMessageWriter.WriteFlush(w);
            });
            (await ReadUntilAsync(client, BackendMessageCode.PortalSuspended)).Rows.Should().Be(25);
            await client.SendAsync(w =>
            {
                FrontendMessageWriter.WriteClose(w, TargetKind.Portal, "");
                FrontendMessageWriter.WriteSync(w);
                FrontendMessageWriter.WriteQuery(w, "SELECT 'after the cursor'");
            });
            await ReadUntilAsync(client, BackendMessageCode.ReadyForQuery);
            await ReadUntilAsync(client, BackendMessageCode.ReadyForQuery);
        }
        var session = await gateway.LatestSessionAsync(connection);
        var statement = session.Events!.Where(e => e.Text == sql).Should().ContainSingle().Subject;
        statement.Rows.Should().Be(50);
        statement.CommandTag.Should().BeNull("the portal was closed before the server completed it");
        session.Events!.Should().ContainSingle(e => e.Text == "SELECT 'after the cursor'" && e.Rows == 1);
    }

    [Fact]
    public async Task Jdbc_setFetchSize_read_is_one_statement_with_all_its_rows()
    {
        var sql = $"SELECT id FROM items /* {Guid.NewGuid():N} */";
        var connection = await gateway.CreateConnectionAsync([]);
        var directory = Directory.CreateTempSubdirectory("vigil-jdbc-");
        try
        {
            var source = Path.Combine(directory.FullName, "Fetch.java");
            await File.WriteAllTextAsync(source, """
                import java.sql.*;
                public class Fetch {
                    public static void main(String[] args) throws Exception {
                        try (Connection c = DriverManager.getConnection(args[0], "someone", args[1])) {
                            c.setAutoCommit(false);
                            try (Statement s = c.createStatement()) {
                                s.setFetchSize(10);
                                int n = 0;
                                try (ResultSet r = s.executeQuery(args[2])) { while (r.next()) n++; }
                                System.out.println("rows=" + n);
                            }
                            c.commit();
                        }
                    }
                }
                """);
            var run = await Processes.RunAsync("java",
                ["-cp", "/usr/share/java/postgresql.jar", source, $"jdbc:postgresql://127.0.0.1:{gateway.PgPort}/{connection}?sslmode=disable", GatewayFixture.Token, sql]);
            run.ExitCode.Should().Be(0, run.Stderr);
            run.Stdout.Should().Contain("rows=100");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
        var session = await gateway.LatestSessionAsync(connection);
        var statement = session.Events!.Where(e => e.Text == sql).Should().ContainSingle().Subject;
        statement.Rows.Should().Be(100);
        statement.CommandTag.Should().Be("SELECT 100");
    }
}
