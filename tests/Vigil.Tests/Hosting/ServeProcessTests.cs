using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Hosting;

/// <summary>
/// The README's start command for real: <c>vigil serve --demo</c> as a process on free ports, a psql session against
/// the demo connection, then SIGINT. A second start on the same data directory must find every recorded statement
/// (clean shutdown loses nothing) and must not print the token again.
/// </summary>
public sealed class ServeProcessTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "vigil-serve-" + Guid.NewGuid().ToString("N")[..8]);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class Gateway(Process process, List<string> lines) : IAsyncDisposable
    {
        public List<string> Lines { get; } = lines;

        public async Task<int> InterruptAsync()
        {
            using var kill = Process.Start("kill", ["-INT", process.Id.ToString()])!;
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            return process.ExitCode;
        }

        public ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Starts <c>vigil serve</c>; returns once stdout shows <paramref name="waitFor"/> (null: at once).</summary>
    private async Task<Gateway> StartAsync(int httpPort, int pgPort, bool demo, string? waitFor, params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Processes.VigilDll, "serve", "--data", _data, "--http-listen", $"127.0.0.1:{httpPort}", "--pg-listen", $"127.0.0.1:{pgPort}", "--ssh-listen", "off" }.Concat(extra))
        {
            start.ArgumentList.Add(a);
        }
        if (demo)
        {
            start.ArgumentList.Add("--demo");
        }
        var process = Process.Start(start)!;
        var lines = new List<string>();
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (lines)
            {
                lines.Add(e.Data);
            }
            if (waitFor is not null && e.Data.Contains(waitFor, StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitFor is not null)
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(90));
        }
        return new Gateway(process, lines);
    }

    [Fact]
    public async Task Serve_demo_prints_addresses_and_token_serves_psql_and_shuts_down_cleanly()
    {
        var (httpPort, pgPort) = (FreePort(), FreePort());
        string token;
        int demoPort;
        await using (var gateway = await StartAsync(httpPort, pgPort, demo: true, waitFor: "demo connection ready"))
        {
            gateway.Lines.Should().Contain($"vigil: HTTP API on http://127.0.0.1:{httpPort}");
            gateway.Lines.Should().Contain($"vigil: PostgreSQL proxy on 127.0.0.1:{pgPort}");
            token = (await File.ReadAllTextAsync(Path.Combine(_data, "admin-token"))).Trim();
            token.Should().StartWith("vgl_");
            gateway.Lines.Should().Contain(l => l.Contains("bootstrap admin token") && l.EndsWith(token));
            File.GetUnixFileMode(Path.Combine(_data, "admin-token")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(Path.Combine(_data, "master.key")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            // The console can be signed in to at once: a first-start password, shown once and kept 0600 beside the token.
            var password = (await File.ReadAllTextAsync(Path.Combine(_data, "admin-password"))).Trim();
            password.Should().HaveLength(20);
            File.GetUnixFileMode(Path.Combine(_data, "admin-password")).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            gateway.Lines.Should().Contain(l => l.StartsWith($"vigil: web console on http://127.0.0.1:{httpPort}/ (sign in as admin@vigil.local with the password shown once") && l.EndsWith(password + ")"));
            using (var browser = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") })
            {
                var login = await browser.PostAsJsonAsync("/api/localauth/login", new { email = "admin@vigil.local", password });
                login.StatusCode.Should().Be(HttpStatusCode.OK, await login.Content.ReadAsStringAsync());
            }

            var psql = await Processes.RunAsync("psql",
                [$"postgresql://me:{token}@127.0.0.1:{pgPort}/demo?sslmode=disable", "-X", "-A", "-t",
                 "-c", "select count(*) from customers", "-c", "select count(*) from orders where customer_id is not null", "-c", "select count(*) from audit_log"]);
            psql.ExitCode.Should().Be(0, psql.Stderr);
            psql.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().Equal("10", "50", "1");
            using (var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") })
            {
                api.DefaultRequestHeaders.Authorization = new("Bearer", token);
                demoPort = JsonNode.Parse(await api.GetStringAsync("/api/connections/demo"))!["port"]!.GetValue<int>();
            }
            (await gateway.InterruptAsync()).Should().Be(0);
        }

        using (var probe = new TcpClient())
        {
            var connect = () => probe.ConnectAsync(IPAddress.Loopback, demoPort);
            await connect.Should().ThrowAsync<SocketException>("the demo PostgreSQL stops on exit");
        }
        Directory.Exists(Path.Combine(_data, "demo-pg")).Should().BeFalse("the demo cluster lives outside the 0700 data directory");

        await using var again = await StartAsync(httpPort, pgPort, demo: false, waitFor: "admin token");
        again.Lines.Should().NotContain(l => l.Contains(token), "the token is shown once");
        again.Lines.Should().Contain(l => l.Contains($"with the first-start password in {Path.Combine(_data, "admin-password")})"));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var page = JsonNode.Parse(await http.GetStringAsync("/api/sessions?connection=demo&type=connect"))!;
        var id = page["data"]![0]!["id"]!.GetValue<string>();
        var session = JsonNode.Parse(await http.GetStringAsync($"/api/sessions/{id}"))!;
        session["status"]!.GetValue<string>().Should().Be("done");
        session["events"]!.AsArray().Select(e => e!["text"]!.GetValue<string>())
            .Should().Contain(["select count(*) from customers", "select count(*) from orders where customer_id is not null", "select count(*) from audit_log"]);
        (await again.InterruptAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Serve_demo_with_https_serves_the_demo_http_connection_over_both_listeners()
    {
        var (httpPort, pgPort, httpsPort) = (FreePort(), FreePort(), FreePort());
        await using var gateway = await StartAsync(httpPort, pgPort, demo: true, waitFor: "demo HTTP service ready", "--https-listen", $"127.0.0.1:{httpsPort}");
        var token = (await File.ReadAllTextAsync(Path.Combine(_data, "admin-token"))).Trim();
        var certificate = Path.Combine(_data, "tls", "server.crt");
        using var pem = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificate));
        var fingerprint = string.Join(':', pem.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256).Chunk(2).Select(p => new string(p)));

        var plain = await Processes.RunAsync("curl", ["-sS", "-H", $"Authorization: Bearer {token}", $"http://127.0.0.1:{httpPort}/proxy/demo-http/customers"]);
        var tls = await Processes.RunAsync("curl", ["-sS", "--cacert", certificate, "-u", $"me:{token}", $"https://127.0.0.1:{httpsPort}/proxy/demo-http/customers/2"]);

        gateway.Lines.Should().Contain($"vigil: HTTPS on https://127.0.0.1:{httpsPort} (self-signed certificate {certificate}, SHA-256 fingerprint {fingerprint})");
        gateway.Lines.Should().Contain(l => l.StartsWith("vigil: demo HTTP service ready: curl ", StringComparison.Ordinal) && l.EndsWith($"http://127.0.0.1:{httpPort}/proxy/demo-http/customers", StringComparison.Ordinal));
        plain.Stdout.Should().Contain("alice.martin@example.com", plain.Stderr);
        tls.Stdout.Should().Contain("bob.chen@example.com", tls.Stderr);
        (await gateway.InterruptAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Healthz_answers_200_only_once_the_demo_connection_exists()
    {
        var (httpPort, pgPort) = (FreePort(), FreePort());
        await using var gateway = await StartAsync(httpPort, pgPort, demo: true, waitFor: null);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(5) };
        var answers = new List<HttpStatusCode>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the gateway becomes ready");
            try
            {
                using var response = await http.GetAsync("/healthz");
                answers.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
                response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
                JsonNode.Parse(await response.Content.ReadAsStringAsync())!["waiting_for"]!.AsArray().Should().NotBeEmpty();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting to answer within the client's timeout.
            }
            await Task.Delay(20);
        }
        // The README's next step, at once: the demo connection must exist now.
        var token = (await File.ReadAllTextAsync(Path.Combine(_data, "admin-token"))).Trim();
        var psql = await Processes.RunAsync("psql", [$"postgresql://me:{token}@127.0.0.1:{pgPort}/demo?sslmode=disable", "-X", "-A", "-t", "-c", "select count(*) from customers"]);
        psql.ExitCode.Should().Be(0, psql.Stderr);
        psql.Stdout.Trim().Should().Be("10");
        answers.Should().Contain(HttpStatusCode.ServiceUnavailable, "the demo database takes a while to start, and healthz said so meanwhile");
        (await gateway.InterruptAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_port_in_use_is_a_one_line_error_and_exit_code_1()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var pgPort = ((IPEndPoint)taken.LocalEndpoint).Port;
        var result = await Processes.RunAsync("dotnet",
            [Processes.VigilDll, "serve", "--data", _data, "--http-listen", $"127.0.0.1:{FreePort()}", "--pg-listen", $"127.0.0.1:{pgPort}", "--ssh-listen", "off"]);
        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Contain($"vigil: cannot listen on").And.Contain($"127.0.0.1:{pgPort} (PostgreSQL)");
    }

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
}
