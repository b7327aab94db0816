using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// <c>/proxy/{connection}/…</c> for an <c>http</c> connection, driven by .NET's HttpClient and curl against a real
/// Kestrel service: forwarding, credential swap, refusals, reviews, streaming, limits and path safety.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class HttpProxyTests(GatewayFixture gateway) : IAsyncLifetime
{
    private HttpUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await HttpUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    private HttpClient Client(string? token = GatewayFixture.Token) => gateway.ClientFor(token);

    [Fact]
    public async Task A_connection_change_applies_from_the_next_request_in_a_new_session()
    {
        var connection = await _upstream.RegisterAsync(gateway);
        using var client = Client();
        (await client.GetAsync($"/proxy/{connection}/echo/before")).EnsureSuccessStatusCode();

        (await gateway.Http.PatchAsJsonAsync($"/api/connections/{connection}", new { headers = new Dictionary<string, string> { ["X-Api-Key"] = "rotated-3c9e" } }))
            .EnsureSuccessStatusCode();
        var retired = await gateway.LatestSessionAsync(connection);
        (await client.GetAsync($"/proxy/{connection}/echo/after")).EnsureSuccessStatusCode();

        _upstream.Requests.Last().Headers["X-Api-Key"].Should().Be("rotated-3c9e", "the session opened before the change held the old headers");
        retired.Status.Should().Be("done");
        retired.Events!.Where(e => e.Kind == "statement").Select(e => e.Text).Should().ContainSingle().Which.Should().StartWith("GET /echo/before");
        await gateway.FlushRecordingAsync();
        var page = await gateway.Http.GetFromJsonAsync<Vigil.Hosting.Paged<Vigil.Sessions.SessionView>>($"/api/sessions?connection={connection}&page_size=5", Vigil.Hosting.Api.Json);
        page!.Data.Should().HaveCount(2, "the request after the change opened a new session");
    }

    [Fact]
    public async Task A_get_and_a_json_post_reach_the_service_with_the_connection_header_instead_of_the_client_token()
    {
        var connection = await _upstream.RegisterAsync(gateway);
        using var client = Client();

        using var get = await client.GetAsync($"/proxy/{connection}/echo/items?limit=2&q=a%2Fb");
        var post = await client.PostAsJsonAsync($"/proxy/{connection}/echo/items", new { name = "widget", count = 3 });

        get.StatusCode.Should().Be(HttpStatusCode.OK);
        var echoed = JsonNode.Parse(await get.Content.ReadAsStringAsync())!;
        echoed["path"]!.GetValue<string>().Should().Be("/base/echo/items?limit=2&q=a%2Fb");
        post.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonNode.Parse(JsonNode.Parse(await post.Content.ReadAsStringAsync())!["body"]!.GetValue<string>())!["name"]!.GetValue<string>().Should().Be("widget");
        var received = _upstream.Requests.ToArray();
        received.Should().HaveCount(2);
        received.Should().OnlyContain(r => r.Headers["X-Api-Key"] == HttpUpstream.Secret && !r.Headers.ContainsKey("Authorization"));
        received.Select(r => string.Join("\n", r.Headers.Values)).Should().NotContain(h => h.Contains(GatewayFixture.Token, StringComparison.Ordinal));
        string.Join("\n", get.Headers.Concat(get.Content.Headers).SelectMany(h => h.Value)).Should().NotContain(HttpUpstream.Secret);
    }

    [Fact]
    public async Task Each_request_is_recorded_in_the_tokens_session_without_the_injected_header()
    {
        var connection = await _upstream.RegisterAsync(gateway);
        using var client = Client();

        (await client.GetAsync($"/proxy/{connection}/echo/one")).EnsureSuccessStatusCode();
        (await client.PostAsync($"/proxy/{connection}/echo/two", new StringContent("{\"a\":1}", Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        await gateway.FlushRecordingAsync();
        var page = JsonNode.Parse(await gateway.Http.GetStringAsync($"/api/sessions?connection={connection}"))!;
        page["data"]!.AsArray().Should().HaveCount(1, "requests of one token within the idle window share a session");
        var id = page["data"]![0]!["id"]!.GetValue<string>();
        var detail = await gateway.Http.GetStringAsync($"/api/sessions/{id}");
        detail.Should().NotContain(HttpUpstream.Secret).And.NotContain(GatewayFixture.Token);
        var events = JsonNode.Parse(detail)!["events"]!.AsArray().Where(e => e!["kind"]!.GetValue<string>() == "statement").ToList();
        events.Select(e => e!["text"]!.GetValue<string>()).Should().Equal("GET /echo/one", "POST /echo/two\n{\"a\":1}");
        events.Should().OnlyContain(e => e!["command_tag"]!.GetValue<string>() == "HTTP 200" && e["rows"]!.GetValue<long>() > 0 && e["duration_us"] != null);
        events[0]!["result"]!["rows"]![0]![0]!.GetValue<string>().Should().Contain("\"path\":\"/base/echo/one\"");
        var shown = await gateway.Http.GetStringAsync($"/api/connections/{connection}");
        shown.Should().NotContain(HttpUpstream.Secret);
        JsonNode.Parse(shown)!["header_names"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal("X-Api-Key");
    }

    [Fact]
    public async Task Curl_with_basic_auth_works_and_a_blocked_delete_gets_a_403_problem_that_never_reaches_the_service()
    {
        var connection = await _upstream.RegisterAsync(gateway);
        await gateway.CreateRuleAsync(connection);
        var url = $"{gateway.HttpAddress}/proxy/{connection}/echo/items/7";

        var get = await Processes.RunAsync("curl", ["-sS", "-u", $"me:{GatewayFixture.Token}", url]);
        var delete = await Processes.RunAsync("curl", ["-sS", "-X", "DELETE", "-H", $"Authorization: Bearer {GatewayFixture.Token}", "-w", "\n%{http_code} %{content_type}", url]);

        get.ExitCode.Should().Be(0, get.Stderr);
        get.Stdout.Should().Contain("/base/echo/items/7");
        var lines = delete.Stdout.Split('\n');
        lines[^1].Should().Be("403 application/problem+json");
        var problem = JsonNode.Parse(lines[0])!;
        problem["status"]!.GetValue<int>().Should().Be(403);
        problem["detail"]!.GetValue<string>().Should().StartWith("vigil: blocked by AI session analyzer: Irreversible delete");
        _upstream.Requests.Should().NotContain(r => r.Method == "DELETE");
        var session = await gateway.RecordedSessionAsync(connection);
        session.Events("blocked").Select(e => e["text"]!.GetValue<string>()).Should().Equal("DELETE /echo/items/7");
    }

    [Fact]
    public async Task A_request_that_needs_approval_runs_once_after_the_review_is_approved()
    {
        var connection = await _upstream.RegisterAsync(gateway);
        await gateway.CreateRuleAsync(connection, medium: "require_approval");
        var member = await gateway.CreateMemberAsync(connection);
        using var client = Client(member.Token);
        HttpRequestMessage Post() => new(HttpMethod.Post, $"/proxy/{connection}/echo/deploy") { Content = new StringContent("{\"version\":\"2\"}", Encoding.UTF8, "application/json") };

        using var first = await client.SendAsync(Post());
        first.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var problem = JsonNode.Parse(await first.Content.ReadAsStringAsync())!;
        var reviewId = problem["review"]!["id"]!.GetValue<string>();
        problem["detail"]!.GetValue<string>().Should().StartWith("vigil: approval required by AI session analyzer").And.Contain(reviewId);
        (await gateway.Http.PostAsJsonAsync($"/api/reviews/{reviewId}/approve", new { })).EnsureSuccessStatusCode();
        using var other = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/proxy/{connection}/echo/deploy") { Content = new StringContent("{\"version\":\"3\"}", Encoding.UTF8, "application/json") });
        using var approved = await client.SendAsync(Post());
        using var again = await client.SendAsync(Post());

        other.StatusCode.Should().Be(HttpStatusCode.Forbidden, "the approval binds the body too");
        approved.StatusCode.Should().Be(HttpStatusCode.OK);
        again.StatusCode.Should().Be(HttpStatusCode.Forbidden, "an approval lets the request through once");
        _upstream.Requests.Where(r => r.Method == "POST").Select(r => r.Body).Should().Equal("{\"version\":\"2\"}");
    }

    [Fact]
    public async Task An_email_in_a_json_response_is_masked_for_the_client_and_the_recording()
    {
        var connection = await _upstream.RegisterAsync(gateway);
        var rule = await gateway.Http.PostAsJsonAsync("/api/datamasking-rules", new
        {
            name = Identities.Unique("mask"), connection_names = new[] { connection },
            supported_entity_types = new object[] { new { name = "contact", entity_types = new[] { "EMAIL_ADDRESS" } } },
        });
        rule.IsSuccessStatusCode.Should().BeTrue(await rule.Content.ReadAsStringAsync());
        using var client = Client();

        var body = await client.GetStringAsync($"/proxy/{connection}/echo/people");

        var json = JsonNode.Parse(body)!;
        json["email"]!.GetValue<string>().Should().Be("<EMAIL_ADDRESS>");
        json["path"]!.GetValue<string>().Should().Be("/base/echo/people", "values without an entity stay as they are");
        var session = await gateway.RecordedSessionAsync(connection);
        session.Events("statement").Single()["result"]!["rows"]![0]![0]!.GetValue<string>().Should().Contain("\"email\":\"<EMAIL_ADDRESS>\"");
        session.ToJsonString().Should().NotContain("alice@example.com");
        session["masking_info"]!.ToJsonString().Should().Contain("EMAIL_ADDRESS");
    }

    [Fact]
    public async Task Without_a_valid_token_the_proxy_answers_401_and_forwards_nothing()
    {
        var connection = await _upstream.RegisterAsync(gateway);

        using var none = await Client(null).GetAsync($"/proxy/{connection}/echo/x");
        using var wrong = await Client("vgl_not_a_token").GetAsync($"/proxy/{connection}/echo/x");
        using var unknown = await Client().GetAsync("/proxy/no-such-connection/x");

        none.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        none.Headers.WwwAuthenticate.ToString().Should().Contain("Basic realm=\"vigil\"");
        wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        _upstream.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData("/proxy/{0}/../other/echo")]
    [InlineData("/proxy/{0}/echo/%2e%2e/%2e%2e/secret")]
    [InlineData("/proxy/{0}/echo/..%2F..%2Fsecret")]
    [InlineData("/proxy/{0}/echo/%252e%252e/secret")]
    [InlineData("/proxy/{0}/echo/..\\..\\secret")]
    [InlineData("/proxy/{0}/./echo")]
    public async Task A_path_that_tries_to_leave_the_connection_prefix_is_refused(string pattern)
    {
        var connection = await _upstream.RegisterAsync(gateway);
        var target = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, connection);

        var result = await Processes.RunAsync("curl", ["-sS", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", "-H", $"Authorization: Bearer {GatewayFixture.Token}", gateway.HttpAddress + target]);

        result.Stdout.Should().Be("400", result.Stderr);
        _upstream.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_streamed_response_reaches_the_client_before_the_service_has_finished()
    {
        var connection = await _upstream.RegisterAsync(gateway);
        using var client = Client();

        using var response = await client.GetAsync($"/proxy/{connection}/slow", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        _upstream.Release();
        var second = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));

        first.Should().Be("first");
        second.Should().Be("second");
    }

    [Fact]
    public async Task A_100_MB_download_streams_through_without_the_gateway_holding_it()
    {
        var connection = await _upstream.RegisterAsync(gateway);
        using var client = Client();
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0, total = 0;

        using var response = await client.GetAsync($"/proxy/{connection}/download?mb=100", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[256 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
            if (total % (8 * 1024 * 1024) < read)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false) - before);
            }
        }

        total.Should().Be(100L * 1024 * 1024);
        peak.Should().BeLessThan(48L * 1024 * 1024, "the gateway streams; it keeps only the recorded prefix");
        var session = await gateway.RecordedSessionAsync(connection);
        session.Events("statement").Single()["rows"]!.GetValue<long>().Should().Be(100L * 1024 * 1024);
    }

    [Fact]
    public async Task A_request_body_over_the_limit_is_refused_with_413_before_it_is_read()
    {
        var connection = await _upstream.RegisterAsync(gateway);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, new Uri(gateway.HttpAddress).Port);
        var stream = tcp.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /proxy/{connection}/upload HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {GatewayFixture.Token}\r\nContent-Type: application/octet-stream\r\nContent-Length: 10737418240\r\n\r\nxxxx"));
        var answer = await ReadHeadAsync(stream);

        answer.Should().StartWith("HTTP/1.1 413");
        _upstream.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_request_with_both_content_length_and_chunked_framing_is_not_forwarded_as_two_requests()
    {
        var connection = await _upstream.RegisterAsync(gateway);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, new Uri(gateway.HttpAddress).Port);
        var stream = tcp.GetStream();
        var smuggled = $"GET /base/echo/smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /proxy/{connection}/echo/front HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {GatewayFixture.Token}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{smuggled}"));
        await ReadHeadAsync(stream);
        await Task.Delay(300);

        _upstream.Requests.Should().NotContain(r => r.PathAndQuery.Contains("smuggled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_that_stops_reading_a_watch_holds_back_the_upstream_without_growing_the_gateway_or_blocking_others()
    {
        var connection = await _upstream.RegisterAsync(gateway);
        using var stalled = new TcpClient { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(IPAddress.Loopback, new Uri(gateway.HttpAddress).Port);
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        // The client asks for a watch, then never reads a byte of the answer.
        await stalled.GetStream().WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /proxy/{connection}/stream?watch=true HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {GatewayFixture.Token}\r\n\r\n"));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var afterStall = _upstream.Streamed;
        using var client = Client();
        using var other = await client.GetAsync($"/proxy/{connection}/echo/meanwhile").WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(2));

        afterStall.Should().BeGreaterThan(0, "the watch started");
        _upstream.Streamed.Should().BeLessThan(afterStall + 1024 * 1024, "once the buffers are full the stalled client holds the upstream back");
        afterStall.Should().BeLessThan(64L * 1024 * 1024, "only socket buffers sit between the upstream and the stalled client");
        (GC.GetTotalMemory(forceFullCollection: true) - before).Should().BeLessThan(32L * 1024 * 1024, "the gateway does not queue what the client does not read");
        other.StatusCode.Should().Be(HttpStatusCode.OK, "one stalled client does not hold up others");
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET /proxy/x/y HTTP/9.9\r\nHost: gw\r\n\r\n")]
    [InlineData("GET /proxy/x/y HTTP/1.1\r\nHost: gw\r\nno colon in this header\r\n\r\n")]
    [InlineData("GET /proxy/x/\u0001y HTTP/1.1\r\nHost: gw\r\n\r\n")]
    public async Task A_malformed_request_is_answered_400_and_the_gateway_keeps_serving(string request)
    {
        var connection = await _upstream.RegisterAsync(gateway);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, new Uri(gateway.HttpAddress).Port);
        var stream = tcp.GetStream();

        await stream.WriteAsync(Encoding.Latin1.GetBytes(request
            .Replace("/proxy/x/", $"/proxy/{connection}/", StringComparison.Ordinal)
            .Replace("Host: gw\r\n", $"Host: gw\r\nAuthorization: Bearer {GatewayFixture.Token}\r\n", StringComparison.Ordinal)));
        var answer = await ReadHeadAsync(stream);
        using var client = Client();
        using var after = await client.GetAsync($"/proxy/{connection}/echo/after");

        answer.Should().MatchRegex("^HTTP/1.1 (400|505) ");
        after.StatusCode.Should().Be(HttpStatusCode.OK);
        _upstream.Requests.Select(r => r.PathAndQuery).Should().Equal("/base/echo/after");
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new byte[4096];
        var text = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!text.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return text.ToString();
    }
}
