using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vigil.Analysis;
using Vigil.Analysis.Providers;
using Vigil.Tests.Fixtures;
using Xunit.Abstractions;

namespace Vigil.Tests.Analysis.Providers;

public sealed class ProviderFailureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Timeout_bounds_the_exchange(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.Responder = _ => FakeLlmReply.Hang();
        // Long enough that the first request reaches the fake even on a cold, loaded machine (a 500 ms bound once
        // expired inside the SDK before anything was sent), so "not retried" is what is measured.
        var timeout = TimeSpan.FromMilliseconds(2000);

        var watch = Stopwatch.StartNew();
        var error = await ClassifyFailsAsync(fake, provider, timeout);
        watch.Stop();

        output.WriteLine($"{provider}: timeout 2000 ms, returned after {watch.ElapsedMilliseconds} ms");
        error.Message.Should().Be("provider timed out after 2000 ms");
        watch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1900)).And.BeLessThan(TimeSpan.FromMilliseconds(5000));
        fake.Requests.Should().ContainSingle("a timeout is not retried");
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Caller_cancellation_is_not_reported_as_a_timeout(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.Responder = _ => FakeLlmReply.Hang();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var classify = () => ProviderWires.Create(fake, provider).ClassifyAsync(ProviderWires.Request(), s_timeout, cancel.Token);

        await classify.Should().ThrowAsync<OperationCanceledException>();
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Refused_connection_names_the_host(string provider)
    {
        var port = ClosedPort();
        var url = provider == "azure-openai" ? $"http://127.0.0.1:{port}/openai/deployments/x" : $"http://127.0.0.1:{port}";
        var risk = RiskProviderFactory.Create(new ProviderSettings(provider, ProviderWires.Model, ProviderWires.ApiKey, url), TimeProvider.System);

        var watch = Stopwatch.StartNew();
        var classify = () => risk.ClassifyAsync(ProviderWires.Request(), s_timeout, CancellationToken.None);
        var error = (await classify.Should().ThrowAsync<ProviderException>()).Which;

        error.Message.Should().StartWith($"cannot reach provider at 127.0.0.1:{port}: ");
        error.Message.Should().NotContain(ProviderWires.ApiKey);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3), "a refused connection is not retried");
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Server_error_is_reported_with_the_providers_message(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.Responder = _ => FakeLlmReply.Error(500, "The server had an error while processing your request.");

        var error = await ClassifyFailsAsync(fake, provider, s_timeout);

        error.Message.Should().Be("provider returned HTTP 500: The server had an error while processing your request.");
        fake.Requests.Should().ContainSingle("5xx is not retried");
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Non_json_error_body_is_quoted_as_a_short_excerpt(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.Responder = _ => FakeLlmReply.Status(503, "<html><body>" + new string('x', 1000) + "</body></html>");

        var error = await ClassifyFailsAsync(fake, provider, s_timeout);

        error.Message.Should().StartWith("provider returned HTTP 503: <html><body>xxx");
        error.Message.Length.Should().BeLessThan(260);
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Unauthorized_never_echoes_the_key(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        // A provider that quotes the key back (OpenAI quotes a masked form; a proxy might quote all of it).
        fake.Responder = _ => FakeLlmReply.Error(401, $"Incorrect API key provided: {ProviderWires.ApiKey}. Also {ProviderWires.ApiKey[..12]}****{ProviderWires.ApiKey[^4..]}");

        var error = await ClassifyFailsAsync(fake, provider, s_timeout);

        error.Message.Should().StartWith("provider returned HTTP 401: Incorrect API key provided: ***");
        AssertNoKey(error);
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Rate_limit_is_retried_once_after_Retry_After(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.RespondInOrder(
            FakeLlmReply.Error(429, "Rate limit reached", retryAfter: "1"),
            FakeLlmReply.Verdict(RiskLevel.High, "Drops a table", "Irreversible schema destruction."));

        var verdict = await ProviderWires.Create(fake, provider).ClassifyAsync(ProviderWires.Request(), s_timeout, CancellationToken.None);

        verdict.Level.Should().Be(RiskLevel.High);
        fake.Requests.Should().HaveCount(2);
        var waited = fake.Requests[1].ReceivedAt - fake.Requests[0].ReceivedAt;
        output.WriteLine($"{provider}: Retry-After 1, second request {waited.TotalMilliseconds:F0} ms after the first");
        // Upper bounds in this class only separate "honored the header" from "waited something else" (30 s, a
        // backoff): a loaded CI machine once took 1.9 s for a 1 s wait, so they leave seconds of room.
        waited.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950)).And.BeLessThan(TimeSpan.FromMilliseconds(5000));
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Rate_limit_honors_retry_after_ms_and_http_dates(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.RespondInOrder(
            FakeLlmReply.Error(429, "Rate limit reached").WithHeader("retry-after-ms", "300").WithHeader("Retry-After", "30"),
            FakeLlmReply.Verdict(RiskLevel.Low, "Reads one row", "Scoped read."));

        var verdict = await ProviderWires.Create(fake, provider).ClassifyAsync(ProviderWires.Request(), TimeSpan.FromSeconds(5), CancellationToken.None);

        verdict.Level.Should().Be(RiskLevel.Low);
        var waited = fake.Requests[1].ReceivedAt - fake.Requests[0].ReceivedAt;
        waited.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(280)).And.BeLessThan(TimeSpan.FromMilliseconds(5000));
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Timeout_counts_the_retry_wait(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.RespondInOrder(FakeLlmReply.Error(429, "Rate limit reached", retryAfter: "1"), FakeLlmReply.Hang());

        // The timeout leaves room for a slow first exchange on a cold, loaded machine: the 1 s wait always fits,
        // the retried request always reaches the server, and only its hang can use up the rest.
        var watch = Stopwatch.StartNew();
        var error = await ClassifyFailsAsync(fake, provider, TimeSpan.FromMilliseconds(3000));
        watch.Stop();

        output.WriteLine($"{provider}: 429 + Retry-After 1 then hang, timeout 3000 ms, returned after {watch.ElapsedMilliseconds} ms");
        error.Message.Should().Be("provider timed out after 3000 ms");
        watch.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(2900)).And.BeLessThan(TimeSpan.FromMilliseconds(6000));
        fake.Requests.Should().HaveCount(2);
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Second_rate_limit_is_an_error(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.Responder = _ => FakeLlmReply.Error(429, "Rate limit reached", retryAfter: "0");

        var error = await ClassifyFailsAsync(fake, provider, s_timeout);

        error.Message.Should().StartWith("provider is rate limiting (HTTP 429), again after one retry");
        fake.Requests.Should().HaveCount(2);
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Retry_After_beyond_the_timeout_fails_at_once(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.Responder = _ => FakeLlmReply.Error(429, "Rate limit reached", retryAfter: "30");

        var watch = Stopwatch.StartNew();
        var error = await ClassifyFailsAsync(fake, provider, TimeSpan.FromSeconds(5));
        watch.Stop();

        output.WriteLine($"{provider}: Retry-After 30 with a 5 s timeout failed after {watch.ElapsedMilliseconds} ms: {error.Message}");
        error.Message.Should().StartWith("provider is rate limiting (HTTP 429), retry after 30000 ms does not fit in the remaining");
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
        fake.Requests.Should().ContainSingle();
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Retry_after_an_http_date_waits_until_then(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        // HTTP-dates have whole seconds: 3 s ahead of the answer means a wait of 2 to 3 s. The date is taken when the
        // fake answers, not when the test starts, so a slow first exchange on a loaded machine does not shorten it.
        var calls = 0;
        fake.Responder = _ => Interlocked.Increment(ref calls) == 1
            ? FakeLlmReply.Error(429, "Slow down", retryAfter: DateTimeOffset.UtcNow.AddSeconds(3).ToString("r", System.Globalization.CultureInfo.InvariantCulture))
            : FakeLlmReply.Verdict(RiskLevel.Medium, "Locks table", "Takes an exclusive lock.");

        var verdict = await ProviderWires.Create(fake, provider).ClassifyAsync(ProviderWires.Request(), s_timeout, CancellationToken.None);

        verdict.Level.Should().Be(RiskLevel.Medium);
        var waited = fake.Requests[1].ReceivedAt - fake.Requests[0].ReceivedAt;
        // The upper bound leaves the retried request time to reach the fake on a loaded machine.
        waited.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1900)).And.BeLessThan(TimeSpan.FromMilliseconds(4500));
    }

    public static TheoryData<string, string> MalformedAnswers()
    {
        var data = new TheoryData<string, string>();
        foreach (var provider in new[] { "openai", "azure-openai", "custom", "anthropic" })
        {
            foreach (var kind in new[] { "no-call", "text", "unknown-tool", "bad-json", "not-object", "missing-title", "empty-explanation", "conflicting" })
            {
                data.Add(provider, kind);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedAnswers))]
    public async Task Malformed_tool_calls_are_errors(string provider, string kind)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        var (reply, expected) = kind switch
        {
            "no-call" => (FakeLlmReply.ToolCalls(), "the model made no tool call"),
            "text" => (FakeLlmReply.Text("This looks safe to me."), "the model answered with text instead of a tool call: This looks safe to me."),
            "unknown-tool" => (FakeLlmReply.ToolCall("NoRiskAISessionAnalyzer", """{"title":"x","explanation":"y"}"""), "the model called an unknown tool: NoRiskAISessionAnalyzer"),
            "bad-json" => (FakeLlmReply.ToolCall("LowRiskAISessionAnalyzer", """{"title": "Read","""), "the model called LowRiskAISessionAnalyzer with arguments that are not"),
            "not-object" => (FakeLlmReply.ToolCall("LowRiskAISessionAnalyzer", "[1,2]"), "the model called LowRiskAISessionAnalyzer with arguments that are not a JSON object"),
            "missing-title" => (FakeLlmReply.ToolCall("HighRiskAISessionAnalyzer", """{"explanation":"Drops data."}"""), "the model called HighRiskAISessionAnalyzer without \"title\""),
            "empty-explanation" => (FakeLlmReply.ToolCall("HighRiskAISessionAnalyzer", """{"title":"Drop","explanation":"  "}"""), "the model called HighRiskAISessionAnalyzer with \"explanation\" that is not a non-empty string"),
            _ => (FakeLlmReply.ToolCalls(
                    ("LowRiskAISessionAnalyzer", """{"title":"Read","explanation":"Fine."}"""),
                    ("HighRiskAISessionAnalyzer", """{"title":"Drop","explanation":"Bad."}""")),
                "the model made conflicting calls: LowRiskAISessionAnalyzer and HighRiskAISessionAnalyzer"),
        };
        fake.Responder = _ => reply;

        var error = await ClassifyFailsAsync(fake, provider, s_timeout);

        error.Message.Should().StartWith(expected);
        fake.Requests.Should().ContainSingle("a bad answer is not retried");
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Repeated_calls_of_the_same_tool_are_accepted(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.Responder = _ => FakeLlmReply.ToolCalls(
            ("MediumRiskAISessionAnalyzer", """{"title":"First","explanation":"One."}"""),
            ("MediumRiskAISessionAnalyzer", """{"title":"Second","explanation":"Two."}"""));

        var verdict = await ProviderWires.Create(fake, provider).ClassifyAsync(ProviderWires.Request(), s_timeout, CancellationToken.None);

        verdict.Should().Be(new ProviderVerdict(RiskLevel.Medium, "First", "One.", null, 120, 18));
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Unreadable_success_body_is_an_error(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        fake.Responder = _ => FakeLlmReply.Status(200, "<html>captive portal</html>");

        var error = await ClassifyFailsAsync(fake, provider, s_timeout);

        error.Message.Should().StartWith("provider answered with a response that could not be read");
    }

    [Theory]
    [MemberData(nameof(ProviderWires.All), MemberType = typeof(ProviderWires))]
    public async Task Key_is_in_no_failure_message(string provider)
    {
        await using var fake = await FakeLlmProvider.StartAsync(ProviderWires.WireOf(provider));
        var replies = new[]
        {
            FakeLlmReply.Error(400, "bad request for key " + ProviderWires.ApiKey),
            FakeLlmReply.Status(502, ProviderWires.ApiKey),
            FakeLlmReply.Error(429, "limited " + ProviderWires.ApiKey, retryAfter: "60"),
            FakeLlmReply.Text("your key is " + ProviderWires.ApiKey),
            FakeLlmReply.ToolCall(ProviderWires.ApiKey, "{}"),
        };
        foreach (var reply in replies)
        {
            fake.Responder = _ => reply;
            AssertNoKey(await ClassifyFailsAsync(fake, provider, s_timeout));
        }
    }

    private static async Task<ProviderException> ClassifyFailsAsync(FakeLlmProvider fake, string provider, TimeSpan timeout)
    {
        var classify = () => ProviderWires.Create(fake, provider).ClassifyAsync(ProviderWires.Request(), timeout, CancellationToken.None);
        return (await classify.Should().ThrowAsync<ProviderException>()).Which;
    }

    private static void AssertNoKey(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            e.Message.Should().NotContain(ProviderWires.ApiKey).And.NotContain(ProviderWires.ApiKey[..12]);
            e.ToString().Should().NotContain(ProviderWires.ApiKey);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
