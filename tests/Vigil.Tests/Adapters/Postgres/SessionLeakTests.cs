using System.Buffers.Binary;
using System.Net.Http.Json;
using Vigil.Hosting;
using Vigil.Postgres.Protocol;
using Vigil.Sessions;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>Every path out of a proxied connection closes its session, whatever ended it.</summary>
[Collection(GatewayCollection.Name)]
public sealed class SessionLeakTests(GatewayFixture gateway)
{
    [Fact]
    public async Task An_SSLRequest_after_startup_gets_a_FATAL_and_leaves_no_session_open()
    {
        // The error text "invalid frontend message type 0" once carried the NUL code byte, which the FATAL writer
        // refused: the write threw, CloseSessionAsync was skipped and every such session stayed open.
        var name = "leak-" + Guid.NewGuid().ToString("N")[..6];
        (await gateway.Http.PostAsJsonAsync("/api/connections", new
        {
            name, type = "postgres", host = "127.0.0.1", port = gateway.Postgres.Port, database = "app", username = "app",
            password = GatewayFixture.AppPassword, ssl_mode = "disable",
        })).EnsureSuccessStatusCode();
        var sslRequest = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(sslRequest, 8);
        BinaryPrimitives.WriteInt32BigEndian(sslRequest.AsSpan(4), 80877103);
        const int connections = 200;
        await Parallel.ForEachAsync(Enumerable.Range(0, connections), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, _) =>
        {
            await using var client = await RawPgClient.ConnectAsync(gateway.PgPort);
            await client.LoginAsync(name, GatewayFixture.Token);
            await client.SendAsync(sslRequest);
            var error = await client.ReadErrorAsync();
            error.Severity.Should().Be("FATAL");
            error.SqlState.Should().Be("08P01");
            error.Message.Should().Be("vigil: invalid frontend message type 0");
            (await client.IsClosedAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
        });

        var deadline = DateTime.UtcNow.AddSeconds(20);
        long open;
        do
        {
            await gateway.FlushRecordingAsync();
            open = (await Count(name, "open")).Pages.Total;
        }
        while (open > 0 && DateTime.UtcNow < deadline && await Delay());
        open.Should().Be(0);
        var failed = await Count(name, "failed");
        failed.Pages.Total.Should().Be(connections);
        failed.Data.Single().Reason.Should().Contain("invalid frontend message type 0");
    }

    private async Task<Paged<SessionView>> Count(string connection, string status) =>
        (await gateway.Http.GetFromJsonAsync<Paged<SessionView>>($"/api/sessions?connection={connection}&status={status}&page_size=1", Vigil.Hosting.Api.Json))!;

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }
}
