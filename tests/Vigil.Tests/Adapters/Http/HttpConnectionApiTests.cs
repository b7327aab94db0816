using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Vigil.Adapters.Postgres;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// <c>/api/connections</c> for types <c>http</c> and <c>kubernetes</c>: validation naming the field, secrets write-only
/// (shown as names and flags, kept across PUT and PATCH, encrypted in the store).
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class HttpConnectionApiTests(GatewayFixture gateway)
{
    private const string HeaderSecret = "hdr-secret-value-81c4e2";
    private const string TokenSecret = "kube-token-secret-0b9d77";

    [Theory]
    [InlineData("{\"name\":\"h1\",\"type\":\"http\"}", "missing field 'url'")]
    [InlineData("{\"name\":\"h1\",\"type\":\"http\",\"url\":\"ftp://example.com\"}", "field 'url'")]
    [InlineData("{\"name\":\"h1\",\"type\":\"http\",\"url\":\"https://user:pw@example.com\"}", "field 'url' may not carry user info")]
    [InlineData("{\"name\":\"h1\",\"type\":\"http\",\"url\":\"https://example.com/?a=1\"}", "field 'url' may not carry user info, a query")]
    [InlineData("{\"name\":\"h1\",\"type\":\"http\",\"url\":\"https://example.com\",\"headers\":{\"Bad Name\":\"v\"}}", "field 'headers': 'Bad Name' is not a header name")]
    [InlineData("{\"name\":\"h1\",\"type\":\"http\",\"url\":\"https://example.com\",\"headers\":{\"Host\":\"evil\"}}", "field 'headers': 'Host' is set by the gateway")]
    [InlineData("{\"name\":\"h1\",\"type\":\"http\",\"url\":\"https://example.com\",\"headers\":{\"X-Key\":\"" + HeaderSecret + "\\r\\nX-Evil: 1\"}}", "field 'headers': the value of 'X-Key'")]
    [InlineData("{\"name\":\"h1\",\"type\":\"http\",\"url\":\"https://example.com\",\"password\":\"pw\"}", "fields 'password', 'database' and 'username' do not apply")]
    [InlineData("{\"name\":\"h1\",\"type\":\"postgres\",\"host\":\"h\",\"database\":\"d\",\"username\":\"u\",\"url\":\"https://example.com\"}", "apply to http and kubernetes connections only")]
    [InlineData("{\"name\":\"k1\",\"type\":\"kubernetes\",\"url\":\"https://k\",\"token\":\"t\",\"client_certificate\":\"x\",\"client_key\":\"y\"}", "field 'token': give either")]
    [InlineData("{\"name\":\"k1\",\"type\":\"kubernetes\",\"url\":\"https://k\",\"client_certificate\":\"x\"}", "field 'client_certificate' needs 'client_key'")]
    [InlineData("{\"name\":\"k1\",\"type\":\"kubernetes\",\"url\":\"https://k\",\"client_certificate\":\"x\",\"client_key\":\"y\"}", "must be a PEM certificate and its PEM private key")]
    [InlineData("{\"name\":\"k1\",\"type\":\"kubernetes\",\"url\":\"https://k\",\"certificate_authority\":\"not pem\"}", "field 'certificate_authority'")]
    [InlineData("{\"name\":\"k1\",\"type\":\"kubernetes\",\"url\":\"https://k\",\"token\":\"two words\"}", "field 'token'")]
    public async Task Invalid_http_and_kubernetes_bodies_are_400_naming_the_field_and_never_echo_a_secret(string body, string expected)
    {
        using var response = await gateway.Http.PostAsync("/api/connections", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode.Parse(text)!["detail"]!.GetValue<string>().Should().Contain(expected);
        text.Should().NotContain(HeaderSecret);
    }

    [Fact]
    public async Task Secrets_are_shown_as_names_and_flags_kept_across_put_and_patch_and_encrypted_in_the_store()
    {
        var http = Identities.Unique("api");
        var kube = Identities.Unique("kube");
        (await gateway.Http.PostAsJsonAsync("/api/connections", new
        {
            name = http, type = "http", url = "https://api.example.com/v1/", headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + HeaderSecret, ["X-Tenant"] = "t1" },
        })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await gateway.Http.PostAsJsonAsync("/api/connections", new { name = kube, type = "kubernetes", url = "https://k8s.example.com:6443", token = TokenSecret }))
            .StatusCode.Should().Be(HttpStatusCode.Created);

        (await gateway.Http.PutAsJsonAsync($"/api/connections/{http}", new { type = "http", url = "https://api.example.com/v2" })).EnsureSuccessStatusCode();
        (await gateway.Http.PatchAsJsonAsync($"/api/connections/{kube}", new { insecure_skip_tls_verify = true })).EnsureSuccessStatusCode();

        var shownHttp = await gateway.Http.GetStringAsync($"/api/connections/{http}");
        var shownKube = await gateway.Http.GetStringAsync($"/api/connections/{kube}");
        var list = await gateway.Http.GetStringAsync("/api/connections?page_size=1000");
        foreach (var text in new[] { shownHttp, shownKube, list })
        {
            text.Should().NotContain(HeaderSecret).And.NotContain(TokenSecret);
        }
        var h = JsonNode.Parse(shownHttp)!;
        h["url"]!.GetValue<string>().Should().Be("https://api.example.com/v2");
        h["header_names"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("Authorization", "X-Tenant");
        h["ssl_mode"]!.GetValue<string>().Should().Be("verify-full");
        var k = JsonNode.Parse(shownKube)!;
        k["has_token"]!.GetValue<bool>().Should().BeTrue();
        k["insecure_skip_tls_verify"]!.GetValue<bool>().Should().BeTrue();
        k["port"]!.GetValue<int>().Should().Be(6443);
        // Neither the connection rows nor the audit log (which keeps request bodies, secrets redacted) hold them in clear.
        await Task.Delay(200);
        var leaks = Directory.GetFiles(gateway.DataDirectory, "vigil.db*")
            .Where(f => File.ReadAllText(f, Encoding.Latin1) is var s && (s.Contains(HeaderSecret, StringComparison.Ordinal) || s.Contains(TokenSecret, StringComparison.Ordinal)));
        leaks.Should().BeEmpty();
        JsonNode.Parse(await gateway.Http.GetStringAsync("/api/connections/pg"))!.AsObject().ContainsKey("url").Should().BeFalse("postgres connections carry no HTTP fields");
    }

    [Fact]
    public async Task A_kubernetes_connection_takes_a_client_certificate_with_its_key_and_refuses_a_key_of_another()
    {
        var (certificate, key) = ServerCertificate.CreateSelfSigned("vigil-client", TimeSpan.FromDays(1));
        var (_, otherKey) = ServerCertificate.CreateSelfSigned("other", TimeSpan.FromDays(1));

        var good = await gateway.Http.PostAsJsonAsync("/api/connections", new
        {
            name = Identities.Unique("kube"), type = "kubernetes", url = "https://k8s.example.com", client_certificate = certificate, client_key = key, certificate_authority = certificate,
        });
        var bad = await gateway.Http.PostAsJsonAsync("/api/connections", new
        {
            name = Identities.Unique("kube"), type = "kubernetes", url = "https://k8s.example.com", client_certificate = certificate, client_key = otherKey,
        });

        good.StatusCode.Should().Be(HttpStatusCode.Created);
        var shown = JsonNode.Parse(await good.Content.ReadAsStringAsync())!;
        shown["has_client_certificate"]!.GetValue<bool>().Should().BeTrue();
        shown["has_client_key"]!.GetValue<bool>().Should().BeTrue();
        shown["has_certificate_authority"]!.GetValue<bool>().Should().BeTrue();
        shown.ToJsonString().Should().NotContain("PRIVATE KEY");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.Content.ReadAsStringAsync()).Should().NotContain("PRIVATE KEY");
    }

    [Fact]
    public async Task A_postgres_client_naming_an_http_connection_is_refused_with_where_to_reach_it()
    {
        var name = Identities.Unique("web");
        (await gateway.Http.PostAsJsonAsync("/api/connections", new { name, type = "http", url = "http://127.0.0.1:1" })).EnsureSuccessStatusCode();
        await using var connection = new Npgsql.NpgsqlConnection(gateway.ProxyConnectionString(name));

        var open = async () => await connection.OpenAsync();

        (await open.Should().ThrowAsync<Npgsql.PostgresException>()).Which.MessageText.Should().Be(
            $"vigil: connection \"{name}\" is of type http, not postgres; HTTP and Kubernetes connections are reached at /proxy/{name}/ on the gateway's HTTP listener");
    }
}
