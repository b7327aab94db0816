using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Vigil.Connections;
using Vigil.Tests.Adapters.Http;
using Vigil.Tests.Cli;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Connections;

/// <summary>
/// <c>POST /api/connections/{name}/test</c> (and <c>vigil connections test</c>) against real targets of every type: the
/// fixture's PostgreSQL, a Kestrel HTTP service (also behind a self-signed TLS front), a server speaking the Kubernetes
/// API's wire format, Debian's sshd. Each success and the realistic failures come back as 200 with <c>ok</c>, the
/// failure kind and a readable message that never carries a secret; only admins may test; every test is audited.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ConnectivityTests(GatewayFixture gateway) : IAsyncLifetime
{
    private const string WrongToken = "wrong-cluster-token-4c1d9e";

    private SshdTarget _sshd = null!;
    private HttpUpstream _http = null!;
    private FakeKubernetesApi _cluster = null!;

    public async Task InitializeAsync()
    {
        var sshd = SshdTarget.StartAsync();
        var http = HttpUpstream.StartAsync();
        var cluster = FakeKubernetesApi.StartAsync();
        (_sshd, _http, _cluster) = (await sshd, await http, await cluster);
    }

    public async Task DisposeAsync()
    {
        await _sshd.DisposeAsync();
        await _http.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Postgres_login_wrong_password_closed_port_and_untrusted_certificate_each_say_what_happened()
    {
        var reached = await TestAsync("pg");
        var overTls = await TestAsync("pg-require");
        var wrongPassword = await TestAsync("pg-wrong-password");
        var closed = await TestAsync("unreachable");
        var untrusted = await TestAsync("pg-verify-untrusted");

        reached["ok"]!.GetValue<bool>().Should().BeTrue(reached.ToJsonString());
        reached["type"]!.GetValue<string>().Should().Be("postgres");
        reached["target"]!.GetValue<string>().Should().MatchRegex(@"^PostgreSQL \d+");
        reached["message"]!.GetValue<string>().Should().Be($"Connected: {reached["target"]}.");
        reached["failure"].Should().BeNull();
        overTls["ok"]!.GetValue<bool>().Should().BeTrue(overTls.ToJsonString());
        Failure(wrongPassword).Should().Be("authentication");
        wrongPassword["message"]!.GetValue<string>().Should().StartWith("Connection test failed: ").And.Contain("28P01").And.NotContain("not-the-password");
        wrongPassword["target"].Should().BeNull();
        Failure(closed).Should().Be("unreachable");
        closed["message"]!.GetValue<string>().Should().NotContain("unreachable-Secret-pw");
        Failure(untrusted).Should().Be("tls", "verify-full without the test server's CA cannot trust its self-signed certificate");
        foreach (var result in new[] { reached, wrongPassword, closed, untrusted })
        {
            result["elapsed_ms"]!.GetValue<long>().Should().BeInRange(0, 10_000);
            result.ToJsonString().Should().NotContain(GatewayFixture.AppPassword);
        }
    }

    [Fact]
    public async Task Http_answers_any_status_with_the_connections_credentials_and_fails_on_a_closed_port_or_an_untrusted_certificate()
    {
        var name = await _http.RegisterAsync(gateway);
        await using var front = await TlsFront.StartAsync(_http.Url);
        var untrustedName = await CreateAsync(new { name = Identities.Unique("tls"), type = "http", url = front.Url, headers = new Dictionary<string, string> { ["X-Api-Key"] = HttpUpstream.Secret } });
        var trustedName = await CreateAsync(new { name = Identities.Unique("tls"), type = "http", url = front.Url, certificate_authority = front.CertificatePem });
        var closedName = await CreateAsync(new { name = Identities.Unique("web"), type = "http", url = "http://127.0.0.1:1/v1" });

        var reached = await TestAsync(name);
        var untrusted = await TestAsync(untrustedName);
        var trusted = await TestAsync(trustedName);
        var closed = await TestAsync(closedName);

        reached["ok"]!.GetValue<bool>().Should().BeTrue(reached.ToJsonString());
        reached["target"]!.GetValue<string>().Should().Be("HTTP 404 Not Found", "any HTTP answer means the service is reachable");
        reached["message"]!.GetValue<string>().Should().Be("Connected: HTTP 404 Not Found.");
        _http.Requests.Should().Contain(
            r => r.Method == "GET" && r.PathAndQuery == "/base/" && r.Headers.GetValueOrDefault("X-Api-Key") == HttpUpstream.Secret,
            "the base URL is what /proxy/{connection}/ forwards to, and the test sends the connection's credentials as the proxy does");
        Failure(untrusted).Should().Be("tls");
        untrusted["message"]!.GetValue<string>().Should().Contain("certificate_authority");
        trusted["ok"]!.GetValue<bool>().Should().BeTrue(trusted.ToJsonString());
        trusted["target"]!.GetValue<string>().Should().Be("HTTP 404 Not Found");
        Failure(closed).Should().Be("unreachable");
        foreach (var result in new[] { reached, untrusted, trusted, closed })
        {
            result.ToJsonString().Should().NotContain(HttpUpstream.Secret);
        }
    }

    [Fact]
    public async Task Kubernetes_reports_the_server_version_and_a_refused_token_as_authentication()
    {
        var good = await _cluster.RegisterAsync(gateway);
        var wrong = await CreateAsync(new { name = Identities.Unique("kube"), type = "kubernetes", url = _cluster.Url, token = WrongToken });

        var reached = await TestAsync(good);
        var refused = await TestAsync(wrong);

        reached["ok"]!.GetValue<bool>().Should().BeTrue(reached.ToJsonString());
        reached["type"]!.GetValue<string>().Should().Be("kubernetes");
        reached["target"]!.GetValue<string>().Should().Be("Kubernetes v1.32.0");
        Failure(refused).Should().Be("authentication");
        refused["message"]!.GetValue<string>().Should().Contain("401 Unauthorized").And.Contain("GET /version");
        _cluster.Requests.Should().Contain("GET /version");
        reached.ToJsonString().Should().NotContain(FakeKubernetesApi.ClusterToken);
        refused.ToJsonString().Should().NotContain(WrongToken);
    }

    [Fact]
    public async Task Kubernetes_with_a_client_certificate_is_reached_over_mutual_tls_and_another_certificate_is_refused()
    {
        var (serverCertificate, serverKey) = Vigil.Adapters.Postgres.ServerCertificate.CreateSelfSigned("localhost", TimeSpan.FromDays(1));
        var (clientCertificate, clientKey) = ClientCertificate("vigil-gateway");
        var (otherCertificate, otherKey) = ClientCertificate("someone-else");
        using var trusted = X509Certificate2.CreateFromPem(clientCertificate);
        await using var cluster = await MutualTlsApiAsync(serverCertificate, serverKey, trusted.Thumbprint);
        var good = await CreateAsync(new
        {
            name = Identities.Unique("kube"), type = "kubernetes", url = cluster.Url, client_certificate = clientCertificate, client_key = clientKey,
            certificate_authority = serverCertificate,
        });
        var other = await CreateAsync(new
        {
            name = Identities.Unique("kube"), type = "kubernetes", url = cluster.Url, client_certificate = otherCertificate, client_key = otherKey,
            certificate_authority = serverCertificate,
        });

        var reached = await TestAsync(good);
        var refused = await TestAsync(other);

        reached["ok"]!.GetValue<bool>().Should().BeTrue(reached.ToJsonString());
        reached["target"]!.GetValue<string>().Should().Be("Kubernetes v1.33.1");
        Failure(refused).Should().Be("authentication");
        foreach (var result in new[] { reached, refused })
        {
            result.ToJsonString().Should().NotContain(clientKey.Split('\n')[1]).And.NotContain(otherKey.Split('\n')[1]);
        }
    }

    [Fact]
    public async Task A_target_that_echoes_the_credentials_back_has_them_replaced_in_the_result()
    {
        // A hostile (or merely odd) API server whose version string is the Authorization header it received.
        var app = LoopbackServer.Create();
        app.MapGet("/version", (HttpContext http) => Results.Json(new { gitVersion = "v1 " + http.Request.Headers.Authorization.ToString() }));
        await app.StartAsync();
        try
        {
            var name = await CreateAsync(new { name = Identities.Unique("kube"), type = "kubernetes", url = LoopbackServer.Address(app), token = WrongToken });

            var result = await TestAsync(name);

            result["ok"]!.GetValue<bool>().Should().BeTrue(result.ToJsonString());
            result["target"]!.GetValue<string>().Should().Be("Kubernetes v1 Bearer ***");
            result.ToJsonString().Should().NotContain(WrongToken);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task Ssh_logs_in_with_the_pinned_host_key_and_reports_a_wrong_pin_a_refused_key_and_a_closed_port()
    {
        var (_, otherHostKey) = await _sshd.GenerateKeyAsync("-t", "ed25519");
        var (unknownClientKey, _) = await _sshd.GenerateKeyAsync("-t", "ed25519");
        var good = await _sshd.RegisterAsync(gateway);
        var wrongPin = await _sshd.RegisterAsync(gateway, new() { ["host_key"] = otherHostKey });
        var wrongKey = await _sshd.RegisterAsync(gateway, new() { ["private_key"] = unknownClientKey });
        var closed = await _sshd.RegisterAsync(gateway, new() { ["port"] = 1 });

        var reached = await TestAsync(good);
        var mismatch = await TestAsync(wrongPin);
        var refused = await TestAsync(wrongKey);
        var unreachable = await TestAsync(closed);

        reached["ok"]!.GetValue<bool>().Should().BeTrue(reached.ToJsonString());
        var fingerprint = _sshd.Connection("x").Ssh!.Pin.Fingerprint;
        reached["target"]!.GetValue<string>().Should().MatchRegex(@"^SSH-2\.0-OpenSSH_\S+")
            .And.EndWith($", host key {fingerprint}, login by publickey");
        Failure(mismatch).Should().Be("host_key_mismatch");
        mismatch["message"]!.GetValue<string>().Should().Contain($"got {fingerprint}");
        Failure(refused).Should().Be("authentication");
        Failure(unreachable).Should().Be("unreachable");
        if (_sshd.PasswordWorks)
        {
            var byPassword = await TestAsync(await _sshd.RegisterAsync(gateway, new() { ["private_key"] = null, ["password"] = SshdTarget.Password }));
            var wrongPassword = await TestAsync(await _sshd.RegisterAsync(gateway, new() { ["private_key"] = null, ["password"] = "not-the-ssh-password" }));
            byPassword["target"]!.GetValue<string>().Should().EndWith("login by password", byPassword.ToJsonString());
            Failure(wrongPassword).Should().Be("authentication");
            (byPassword.ToJsonString() + wrongPassword.ToJsonString()).Should().NotContain(SshdTarget.Password).And.NotContain("not-the-ssh-password");
        }
        foreach (var result in new[] { reached, mismatch, refused, unreachable })
        {
            result.ToJsonString().Should().NotContain("PRIVATE KEY").And.NotContain(_sshd.Server.ClientPrivateKey.Split('\n')[1]).And.NotContain(unknownClientKey.Split('\n')[1]);
        }
    }

    [Fact]
    public async Task A_target_that_accepts_but_never_answers_times_out_within_the_bound_for_every_type()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var names = new[]
        {
            await CreateAsync(new { name = Identities.Unique("pg"), type = "postgres", host = "127.0.0.1", port, database = "d", username = "u", password = "silent-Secret-pw", ssl_mode = "disable" }),
            await CreateAsync(new { name = Identities.Unique("web"), type = "http", url = $"http://127.0.0.1:{port}" }),
            await _sshd.RegisterAsync(gateway, new() { ["port"] = port }),
        };
        var tester = gateway.App.Services.GetRequiredService<ConnectivityTester>();
        var repository = gateway.App.Services.GetRequiredService<ConnectionRepository>();

        foreach (var name in names)
        {
            var result = await tester.TestAsync((await repository.FindAsync(name, CancellationToken.None))!, TimeSpan.FromMilliseconds(300), CancellationToken.None);

            result.Ok.Should().BeFalse();
            result.Failure.Should().Be(ConnectivityFailure.Timeout, result.Message);
            result.ElapsedMs.Should().BeInRange(250, 5_000);
            result.Message.Should().StartWith("Connection test failed: ").And.NotContain("silent-Secret-pw");
        }
    }

    [Fact]
    public async Task Only_admins_may_test_an_unknown_connection_is_404_and_each_test_is_audited_with_its_outcome()
    {
        var standard = await gateway.CreateUserAsync([]);
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        using var asStandard = gateway.ClientFor(standard.Token);
        using var asAuditor = gateway.ClientFor(auditor.Token);

        (await asStandard.PostAsync("/api/connections/pg/test", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asAuditor.PostAsync("/api/connections/pg/test", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        using var unknown = await gateway.Http.PostAsync("/api/connections/no-such-connection/test", null);
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await unknown.Content.ReadAsStringAsync()).Should().Contain("connection 'no-such-connection' not found");
        await TestAsync("pg");
        await TestAsync("pg-wrong-password");

        var passed = await AuditAsync("pg");
        var failed = await AuditAsync("pg-wrong-password");
        passed["outcome"]!.GetValue<string>().Should().Be("success");
        passed["request"]!["ok"]!.GetValue<bool>().Should().BeTrue();
        failed["outcome"]!.GetValue<string>().Should().Be("failure", "the request went through but the target refused the credentials");
        failed["status_code"]!.GetValue<int>().Should().Be(200);
        failed["request"]!["failure"]!.GetValue<string>().Should().Be("authentication");
        failed["request"]!["message"]!.GetValue<string>().Should().Contain("28P01");
        failed.ToJsonString().Should().NotContain("not-the-password");
        var refusals = JsonNode.Parse(await gateway.Http.GetStringAsync(
            $"/api/audit/logs?action=test&resource_type=connections&resource=pg&actor={Uri.EscapeDataString(standard.Name)}"))!["data"]!.AsArray();
        refusals.Should().ContainSingle().Which!["status_code"]!.GetValue<int>().Should().Be(403);
    }

    [Fact]
    public async Task The_cli_prints_the_message_and_exits_1_when_the_target_failed()
    {
        using var cli = new CliRunner(gateway);

        var reached = await cli.RunAsync(["connections", "test", "pg"]);
        var refused = await cli.RunAsync(["connections", "test", "pg-wrong-password"]);
        var json = await cli.RunAsync(["connections", "test", "unreachable", "--json"]);
        var unknown = await cli.RunAsync(["connections", "test", "no-such-connection"]);

        reached.ExitCode.Should().Be(0, reached.Stderr);
        reached.Stdout.Should().MatchRegex(@"^Connected: PostgreSQL \d+.*\.\n$");
        refused.ExitCode.Should().Be(1);
        refused.Stdout.Should().BeEmpty();
        refused.Stderr.Should().StartWith("vigil: Connection test failed: ").And.Contain("28P01").And.NotContain("not-the-password");
        json.ExitCode.Should().Be(1);
        var parsed = JsonNode.Parse(json.Stdout)!;
        parsed["ok"]!.GetValue<bool>().Should().BeFalse();
        parsed["failure"]!.GetValue<string>().Should().Be("unreachable");
        unknown.ExitCode.Should().Be(1);
        unknown.Stderr.Should().StartWith("vigil: ").And.Contain("not found");
    }

    /// <summary>A client certificate (ECDSA P-256, EKU clientAuth, self-signed) and its key, PEM.</summary>
    private static (string Certificate, string Key) ClientCertificate(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// An API server that requires a client certificate (as one configured with <c>--client-ca-file</c>): <c>/version</c>
    /// answers 200 to the certificate with <paramref name="thumbprint"/> and 401 to any other.
    /// </summary>
    [Fact]
    public async Task A_patch_that_gives_a_new_secret_replaces_the_stored_one_for_every_type()
    {
        var kube = await _cluster.RegisterAsync(gateway);
        var web = await _http.RegisterAsync(gateway);
        var ssh = await _sshd.RegisterAsync(gateway);
        var (unknownClientKey, _) = await _sshd.GenerateKeyAsync("-t", "ed25519");

        (await gateway.Http.PatchAsJsonAsync($"/api/connections/{kube}", new { token = WrongToken })).EnsureSuccessStatusCode();
        (await gateway.Http.PatchAsJsonAsync($"/api/connections/{web}", new { headers = new Dictionary<string, string> { ["X-Api-Key"] = "rotated-key-81f2" } })).EnsureSuccessStatusCode();
        (await gateway.Http.PatchAsJsonAsync($"/api/connections/{ssh}", new { private_key = unknownClientKey })).EnsureSuccessStatusCode();

        Failure(await TestAsync(kube)).Should().Be("authentication", "the cluster refuses the rotated token, so it was sent");
        (await TestAsync(web))["ok"]!.GetValue<bool>().Should().BeTrue();
        _http.Requests.Last().Headers["X-Api-Key"].Should().Be("rotated-key-81f2");
        Failure(await TestAsync(ssh)).Should().Be("authentication", "sshd does not know the new key, so it was used");
        // A patch without secrets keeps the rotated ones.
        (await gateway.Http.PatchAsJsonAsync($"/api/connections/{web}", new { min_approvals = 2 })).EnsureSuccessStatusCode();
        (await TestAsync(web))["ok"]!.GetValue<bool>().Should().BeTrue();
        _http.Requests.Last().Headers["X-Api-Key"].Should().Be("rotated-key-81f2");
    }

    private static async Task<MutualTlsApi> MutualTlsApiAsync(string certificatePem, string keyPem, string thumbprint)
    {
        using var pem = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = certificate,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            // Self-signed client certificates: the handler decides by thumbprint, as an API server maps a certificate to a user.
            ClientCertificateValidation = (_, _, _) => true,
        })));
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        var app = builder.Build();
        app.MapGet("/version", (HttpContext http) => http.Connection.ClientCertificate?.Thumbprint == thumbprint
            ? Results.Json(new { major = "1", minor = "33", gitVersion = "v1.33.1" })
            : Results.Json(new { kind = "Status", apiVersion = "v1", status = "Failure", message = "Unauthorized", reason = "Unauthorized", code = 401 }, statusCode: 401));
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;
        return new MutualTlsApi(app, $"https://localhost:{port}");
    }

    private sealed record MutualTlsApi(WebApplication App, string Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    private async Task<JsonNode> TestAsync(string name)
    {
        using var response = await gateway.Http.PostAsync($"/api/connections/{name}/test", null);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        var result = JsonNode.Parse(text)!;
        result["name"]!.GetValue<string>().Should().Be(name);
        return result;
    }

    private async Task<string> CreateAsync(object body)
    {
        using var response = await gateway.Http.PostAsJsonAsync("/api/connections", body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.Created, text);
        return JsonNode.Parse(text)!["name"]!.GetValue<string>();
    }

    private static string? Failure(JsonNode result)
    {
        result["ok"]!.GetValue<bool>().Should().BeFalse(result.ToJsonString());
        return result["failure"]!.GetValue<string>();
    }

    /// <summary>The admin's newest <c>test</c> entry for <paramref name="connection"/>.</summary>
    private async Task<JsonNode> AuditAsync(string connection)
    {
        var page = JsonNode.Parse(await gateway.Http.GetStringAsync(
            $"/api/audit/logs?action=test&resource_type=connections&resource={connection}&actor={Uri.EscapeDataString(gateway.App.Services.GetRequiredService<Vigil.Hosting.GatewayOptions>().AdminEmail)}&page_size=1"))!;
        return page["data"]!.AsArray().Should().ContainSingle().Subject!;
    }
}
