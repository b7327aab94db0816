using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;

namespace Vigil.Tests.Hosting;

/// <summary>
/// <c>vigil serve</c> as a real process on free ports over a given data directory, with <c>VIGIL_ADMIN_TOKEN</c> set so
/// the test knows the admin's token; ready once <c>/healthz</c> answers. <see cref="Kill"/> is <c>kill -9</c>.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    private ServeProcess(Process process, string token, int httpPort, int pgPort)
    {
        _process = process;
        PgPort = pgPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public HttpClient Http { get; }

    public int PgPort { get; }

    /// <summary>Everything the process printed (stdout and stderr) so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Starts <c>vigil serve</c> (with <paramref name="extra"/> arguments, e.g. <c>--demo</c>) and waits until it is ready.</summary>
    public static async Task<ServeProcess> StartAsync(string dataDirectory, string token, params string[] extra)
    {
        var (httpPort, pgPort) = (FreePort(), FreePort());
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[Fixtures.Processes.VigilDll, "serve", "--data", dataDirectory, "--http-listen", $"127.0.0.1:{httpPort}", "--pg-listen", $"127.0.0.1:{pgPort}", "--ssh-listen", "127.0.0.1:0", .. extra])
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["VIGIL_ADMIN_TOKEN"] = token;
        var gateway = new ServeProcess(Process.Start(start)!, token, httpPort, pgPort);
        void Collect(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (gateway._lines)
                {
                    gateway._lines.Add(e.Data);
                }
            }
        }
        gateway._process.OutputDataReceived += Collect;
        gateway._process.ErrorDataReceived += Collect;
        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                // The banner comes after the listeners started; /healthz alone may answer before the PostgreSQL listener is up.
                if ((await gateway.Http.GetAsync("/healthz")).IsSuccessStatusCode && gateway.Lines.Any(l => l.Contains("admin token", StringComparison.Ordinal)))
                {
                    return gateway;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (gateway._process.HasExited || DateTime.UtcNow > deadline)
            {
                await gateway.DisposeAsync();
                throw new InvalidOperationException("vigil serve did not start:\n" + string.Join('\n', gateway.Lines));
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Registers a connection to a test PostgreSQL.</summary>
    public async Task CreateConnectionAsync(string name, int port, string recording)
    {
        var response = await Http.PostAsJsonAsync("/api/connections", new
        {
            name, type = "postgres", host = "127.0.0.1", port, database = "app", username = "app",
            password = Fixtures.GatewayFixture.AppPassword, ssl_mode = "disable", recording,
        });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    /// <summary>An Npgsql connection string to connection <paramref name="name"/> through this gateway.</summary>
    public string ProxyConnectionString(string name, string token) =>
        $"Host=127.0.0.1;Port={PgPort};Database={name};Username=tester;Password={token};SSL Mode=Disable;Pooling=false;Server Compatibility Mode=NoTypeLoading";

    /// <summary>SIGKILL: no shutdown code runs, the recorder's queue is lost with the process.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
        Http.Dispose();
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
