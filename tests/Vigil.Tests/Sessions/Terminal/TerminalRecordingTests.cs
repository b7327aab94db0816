using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Vigil.Pipeline;
using Vigil.Sessions;
using Vigil.Sessions.Terminal;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Sessions.Terminal;

/// <summary>
/// Terminal recordings through the real recorder, store and API: asciicast v2 as served by
/// <c>GET /api/sessions/{id}/terminal</c>, coalescing, the cap, masking of output, UTF-8 split across writes, and who
/// may download a cast. The sessions are real sessions opened through the pipeline.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TerminalRecordingTests(GatewayFixture gateway)
{
    private TerminalRecorder Recorder => gateway.App.Services.GetRequiredService<TerminalRecorder>();

    private async Task<SessionContext> OpenSessionAsync(string? connection = null)
    {
        var pipeline = gateway.App.Services.GetRequiredService<CommandPipeline>();
        var identity = await pipeline.IdentifyAsync(GatewayFixture.Token, CancellationToken.None);
        var (session, refusal) = await pipeline.OpenSessionAsync(
            identity!, connection ?? await gateway.CreateConnectionAsync([]), SessionType.Connect, null, "127.0.0.1:1", null, CancellationToken.None);
        refusal.Should().Be(SessionRefusal.None);
        return session!;
    }

    /// <summary>The cast's header and events, parsed.</summary>
    private async Task<(JsonObject Header, List<JsonArray> Events, string Text)> CastAsync(string sessionId, HttpClient? client = null)
    {
        var response = await (client ?? gateway.Http).GetAsync($"/api/sessions/{sessionId}/terminal");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/x-asciicast");
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (JsonNode.Parse(lines[0])!.AsObject(), lines.Skip(1).Select(l => JsonNode.Parse(l)!.AsArray()).ToList(), text);
    }

    [Fact]
    public async Task Output_input_and_resizes_replay_as_asciicast_v2_with_utf8_split_across_writes()
    {
        var session = await OpenSessionAsync();
        var recording = Recorder.Start(session, 100, 30, "xterm-256color");
        var hello = Encoding.UTF8.GetBytes("h\u00e9llo \u20ac ");
        recording.Output(hello.AsSpan(0, 2)); // "h" and the first byte of "é"
        recording.Output(hello.AsSpan(2, 6)); // the rest of "é", "llo " and the first byte of "€"
        recording.Output(hello.AsSpan(8));
        await Task.Delay(120);
        recording.Input("ls\r"u8);
        await Task.Delay(120);
        recording.Resize(120, 40);
        recording.Output("\x1b[1mbold\x1b[0m\r\n"u8);
        await recording.CompleteAsync();

        var (header, events, _) = await CastAsync(session.Id);
        header["version"]!.GetValue<int>().Should().Be(2);
        header["width"]!.GetValue<int>().Should().Be(100);
        header["height"]!.GetValue<int>().Should().Be(30);
        header["env"]!["TERM"]!.GetValue<string>().Should().Be("xterm-256color");
        header["timestamp"]!.GetValue<long>().Should().BeCloseTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 60);
        header["vigil"]!["bytes"]!.GetValue<long>().Should().Be(hello.Length + 3 + 14);
        header["vigil"]!["truncated"]!.GetValue<bool>().Should().BeFalse();
        events.Select(e => (e[1]!.GetValue<string>(), e[2]!.GetValue<string>())).Should().Equal(
            ("o", "h\u00e9llo \u20ac "), ("i", "ls\r"), ("r", "120x40"), ("o", "\x1b[1mbold\x1b[0m\r\n"));
        var times = events.Select(e => e[0]!.GetValue<double>()).ToList();
        times.Should().BeInAscendingOrder();
        (times[1] - times[0]).Should().BeGreaterThan(0.1, "each event keeps the time of its first write");
        header["duration"]!.GetValue<double>().Should().BeApproximately(times[^1], 0.000002);

        var view = await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/sessions/{session.Id}");
        view!["has_terminal"]!.GetValue<bool>().Should().BeTrue();
        var list = await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/sessions/{session.Id}/terminals");
        list!["data"]![0]!["width"]!.GetValue<int>().Should().Be(100);
        list["data"]![0]!["index"]!.GetValue<int>().Should().Be(1);
    }

    [Fact]
    public async Task A_busy_terminal_is_written_in_few_blocks_and_nothing_is_lost()
    {
        var session = await OpenSessionAsync();
        var recording = Recorder.Start(session, 80, 24, null);
        var expected = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            var b = (byte)('a' + (i % 26));
            recording.Output([b]);
            expected.Append((char)b);
        }
        await recording.CompleteAsync();

        var (header, events, _) = await CastAsync(session.Id);
        string.Concat(events.Select(e => e[2]!.GetValue<string>())).Should().Be(expected.ToString());
        events.Count.Should().BeLessThan(10, "20,000 one-byte writes within a window coalesce");
        header["env"]!.AsObject().Should().BeEmpty();
        var blocks = await gateway.App.Services.GetRequiredService<Vigil.Storage.SqliteStore>().OpenAsync(CancellationToken.None);
        await using (blocks)
        {
            using var count = blocks.CreateCommand();
            count.CommandText = "SELECT count(*) FROM session_terminal_chunks c JOIN session_terminals t ON t.id = c.terminal_id WHERE t.session_id = $id";
            count.Parameters.AddWithValue("$id", session.Id);
            ((long)count.ExecuteScalar()!).Should().BeLessThanOrEqualTo(3, "a block is written per 16 KiB, not per write");
        }
    }

    [Fact]
    public async Task Past_the_cap_the_recording_is_marked_truncated_and_keeps_counting_bytes()
    {
        var session = await OpenSessionAsync();
        var services = gateway.App.Services;
        var capped = new TerminalRecorder(
            services.GetRequiredService<SessionRecorder>(), services.GetServices<IResultStage>(), new TerminalOptions { MaxBytes = 1000 }, TimeProvider.System);
        var recording = capped.Start(session, 80, 24, "xterm");
        for (var i = 0; i < 100; i++)
        {
            recording.Output(Encoding.ASCII.GetBytes(new string('x', 99) + "\n"));
            await Task.Delay(i % 10 == 0 ? 60 : 0);
        }
        recording.Truncated.Should().BeTrue();
        await recording.CompleteAsync();

        var (header, events, text) = await CastAsync(session.Id);
        header["vigil"]!["truncated"]!.GetValue<bool>().Should().BeTrue();
        header["vigil"]!["bytes"]!.GetValue<long>().Should().Be(10_000);
        (Encoding.UTF8.GetByteCount(text) - Encoding.UTF8.GetByteCount(header.ToJsonString()) - 1).Should().BeLessThanOrEqualTo(1000);
        events.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Output_is_masked_before_it_is_recorded_even_when_a_value_spans_two_blocks()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var rule = await gateway.Http.PostAsJsonAsync("/api/datamasking-rules", new
        {
            name = Identities.Unique("mask"), connection_names = new[] { connection },
            supported_entity_types = new object[] { new { name = "contact", entity_types = new[] { "EMAIL_ADDRESS" } } },
        });
        rule.IsSuccessStatusCode.Should().BeTrue(await rule.Content.ReadAsStringAsync());
        var session = await OpenSessionAsync(connection);
        var recording = Recorder.Start(session, 80, 24, "xterm");

        recording.Output("owner: alice.smith@exa"u8);
        await Task.Delay(200); // the first block is written before the rest of the address arrives
        recording.Output("mple.com\r\n$ "u8);
        recording.Input("whoami\r"u8);
        await recording.CompleteAsync();

        var (_, events, text) = await CastAsync(session.Id);
        text.Should().NotContain("alice").And.NotContain("example.com");
        string.Concat(events.Where(e => e[1]!.GetValue<string>() == "o").Select(e => e[2]!.GetValue<string>()))
            .Should().Be("owner: <EMAIL_ADDRESS>\r\n$ ");
        var view = await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/sessions/{session.Id}");
        view!["masking_info"]!["EMAIL_ADDRESS"]!.GetValue<long>().Should().Be(1);
    }

    [Fact]
    public async Task Only_the_owner_auditors_and_admins_may_download_a_cast()
    {
        var session = await OpenSessionAsync();
        var recording = Recorder.Start(session, 80, 24, "xterm");
        recording.Output("secret output\r\n"u8);
        await recording.CompleteAsync();
        var stranger = await gateway.CreateUserAsync([]);
        using var strangerClient = gateway.ClientFor(stranger.Token);

        (await strangerClient.GetAsync($"/api/sessions/{session.Id}/terminal")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await strangerClient.GetAsync($"/api/sessions/{session.Id}/terminals")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.GetAsync($"/api/sessions/{session.Id}/terminal?index=2")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.GetAsync($"/api/sessions/{session.Id}/terminal?index=zero")).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var plain = await OpenSessionAsync();
        await gateway.FlushRecordingAsync();
        (await gateway.Http.GetAsync($"/api/sessions/{plain.Id}/terminal")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/sessions/{plain.Id}"))!["has_terminal"]!.GetValue<bool>().Should().BeFalse();
    }
}
