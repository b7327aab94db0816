using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using Vigil.Demo;
using Vigil.Hosting;
using Vigil.Pipeline;
using Vigil.Adapters.Postgres;
using Vigil.Sessions;

namespace Vigil.Tests.Fixtures;

/// <summary>
/// One real PostgreSQL (SCRAM, MD5 and cleartext users; TLS on) and one in-process gateway on free ports, shared by
/// the integration tests. The gateway gets two extra pipeline stages, <see cref="MarkerBlockStage"/> to prove that
/// refusals reach every adapter, and <see cref="MarkerResultStage"/> to prove that results pass the result stages.
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string Token = "vgl_test_admin_token_0123456789abcdefghijklmnop";
    public const string AppPassword = "app-Secret-pw-4f1c";
    public const string Md5Password = "md5-Secret-pw-9a2d";
    public const string ClearPassword = "clear-Secret-pw-77be";
    public const string SuperuserPassword = "super-Secret-pw-1d0e";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "vigil-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public LocalPostgres Postgres { get; private set; } = null!;
    public string CertificatePem { get; private set; } = "";
    public WebApplication App { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string HttpAddress { get; private set; } = "";
    public int PgPort { get; private set; }
    public string DataDirectory => Path.Combine(_root, "data");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        var (certificate, key) = ServerCertificate.CreateSelfSigned("localhost", TimeSpan.FromDays(2));
        CertificatePem = certificate;
        Postgres = await LocalPostgres.StartAsync(
            new LocalPostgresOptions(
                Path.Combine(_root, "pg"), SuperuserPassword,
                ["host all md5user 127.0.0.1/32 md5", "host all clearuser 127.0.0.1/32 password"],
                certificate, key),
            CancellationToken.None);
        await SeedAsync();

        var options = new GatewayOptions
        {
            DataDirectory = DataDirectory,
            HttpListen = "127.0.0.1:0",
            PgListen = "127.0.0.1:0",
            SshListen = "127.0.0.1:0",
            AdminToken = Token,
            StartupTimeout = TimeSpan.FromSeconds(5), // room for a cold JVM (JDBC tests) on a loaded machine; the slowloris test waits 10 s
            ExecStatementTimeout = TimeSpan.FromSeconds(2),
            MaxMessageSize = 1024 * 1024,
            LoginAttemptsPerAddress = 10_000, // every test logs in from 127.0.0.1; LoginRateLimitTests checks the limits on its own gateway
        };
        App = GatewayHost.Build(options, services => services.AddSingleton<IInputStage, MarkerBlockStage>().AddSingleton<IResultStage, MarkerResultStage>());
        await GatewayHost.BootstrapAsync(App, CancellationToken.None);
        await App.StartAsync();
        HttpAddress = GatewayHost.HttpAddress(App);
        PgPort = App.Services.GetRequiredService<PgListener>().Endpoint!.Port;
        Http = new HttpClient { BaseAddress = new Uri(HttpAddress) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);

        await RegisterAsync("pg", "app", AppPassword, "disable");
        await RegisterAsync("pg-md5", "md5user", Md5Password, "disable");
        await RegisterAsync("pg-clear", "clearuser", ClearPassword, "disable");
        await RegisterAsync("pg-prefer", "app", AppPassword, "prefer");
        await RegisterAsync("pg-require", "app", AppPassword, "require");
        await RegisterAsync("pg-verify", "app", AppPassword, "verify-full", CertificatePem);
        await RegisterAsync("pg-verify-untrusted", "app", AppPassword, "verify-full");
        await RegisterAsync("pg-wrong-password", "app", "not-the-password", "disable");
        var response = await Http.PostAsJsonAsync("/api/connections", new
        {
            name = "unreachable", type = "postgres", host = "127.0.0.1", port = 1, database = "app", username = "app",
            password = "unreachable-Secret-pw", ssl_mode = "disable",
        });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>A connection string to the gateway's PostgreSQL listener for connection <paramref name="connection"/>.</summary>
    public string ProxyConnectionString(string connection = "pg", string extra = "") =>
        $"Host=127.0.0.1;Port={PgPort};Database={connection};Username=tester;Password={Token};SSL Mode=Disable;Pooling=false;{extra}";

    /// <summary>A direct (superuser) connection string to the test PostgreSQL.</summary>
    public string DirectConnectionString(string database = "app") =>
        $"Host=127.0.0.1;Port={Postgres.Port};Database={database};Username=postgres;Password={SuperuserPassword};Pooling=false";

    /// <summary>Waits until the recorder wrote everything enqueued so far.</summary>
    public Task FlushRecordingAsync() => App.Services.GetRequiredService<SessionRecorder>().FlushAsync(CancellationToken.None);

    /// <summary>
    /// The newest session of <paramref name="connection"/> (optionally of a type), with its events, once it has closed
    /// (a client's disconnect is recorded asynchronously, a moment after the client returns).
    /// </summary>
    public async Task<SessionView> LatestSessionAsync(string connection, string type = "connect")
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await FlushRecordingAsync();
            var page = await Http.GetFromJsonAsync<Paged<SessionView>>($"/api/sessions?connection={connection}&type={type}&page_size=1", Vigil.Hosting.Api.Json);
            var id = page!.Data.Single().Id;
            var session = (await Http.GetFromJsonAsync<SessionView>($"/api/sessions/{id}", Vigil.Hosting.Api.Json))!;
            if (session.Status != "open" || DateTime.UtcNow > deadline)
            {
                return session;
            }
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Postgres.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task RegisterAsync(string name, string user, string password, string sslMode, string? rootCert = null)
    {
        var response = await Http.PostAsJsonAsync("/api/connections", new
        {
            name, type = "postgres", host = "127.0.0.1", port = Postgres.Port, database = "app", username = user, password,
            ssl_mode = sslMode, ssl_root_cert = rootCert,
        });
        response.EnsureSuccessStatusCode();
    }

    private async Task SeedAsync()
    {
        await using (var connection = new NpgsqlConnection(DirectConnectionString("postgres")))
        {
            await connection.OpenAsync();
            foreach (var sql in new[]
            {
                $"CREATE ROLE app LOGIN PASSWORD '{AppPassword}'",
                "SET password_encryption = 'md5'",
                $"CREATE ROLE md5user LOGIN PASSWORD '{Md5Password}'",
                "SET password_encryption = 'scram-sha-256'",
                $"CREATE ROLE clearuser LOGIN PASSWORD '{ClearPassword}'",
                "CREATE DATABASE app OWNER app",
            })
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
            }
        }
        await using var app = new NpgsqlConnection(DirectConnectionString());
        await app.OpenAsync();
        await using var seed = new NpgsqlCommand(
            """
            GRANT ALL ON SCHEMA public TO md5user, clearuser;
            CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, payload bytea);
            INSERT INTO items SELECT i, 'item ' || i, decode(md5(i::text), 'hex') FROM generate_series(1, 100) i;
            GRANT ALL ON items TO app, md5user, clearuser;
            """, app);
        await seed.ExecuteNonQueryAsync();
    }
}

/// <summary>Blocks any command containing <see cref="Marker"/>: a real stage plugged into the pipeline.</summary>
public sealed class MarkerBlockStage : IInputStage
{
    public const string Marker = "vigil_test_block_marker";

    public ValueTask<Decision> CheckAsync(Command command, CancellationToken cancellationToken) =>
        ValueTask.FromResult(command.Input.Contains(Marker, StringComparison.Ordinal) ? Decision.Block("blocked by the test policy") : Decision.Allow);
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
