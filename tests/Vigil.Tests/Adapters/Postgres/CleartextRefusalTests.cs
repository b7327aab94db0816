using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Vigil.Hosting;
using Vigil.Adapters.Postgres;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Postgres;

/// <summary>
/// Cleartext tokens from non-loopback addresses, on a gateway of its own listening on every address so the client can
/// reach it through the machine's non-loopback address (the listener then sees that address, not 127.0.0.1).
/// </summary>
public sealed class CleartextRefusalTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "vigil-cleartext-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly GatewayOptions _options;
    private WebApplication _app = null!;

    public CleartextRefusalTests()
    {
        _options = new GatewayOptions { DataDirectory = _data, HttpListen = "127.0.0.1:0", PgListen = "0.0.0.0:0", SshListen = "127.0.0.1:0", AdminToken = GatewayFixture.Token };
    }

    public async Task InitializeAsync()
    {
        _app = GatewayHost.Build(_options);
        await GatewayHost.BootstrapAsync(_app, CancellationToken.None);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Jdbc_over_tls_connects_with_scram_while_scram_plus_is_offered()
    {
        // Over TLS the gateway offers SCRAM-SHA-256-PLUS first; this JDBC driver does not bind and must still get in.
        // (On this gateway, whose startup timeout leaves a cold JVM time for its first TLS handshake.)
        var port = _app.Services.GetRequiredService<PgListener>().Endpoint!.Port;
        using var http = new HttpClient { BaseAddress = new Uri(GatewayHost.HttpAddress(_app)) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.Token);
        var created = (await (await http.PostAsJsonAsync("/api/tokens", new { name = "jdbc" })).Content.ReadFromJsonAsync<JsonObject>())!;
        var dir = Directory.CreateTempSubdirectory("vigil-jdbc-");
        try
        {
            var source = await TokenOnTheWireTests.WriteJdbcProbeAsync(dir.FullName);
            var result = await Processes.RunAsync("java",
                ["-cp", TokenOnTheWireTests.JdbcJar, source, $"jdbc:postgresql://127.0.0.1:{port}/nowhere?sslmode=require",
                    created["id"]!.GetValue<string>(), created["token"]!.GetValue<string>()]);

            result.Stderr.Should().Contain("connection \"nowhere\" does not exist", "authentication passed; the session then has no connection");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [NonLoopbackFact]
    public async Task Cleartext_from_a_non_loopback_address_is_refused_unless_tls_scram_or_allowed()
    {
        var port = _app.Services.GetRequiredService<PgListener>().Endpoint!.Port;
        using var http = new HttpClient { BaseAddress = new Uri(GatewayHost.HttpAddress(_app)) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.Token);
        var created = (await (await http.PostAsJsonAsync("/api/tokens", new { name = "wire" })).Content.ReadFromJsonAsync<JsonObject>())!;
        var (token, tokenId) = (created["token"]!.GetValue<string>(), created["id"]!.GetValue<string>());
        Task<Processes.Result> PsqlAsync(string user, string sslMode) => Processes.RunAsync("psql",
            [$"postgresql://{user}@{NonLoopbackFactAttribute.Address}:{port}/nowhere?sslmode={sslMode}", "-X", "-c", "SELECT 1"],
            new Dictionary<string, string> { ["PGPASSWORD"] = token });
        const string authenticated = "connection \"nowhere\" does not exist"; // authentication passed; the session then has no connection

        var refused = await PsqlAsync("someone", "disable");
        refused.ExitCode.Should().NotBe(0);
        refused.Stderr.Should().Contain("cleartext password authentication is refused on an unencrypted connection")
            .And.Contain("sslmode=require").And.Contain("SCRAM");

        (await PsqlAsync("someone", "require")).Stderr.Should().Contain(authenticated, "TLS protects the cleartext token");
        (await PsqlAsync(tokenId, "disable")).Stderr.Should().Contain(authenticated, "SCRAM never sends the token");

        _options.AllowCleartextPassword = true;
        (await PsqlAsync("someone", "disable")).Stderr.Should().Contain(authenticated, "--allow-cleartext-password lets it through");
    }
}

/// <summary>A fact that needs a non-loopback IPv4 address on this machine; skipped when there is none.</summary>
public sealed class NonLoopbackFactAttribute : FactAttribute
{
    public NonLoopbackFactAttribute()
    {
        if (Address is null)
        {
            Skip = "this machine has no non-loopback IPv4 address";
        }
    }

    /// <summary>The first non-loopback IPv4 address of an interface that is up, or null.</summary>
    public static IPAddress? Address { get; } = NetworkInterface.GetAllNetworkInterfaces()
        .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(i => i.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}
