using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Hosting;

/// <summary>
/// <c>kill -9</c> of a real <c>vigil serve</c> with sessions open, then a restart on the same data directory: the sessions
/// read <c>interrupted</c> ("gateway stopped", <c>events_lost</c> unknown), and on a <c>recording: strict</c>
/// connection the statement the target was running when the gateway died is in the recording, where the async
/// connection lost it. The data directory and every file in it are the owner's only, and a token the operator
/// supplied is never printed. The target is the shared test PostgreSQL.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class CrashRecoveryTests(GatewayFixture fixture) : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "vigil-crash-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _token = "vgl_crash_" + Guid.NewGuid().ToString("N");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<JsonObject> SessionAsync(ServeProcess gateway, string id) =>
        (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/sessions/{id}"))!;

    private static async Task<JsonArray> SessionsAsync(ServeProcess gateway, string connection) =>
        (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/sessions?connection={connection}&page_size=100"))!["data"]!.AsArray();

    [Fact]
    public async Task After_kill_9_open_sessions_read_interrupted_and_strict_mode_kept_the_statement_the_target_was_running()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        var asyncStatement = $"SELECT pg_sleep(20) /* async {marker} */";
        var strictStatement = $"SELECT pg_sleep(20) /* strict {marker} */";
        var clients = new List<NpgsqlConnection>();
        var running = new List<Task>();
        try
        {
            await using (var first = await ServeProcess.StartAsync(_data, _token))
            {
                await first.CreateConnectionAsync("target-async", fixture.Postgres.Port, "async");
                await first.CreateConnectionAsync("target-strict", fixture.Postgres.Port, "strict");
                async Task<NpgsqlConnection> OpenAsync(string connection)
                {
                    var client = new NpgsqlConnection(first.ProxyConnectionString(connection, _token));
                    clients.Add(client);
                    await client.OpenAsync();
                    return client;
                }
                var idle = await OpenAsync("target-async");
                await using (var select = new NpgsqlCommand("SELECT 1", idle))
                {
                    await select.ExecuteScalarAsync();
                }
                running.Add(new NpgsqlCommand(asyncStatement, await OpenAsync("target-async")).ExecuteNonQueryAsync());
                running.Add(new NpgsqlCommand(strictStatement, await OpenAsync("target-strict")).ExecuteNonQueryAsync());

                // Both statements have reached the target, and the three sessions are on record as open.
                await using (var direct = new NpgsqlConnection(fixture.DirectConnectionString()))
                {
                    await direct.OpenAsync();
                    await WaitUntilAsync(async () =>
                    {
                        await using var activity = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%' || @m || '%' AND pid <> pg_backend_pid()", direct);
                        activity.Parameters.AddWithValue("m", marker);
                        return (long)(await activity.ExecuteScalarAsync())! == 2;
                    });
                }
                await WaitUntilAsync(async () => (await SessionsAsync(first, "target-async")).Count == 2 && (await SessionsAsync(first, "target-strict")).Count == 1);
                await first.KillAsync();
            }

            await using var second = await ServeProcess.StartAsync(_data, _token);
            var asyncSessions = await SessionsAsync(second, "target-async");
            var strictSessions = await SessionsAsync(second, "target-strict");
            foreach (var listed in asyncSessions.Concat(strictSessions))
            {
                listed!["status"]!.GetValue<string>().Should().Be("interrupted");
                listed["reason"]!.GetValue<string>().Should().Be("gateway stopped");
                listed["events_lost"].Should().BeNull("the last batch may be missing: the count is unknown, not 0");
                listed["ended_at"]!.GetValue<string>().Should().NotBeNullOrEmpty();
            }
            (await second.Http.GetFromJsonAsync<JsonObject>("/api/sessions?status=interrupted&page_size=100"))!["pages"]!["total"]!.GetValue<long>().Should().Be(3);

            var strict = await SessionAsync(second, strictSessions.Single()!["id"]!.GetValue<string>());
            strict["events"]!.AsArray().Should().Contain(e => e!["kind"]!.GetValue<string>() == "input" && e["text"]!.GetValue<string>() == strictStatement,
                "in strict mode a statement reaches the target only after its input event is durable");
            var asyncTexts = new List<string>();
            foreach (var listed in asyncSessions)
            {
                var session = await SessionAsync(second, listed!["id"]!.GetValue<string>());
                asyncTexts.AddRange(session["events"]!.AsArray().Select(e => e!["text"]!.GetValue<string>()));
            }
            asyncTexts.Should().NotContain(asyncStatement, "in async mode a statement is recorded when it completes, which this one never did");
        }
        finally
        {
            await using (var direct = new NpgsqlConnection(fixture.DirectConnectionString()))
            {
                await direct.OpenAsync();
                await using var stop = new NpgsqlCommand("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%' || @m || '%' AND pid <> pg_backend_pid()", direct);
                stop.Parameters.AddWithValue("m", marker);
                await stop.ExecuteNonQueryAsync();
            }
            foreach (var task in running)
            {
                await Task.WhenAny(task, Task.Delay(5000));
            }
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task The_data_directory_is_0700_every_file_in_it_0600_and_a_supplied_admin_token_is_not_printed()
    {
        Directory.CreateDirectory(_data);
        File.SetUnixFileMode(_data, (UnixFileMode)0b111_101_101); // 0755, as an older release or a careless mkdir left it
        await using var gateway = await ServeProcess.StartAsync(_data, _token);
        await gateway.CreateConnectionAsync("target", fixture.Postgres.Port, "async");
        await using (var client = new NpgsqlConnection(gateway.ProxyConnectionString("target", _token)))
        {
            await client.OpenAsync();
            await using var select = new NpgsqlCommand("SELECT 1", client);
            await select.ExecuteScalarAsync();
        }

        gateway.Lines.Should().NotContain(l => l.Contains(_token, StringComparison.Ordinal), "the operator supplied it; printing it would copy it into logs");
        gateway.Lines.Should().Contain(l => l.Contains("VIGIL_ADMIN_TOKEN (not shown)", StringComparison.Ordinal));
        File.Exists(Path.Combine(_data, "admin-token")).Should().BeFalse();

        var owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        File.GetUnixFileMode(_data).Should().Be(owner | UnixFileMode.UserExecute);
        var files = Directory.GetFiles(_data, "*", SearchOption.AllDirectories);
        files.Select(Path.GetFileName).Should().Contain(["vigil.db", "vigil.db-wal", "vigil.db-shm", "master.key", "server.key", "server.crt"]);
        foreach (var file in files)
        {
            File.GetUnixFileMode(file).Should().Be(owner, file);
        }
        foreach (var directory in Directory.GetDirectories(_data, "*", SearchOption.AllDirectories))
        {
            File.GetUnixFileMode(directory).Should().Be(owner | UnixFileMode.UserExecute, directory);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met within 20 s");
            }
            await Task.Delay(50);
        }
    }
}
