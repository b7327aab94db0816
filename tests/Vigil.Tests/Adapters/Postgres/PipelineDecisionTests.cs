using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>A stage's refusal reaches native clients as ErrorResponse 42501 and the session stays usable.</summary>
[Collection(GatewayCollection.Name)]
public sealed class PipelineDecisionTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Refused_simple_query_answers_42501_and_session_continues()
    {
        await using (var connection = new NpgsqlConnection(gateway.ProxyConnectionString()))
        {
            await connection.OpenAsync();
            await using var refused = new NpgsqlCommand($"SELECT '{MarkerBlockStage.Marker}'", connection);
            var error = (await ((Func<Task>)(() => refused.ExecuteScalarAsync())).Should().ThrowAsync<PostgresException>()).Which;
            error.SqlState.Should().Be("42501");
            error.MessageText.Should().Be("vigil: blocked by the test policy");
            await using var next = new NpgsqlCommand("SELECT 'next'", connection);
            (await next.ExecuteScalarAsync()).Should().Be("next");
        }
        var session = await gateway.LatestSessionAsync("pg");
        session.Events!.Should().Contain(e => e.Kind == "blocked" && e.Message == "blocked by the test policy");
        session.Events!.Should().NotContain(e => e.Kind == "statement" && e.Text!.Contains(MarkerBlockStage.Marker));
    }

    [Fact]
    public async Task Refused_statement_inside_a_pipelined_batch_fails_the_batch_in_order()
    {
        await using var connection = new NpgsqlConnection(gateway.ProxyConnectionString());
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT $1::int") { Parameters = { new NpgsqlParameter { Value = 1 } } },
                new NpgsqlBatchCommand($"SELECT '{MarkerBlockStage.Marker}', $1::int") { Parameters = { new NpgsqlParameter { Value = 2 } } },
                new NpgsqlBatchCommand("SELECT 3"),
            },
        };
        var error = (await ((Func<Task>)(async () =>
        {
            await using var reader = await batch.ExecuteReaderAsync();
            while (await reader.NextResultAsync())
            {
            }
        })).Should().ThrowAsync<PostgresException>()).Which;
        error.SqlState.Should().Be("42501");
        await using var next = new NpgsqlCommand("SELECT $1::text", connection) { Parameters = { new NpgsqlParameter { Value = "usable" } } };
        (await next.ExecuteScalarAsync()).Should().Be("usable");
    }
}
