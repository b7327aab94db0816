using System.Buffers;
using System.Text;
using Npgsql;
using Vigil.Postgres.Protocol;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>
/// The fast-path FunctionCall ('F') is a command like any other: resolved to its function's name, analyzed as
/// <c>SELECT schema.fn($1, …)</c>, recorded, and refused when the rule says so (failing its transaction).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class FunctionCallTests(GatewayFixture gateway)
{
    private async Task<uint> OidAsync(string signature)
    {
        await using var connection = new NpgsqlConnection(gateway.DirectConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT '{signature}'::regprocedure::oid", connection);
        return (uint)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<(byte Code, byte[] Body)> ReadReplyAsync(RawPgClient client)
    {
        var (code, body) = await client.ReadAsync();
        (await client.ReadAsync()).Code.Should().Be(BackendMessageCode.ReadyForQuery);
        return (code, body);
    }

    private static ErrorResponseMessage Error((byte Code, byte[] Body) reply)
    {
        reply.Code.Should().Be(BackendMessageCode.ErrorResponse);
        return ErrorResponseMessage.Parse(new ReadOnlySequence<byte>(reply.Body));
    }

    [Fact]
    public async Task FunctionCalls_are_analyzed_recorded_and_refused_by_the_rule()
    {
        var (connection, _) = await gateway.CreateRuleOnNewConnectionAsync(new()
        {
            ["risk_evaluation"] = new { low_risk_action = "allow", medium_risk_action = "block", high_risk_action = "block" },
        });
        var abs = await OidAsync("pg_catalog.abs(integer)");
        var now = await OidAsync("pg_catalog.now()");
        var unlink = await OidAsync("pg_catalog.lo_unlink(oid)");
        var terminate = await OidAsync("pg_catalog.pg_terminate_backend(integer,bigint)");
        await using var victim = new NpgsqlConnection(gateway.DirectConnectionString());
        await victim.OpenAsync();

        await using (var client = await RawPgClient.ConnectAsync(gateway.PgPort))
        {
            await client.LoginAsync(connection, GatewayFixture.Token);

            var absolute = await ReadAfterAsync(client, abs, ["-5"]);
            absolute.Code.Should().Be(BackendMessageCode.FunctionCallResponse);
            Encoding.UTF8.GetString(absolute.Body.AsSpan(4)).Should().Be("5");
            (await ReadAfterAsync(client, now, [])).Code.Should().Be(BackendMessageCode.FunctionCallResponse);

            var killed = Error(await ReadAfterAsync(client, terminate, [victim.ProcessID.ToString(), "0"]));
            killed.SqlState.Should().Be("42501");
            killed.Message.Should().StartWith("vigil: blocked by AI session analyzer");
            Error(await ReadAfterAsync(client, unlink, ["12345"])).SqlState.Should().Be("42501");

            var unknown = Error(await ReadAfterAsync(client, 4_000_000_000, []));
            unknown.SqlState.Should().Be("42501");
            unknown.Message.Should().Be("vigil: FunctionCall refused: no function has OID 4000000000");

            // Inside a block, a refused call fails the transaction as a server error would.
            await client.SendAsync(w => FrontendMessageWriter.WriteQuery(w, "BEGIN"));
            while ((await client.ReadAsync()).Code != BackendMessageCode.ReadyForQuery)
            {
            }
            Error(await ReadAfterAsync(client, unlink, ["12345"])).SqlState.Should().Be("42501");
            await client.SendAsync(w => FrontendMessageWriter.WriteQuery(w, "SELECT 1"));
            Error(await ReadReplyAsync(client)).SqlState.Should().Be("25P02");
            await client.SendAsync(w => FrontendMessageWriter.WriteQuery(w, "ROLLBACK"));
            while ((await client.ReadAsync()).Code != BackendMessageCode.ReadyForQuery)
            {
            }
        }

        await using (var alive = new NpgsqlCommand("SELECT 'alive'", victim))
        {
            (await alive.ExecuteScalarAsync()).Should().Be("alive");
        }
        var session = await gateway.LatestSessionAsync(connection);
        session.Events!.Should().Contain(e => e.Kind == "statement" && e.Text == "SELECT pg_catalog.abs($1)" && e.ParameterCount == 1 && e.Sqlstate == null);
        session.Events!.Should().Contain(e => e.Kind == "statement" && e.Text == "SELECT pg_catalog.now()");
        session.Events!.Should().Contain(e => e.Kind == "blocked" && e.Text == "SELECT pg_catalog.pg_terminate_backend($1, $2)" && e.AiAnalysis!.RiskLevel == "high");
        session.Events!.Should().Contain(e => e.Kind == "blocked" && e.Text == "SELECT pg_catalog.lo_unlink($1)");
        session.Events!.Should().Contain(e => e.Kind == "blocked" && e.Text == "FunctionCall OID 4000000000");
        session.AiAnalysis!.RiskLevel.Should().Be("high");
    }

    private static async Task<(byte Code, byte[] Body)> ReadAfterAsync(RawPgClient client, uint oid, string?[] arguments)
    {
        await client.SendAsync(w => FrontendMessageWriter.WriteFunctionCall(w, oid, arguments));
        return await ReadReplyAsync(client);
    }
}
