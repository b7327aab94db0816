using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Vigil.Hosting;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// The gateway's own HTTPS listener (<c>--https-listen</c>) with its self-signed certificate: the server info names it
/// and its certificate, <c>vigil kubeconfig</c> (no <c>--server</c>) writes that https address with the certificate as
/// <c>certificate-authority-data</c>, and the real kubectl works against it with no TLS front in between.
/// </summary>
public sealed class HttpsListenerTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "vigil-https-" + Guid.NewGuid().ToString("N")[..8]);
    private WebApplication _gateway = null!;
    private FakeKubernetesApi _cluster = null!;
    private HttpClient _api = null!;
    private string _httpAddress = "";

    private string DataDirectory => Path.Combine(_root, "data");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        _cluster = await FakeKubernetesApi.StartAsync();
        _gateway = GatewayHost.Build(new GatewayOptions
        {
            DataDirectory = DataDirectory, HttpListen = "127.0.0.1:0", HttpsListen = "127.0.0.1:0", PgListen = "127.0.0.1:0", SshListen = "127.0.0.1:0", AdminToken = GatewayFixture.Token,
        });
        await GatewayHost.BootstrapAsync(_gateway, CancellationToken.None);
        await _gateway.StartAsync();
        _httpAddress = GatewayHost.HttpAddress(_gateway);
        _api = new HttpClient { BaseAddress = new Uri(_httpAddress) };
        _api.DefaultRequestHeaders.Authorization = new("Bearer", GatewayFixture.Token);
        (await _api.PostAsJsonAsync("/api/connections", new { name = "prod", type = "kubernetes", url = _cluster.Url, token = FakeKubernetesApi.ClusterToken }))
            .EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        await _cluster.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Serverinfo_names_the_https_listener_as_the_public_url_with_its_self_signed_certificate()
    {
        var info = JsonNode.Parse(await _api.GetStringAsync("/api/serverinfo"))!;
        var https = GatewayHost.HttpsAddress(_gateway)!;

        https.Should().StartWith("https://127.0.0.1:");
        info["public_url"]!.GetValue<string>().Should().Be(https.TrimEnd('/'));
        info["https_url"]!.GetValue<string>().Should().Be(https.TrimEnd('/'));
        var pem = info["https_certificate_authority"]!.GetValue<string>();
        pem.Should().Be(await File.ReadAllTextAsync(Path.Combine(DataDirectory, "tls", "server.crt")));
        // curl trusts exactly that certificate and reaches the same endpoints over TLS.
        var ca = Path.Combine(_root, "ca.pem");
        await File.WriteAllTextAsync(ca, pem);
        var health = await Processes.RunAsync("curl", ["-sS", "--cacert", ca, https + "/healthz"]);
        health.Stdout.Should().Contain("\"ok\"", health.Stderr);
        var untrusted = await Processes.RunAsync("curl", ["-sS", https + "/healthz"]);
        untrusted.ExitCode.Should().NotBe(0, "the certificate is self-signed: a client must be given it");
    }

    [Fact]
    public async Task Kubectl_reaches_the_gateways_own_tls_with_the_kubeconfig_vigil_writes()
    {
        var home = Path.Combine(_root, "home");
        Directory.CreateDirectory(home);
        var kubeconfig = Path.Combine(home, "config");
        var written = await Processes.RunAsync("dotnet", [Processes.VigilDll, "kubeconfig", "prod", "--merge"], new Dictionary<string, string>
        {
            ["VIGIL_GATEWAY_URL"] = _httpAddress,
            ["VIGIL_TOKEN"] = GatewayFixture.Token,
            ["KUBECONFIG"] = kubeconfig,
        });
        written.ExitCode.Should().Be(0, written.Stderr);
        written.Stderr.Should().NotContain("warning", "the server written is https");
        var config = await File.ReadAllTextAsync(kubeconfig);
        config.Should().Contain($"server: {GatewayHost.HttpsAddress(_gateway)!.TrimEnd('/')}/proxy/prod").And.Contain("certificate-authority-data:");

        var pods = await Processes.RunAsync(
            "kubectl", ["--cache-dir", Path.Combine(home, "cache"), "--request-timeout", "20s", "get", "pods", "-n", "default"],
            new Dictionary<string, string> { ["KUBECONFIG"] = kubeconfig, ["HOME"] = home }, timeout: TimeSpan.FromSeconds(60));

        pods.ExitCode.Should().Be(0, pods.Stderr);
        pods.Stdout.Should().Contain("web-1");
        _cluster.Requests.Should().Contain("GET /api/v1/namespaces/default/pods?limit=500&timeout=20s");
    }

    [Fact]
    public void The_fingerprint_is_the_sha256_of_the_certificate_in_openssls_notation()
    {
        var listener = _gateway.Services.GetRequiredService<HttpsListener>();
        using var certificate = X509Certificate2.CreateFromPem(listener.CertificatePem);

        listener.SelfSigned.Should().BeTrue();
        listener.Fingerprint.Replace(":", "", StringComparison.Ordinal).Should().Be(certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256));
        listener.Fingerprint.Should().MatchRegex("^([0-9A-F]{2}:){31}[0-9A-F]{2}$");
    }
}
