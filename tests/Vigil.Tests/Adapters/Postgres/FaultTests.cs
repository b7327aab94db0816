using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Text;
using Npgsql;
using Vigil.Postgres.Protocol;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>Malformed input, refused logins and dying peers: a clear FATAL, one closed connection, nothing else hurt.</summary>
[Collection(GatewayCollection.Name)]
public sealed class FaultTests(GatewayFixture gateway)
{
    private static byte[] Message(byte code, byte[] body)
    {
        var bytes = new byte[5 + body.Length];
        bytes[0] = code;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), body.Length + 4);
        body.CopyTo(bytes, 5);
        return bytes;
    }

    private async Task<RawPgClient> LoggedInAsync()
    {
        var client = await RawPgClient.ConnectAsync(gateway.PgPort);
        await client.LoginAsync("pg", GatewayFixture.Token);
        return client;
    }

    private async Task AssertGatewayStillServesAsync()
    {
        await using var connection = new NpgsqlConnection(gateway.ProxyConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT 'alive'", connection);
        (await command.ExecuteScalarAsync()).Should().Be("alive");
    }

    [Fact]
    public async Task Length_below_four_gets_fatal_and_the_session_is_marked_failed()
    {
        await using (var client = await LoggedInAsync())
        {
            await client.SendAsync([(byte)'Q', 0, 0, 0, 3]);
            var error = await client.ReadErrorAsync();
            error.Severity.Should().Be("FATAL");
            error.SqlState.Should().Be("08P01");
            error.Message.Should().StartWith("vigil:");
            (await client.IsClosedAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
        }
        var session = await gateway.LatestSessionAsync("pg");
        session.Status.Should().Be("failed");
        session.Reason.Should().Contain("protocol violation");
        await AssertGatewayStillServesAsync();
    }

    [Fact]
    public async Task Oversized_message_is_refused_before_it_is_buffered()
    {
        await using var client = await LoggedInAsync();
        var header = new byte[5];
        header[0] = (byte)'Q';
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), 2 * 1024 * 1024);
        await client.SendAsync(header);
        var error = await client.ReadErrorAsync();
        error.SqlState.Should().Be("08P01");
        error.Message.Should().Contain("2097152");
        (await client.IsClosedAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
        await AssertGatewayStillServesAsync();
    }

    [Fact]
    public async Task Unknown_message_type_is_a_protocol_violation()
    {
        await using var client = await LoggedInAsync();
        await client.SendAsync(Message((byte)'~', [1, 2, 3]));
        var error = await client.ReadErrorAsync();
        error.SqlState.Should().Be("08P01");
        error.Message.Should().Contain("invalid frontend message type");
        await AssertGatewayStillServesAsync();
    }

    [Fact]
    public async Task Recorded_statements_survive_a_later_fault()
    {
        await using (var client = await LoggedInAsync())
        {
            await client.SendAsync(w => FrontendMessageWriter.WriteQuery(w, "SELECT 'before the fault'"));
            while ((await client.ReadAsync()).Code != BackendMessageCode.ReadyForQuery)
            {
            }
            await client.SendAsync([(byte)'Q', 0, 0, 0, 100, (byte)'S']);
        }
        var session = await gateway.LatestSessionAsync("pg");
        session.Events!.Should().ContainSingle(e => e.Text == "SELECT 'before the fault'" && e.CommandTag == "SELECT 1");
        session.Status.Should().Be("failed");
        session.Reason.Should().Be("client disconnected mid-message");
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(4, 0)]
    public async Task Unsupported_protocol_version_is_refused(int major, int minor)
    {
        await using var client = await RawPgClient.ConnectAsync(gateway.PgPort);
        var packet = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(packet, 8);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(4), (major << 16) | minor);
        await client.SendAsync(packet);
        var error = await client.ReadErrorAsync();
        error.SqlState.Should().Be("0A000");
        error.Message.Should().Contain("unsupported frontend protocol");
    }

    [Fact]
    public async Task Garbage_before_the_startup_packet_is_refused()
    {
        await using var client = await RawPgClient.ConnectAsync(gateway.PgPort);
        await client.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        var error = await client.ReadErrorAsync();
        error.Severity.Should().Be("FATAL");
        error.SqlState.Should().Be("08P01");
        await AssertGatewayStillServesAsync();
    }

    [Fact]
    public async Task Slowloris_startup_times_out()
    {
        await using var client = await RawPgClient.ConnectAsync(gateway.PgPort);
        await client.SendAsync([0, 0]);
        (await client.IsClosedAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();
    }

    [Fact]
    public async Task Wrong_token_gets_28P01()
    {
        await using var connection = new NpgsqlConnection(gateway.ProxyConnectionString().Replace(GatewayFixture.Token, "vgl_wrong"));
        var error = (await ((Func<Task>)(() => connection.OpenAsync())).Should().ThrowAsync<PostgresException>()).Which;
        error.SqlState.Should().Be("28P01");
        error.MessageText.Should().StartWith("vigil:");
    }

    [Fact]
    public async Task Unknown_connection_gets_3D000()
    {
        await using var connection = new NpgsqlConnection(gateway.ProxyConnectionString("no-such-connection"));
        var error = (await ((Func<Task>)(() => connection.OpenAsync())).Should().ThrowAsync<PostgresException>()).Which;
        error.SqlState.Should().Be("3D000");
        error.MessageText.Should().StartWith("vigil:").And.Contain("no-such-connection");
    }

    [Fact]
    public async Task Unreachable_upstream_gets_08006_naming_the_connection_only()
    {
        await using var connection = new NpgsqlConnection(gateway.ProxyConnectionString("unreachable"));
        var error = (await ((Func<Task>)(() => connection.OpenAsync())).Should().ThrowAsync<PostgresException>()).Which;
        error.SqlState.Should().Be("08006");
        error.MessageText.Should().StartWith("vigil:").And.Contain("\"unreachable\"").And.NotContain("unreachable-Secret-pw");
        var session = await gateway.LatestSessionAsync("unreachable");
        session.Status.Should().Be("failed");
        session.Reason.Should().Contain("cannot reach");
    }

    [Fact]
    public async Task Upstream_dying_mid_result_closes_only_that_client_and_marks_the_session_failed()
    {
        await using var upstream = new FakeUpstream();
        var name = "dying-" + Guid.NewGuid().ToString("N")[..6];
        (await gateway.Http.PostAsJsonAsync("/api/connections", new
        {
            name, type = "postgres", host = "127.0.0.1", port = upstream.Port, database = "x", username = "x", ssl_mode = "disable",
        })).EnsureSuccessStatusCode();
        await using (var client = await RawPgClient.ConnectAsync(gateway.PgPort))
        {
            await client.LoginAsync(name, GatewayFixture.Token);
            await client.SendAsync(w => FrontendMessageWriter.WriteQuery(w, "SELECT v FROM doomed"));
            (await client.ReadAsync()).Code.Should().Be(BackendMessageCode.RowDescription);
            // The gateway held the half DataRow, so the client gets the RowDescription, then FATAL 08006 and the close.
            (await client.IsClosedAsync(TimeSpan.FromSeconds(10))).Should().BeTrue();
        }
        var session = await gateway.LatestSessionAsync(name);
        session.Status.Should().Be("failed");
        session.Reason.Should().Contain("mid-message");
        session.Events!.Should().ContainSingle(e => e.Text == "SELECT v FROM doomed" && e.Sqlstate == "08006");
        await AssertGatewayStillServesAsync();
    }
}
