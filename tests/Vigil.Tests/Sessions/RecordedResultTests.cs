using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Sessions;
using Vigil.Tests.Cli;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Sessions;

/// <summary>
/// Recorded responses through the real recorder and store: a statement's result and notices, the session's masking
/// counts and guardrail violations, in <c>GET /api/sessions/{id}</c>, the list, both exports and <c>vigil sessions
/// show</c>; an event that cannot be written is counted in <c>events_lost</c> with its result, never dropped silently.
/// The session itself is a real exec session; the recorded items are what the pipeline's record stage enqueues.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RecordedResultTests(GatewayFixture gateway) : IDisposable
{
    private readonly CliRunner _cli = new(gateway);

    public void Dispose() => _cli.Dispose();

    private SessionRecorder Recorder => gateway.App.Services.GetRequiredService<SessionRecorder>();

    /// <summary>A closed exec session on a new connection, and its last event sequence number.</summary>
    private async Task<(string Id, int LastSeq)> ExecSessionAsync()
    {
        var connection = await gateway.CreateConnectionAsync([]);
        var response = await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection, script = "select 1" });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await gateway.FlushRecordingAsync();
        return (id, await gateway.App.Services.GetRequiredService<SessionRepository>().LastSequenceAsync(id, CancellationToken.None));
    }

    /// <summary>Three customers with a masked e-mail, recorded with a budget of two rows.</summary>
    private static RecordedResult CustomersResult()
    {
        var collector = new ResultCollector(2, 65536);
        collector.SetColumns([new("id", "int4"), new("email", "text"), new("note", "text")]);
        collector.Add(["1", "<EMAIL_ADDRESS>", null]).Should().BeTrue();
        collector.Add(["2", "<EMAIL_ADDRESS>", "line one\nline two"]).Should().BeTrue();
        collector.Add(["3", "<EMAIL_ADDRESS>", "été"]).Should().BeFalse();
        return collector.Build()!;
    }

    private static readonly RecordedNotice[] Notices =
    [
        new("NOTICE", "00000", "table \"t\" does not exist, skipping", null),
        new("ERROR", "23505", "duplicate key value violates unique constraint \"customers_email_key\"", "Key (email)=(<EMAIL_ADDRESS>) already exists."),
    ];

    private async Task<(string Id, int Seq)> RecordAsync()
    {
        var (id, last) = await ExecSessionAsync();
        var at = DateTimeOffset.UtcNow;
        Recorder.Append(new SessionEvent(id, last + 1, at, SessionEventKind.Statement, "SELECT id, email, note FROM customers",
            DurationUs: 1234, CommandTag: "SELECT 3", Rows: 3, Result: CustomersResult(), Notices: Notices));
        Recorder.Append(new SessionEvent(id, last + 2, at, SessionEventKind.Statement, "SET search_path = public", DurationUs: 10, CommandTag: "SET"));
        Recorder.Append(new SessionMaskingChange(id, new Dictionary<string, long> { ["EMAIL_ADDRESS"] = 2 }));
        Recorder.Append(new SessionMaskingChange(id, new Dictionary<string, long> { ["EMAIL_ADDRESS"] = 4, ["PHONE_NUMBER"] = 1 }));
        Recorder.Append(new SessionGuardrailViolation(id, new GuardrailInfo("no-drop", "input", "DROP")));
        Recorder.Append(new SessionGuardrailViolation(id, new GuardrailInfo("no-cards", "output", "<CREDIT_CARD>")));
        await gateway.FlushRecordingAsync();
        return (id, last + 1);
    }

    [Fact]
    public async Task A_statement_result_notices_masking_counts_and_guardrail_violations_round_trip_in_the_api_shape()
    {
        var (plainId, _) = await ExecSessionAsync();
        var (id, seq) = await RecordAsync();
        var session = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/sessions/{id}"))!;
        session["events_lost"]!.GetValue<int>().Should().Be(0);
        var events = session["events"]!.AsArray();
        var statement = events.Single(e => e!["seq"]!.GetValue<int>() == seq)!;

        var result = statement["result"]!.AsObject();
        result.Select(p => p.Key).Should().Equal("columns", "rows", "row_count", "truncated");
        result["columns"]!.ToJsonString().Should().Be("""[{"name":"id","type":"int4"},{"name":"email","type":"text"},{"name":"note","type":"text"}]""");
        result["rows"]!.ToJsonString().Should().Be("""[["1","\u003CEMAIL_ADDRESS\u003E",null],["2","\u003CEMAIL_ADDRESS\u003E","line one\nline two"]]""");
        result["row_count"]!.GetValue<long>().Should().Be(3);
        result["truncated"]!.GetValue<bool>().Should().BeTrue();

        var notices = statement["notices"]!.AsArray();
        notices.Select(n => string.Join(",", n!.AsObject().Select(p => p.Key))).Should().AllBe("severity,sqlstate,message,detail");
        notices[1]!["detail"]!.GetValue<string>().Should().Be("Key (email)=(<EMAIL_ADDRESS>) already exists.");
        notices[0]!["detail"].Should().BeNull();

        var plain = events.Single(e => e!["seq"]!.GetValue<int>() == seq + 1)!.AsObject();
        plain["result"].Should().BeNull("a statement without a result set has none");
        plain["notices"].Should().BeNull();
        plain.ContainsKey("result").Should().BeTrue("fields are written as null, like every other absent field");

        session["masking_info"]!.ToJsonString().Should().Be("""{"EMAIL_ADDRESS":4,"PHONE_NUMBER":1}""", "the last counts win");
        session["guardrails_info"]!.ToJsonString().Should().Be(
            """[{"rule":"no-drop","direction":"input","matched":"DROP"},{"rule":"no-cards","direction":"output","matched":"\u003CCREDIT_CARD\u003E"}]""");

        // The list item carries the session-level fields too (a session without any reads {} and []).
        var listed = (await gateway.Http.GetFromJsonAsync<JsonObject>("/api/sessions?type=exec&page_size=100"))!["data"]!.AsArray();
        var item = listed.Single(s => s!["id"]!.GetValue<string>() == id)!;
        item["masking_info"]!["EMAIL_ADDRESS"]!.GetValue<long>().Should().Be(4);
        item["guardrails_info"]!.AsArray().Should().HaveCount(2);
        item["events"].Should().BeNull();
        var other = listed.Single(s => s!["id"]!.GetValue<string>() == plainId)!;
        other["masking_info"]!.ToJsonString().Should().Be("{}");
        other["guardrails_info"]!.ToJsonString().Should().Be("[]");
    }

    [Fact]
    public async Task Both_exports_carry_the_result_and_json_the_session_level_counts()
    {
        var (id, seq) = await RecordAsync();
        var json = JsonNode.Parse(await gateway.Http.GetStringAsync($"/api/sessions/{id}/export"))!;
        json["events"]!.AsArray().Single(e => e!["seq"]!.GetValue<int>() == seq)!["result"]!["row_count"]!.GetValue<long>().Should().Be(3);
        json["masking_info"]!["PHONE_NUMBER"]!.GetValue<long>().Should().Be(1);
        json["guardrails_info"]!.AsArray().Should().HaveCount(2);

        var csv = await gateway.Http.GetStringAsync($"/api/sessions/{id}/export?format=csv");
        var lines = csv.Split("\r\n");
        lines[0].Should().EndWith(",source,result_row_count,result_truncated,result,notices");
        var row = lines.Single(l => l.StartsWith($"{id},{seq},", StringComparison.Ordinal));
        row.Should().Contain(",3,true,\"{\"\"columns\"\":[{\"\"name\"\":\"\"id\"\",\"\"type\"\":\"\"int4\"\"}");
        row.Should().Contain("\"\"row_count\"\":3,\"\"truncated\"\":true}\",\"[{\"\"severity\"\":\"\"NOTICE\"\"");
        lines.Single(l => l.StartsWith($"{id},{seq + 1},", StringComparison.Ordinal)).Should().EndWith(",,,,", "no result, no notices");
    }

    [Fact]
    public async Task An_event_with_a_result_that_cannot_be_written_is_counted_lost_and_the_rest_of_its_batch_is_kept()
    {
        var (id, last) = await ExecSessionAsync();
        var at = DateTimeOffset.UtcNow;
        // Same batch: the first reuses a sequence number the store already holds, so its insert fails.
        Recorder.Append(new SessionEvent(id, last, at, SessionEventKind.Statement, "SELECT 'lost'", CommandTag: "SELECT 3", Rows: 3, Result: CustomersResult()));
        Recorder.Append(new SessionEvent(id, last + 1, at, SessionEventKind.Statement, "SELECT 'kept'", CommandTag: "SELECT 3", Rows: 3, Result: CustomersResult()));
        await gateway.FlushRecordingAsync();

        var session = (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/sessions/{id}"))!;
        session["events_lost"]!.GetValue<int>().Should().Be(1);
        var events = session["events"]!.AsArray();
        events.Select(e => e!["text"]?.GetValue<string>()).Should().NotContain("SELECT 'lost'");
        var kept = events.Single(e => e!["seq"]!.GetValue<int>() == last + 1)!;
        kept["text"]!.GetValue<string>().Should().Be("SELECT 'kept'");
        kept["result"]!["rows"]!.AsArray().Should().HaveCount(2);
    }

    [Fact]
    public async Task Sessions_show_prints_each_statement_with_its_result_table_notices_masking_and_guardrails()
    {
        var (id, seq) = await RecordAsync();
        var show = await _cli.RunAsync(["sessions", "show", id]);
        show.ExitCode.Should().Be(0, show.Stderr);
        var text = show.Stdout.ReplaceLineEndings("\n");
        text.Should().MatchRegex(@"(?m)^id\s+" + id + "$");
        text.Should().Contain("masked values: EMAIL_ADDRESS 4, PHONE_NUMBER 1\n");
        text.Should().Contain("guardrail violations:\n  input  no-drop: DROP\n  output  no-cards: <CREDIT_CARD>\n");
        text.Should().MatchRegex($@"(?m)^\[{seq}\] statement  \S+  SELECT 3  1\.234 ms$");
        text.Should().Contain(
            """
            SELECT id, email, note FROM customers
             id |      email      |       note        
            ----+-----------------+-------------------
              1 | <EMAIL_ADDRESS> | 
              2 | <EMAIL_ADDRESS> | line one↵line two
            (2 rows)
            … 1 more row (truncated)
            NOTICE:  00000: table "t" does not exist, skipping
            ERROR:  23505: duplicate key value violates unique constraint "customers_email_key"
            DETAIL:  Key (email)=(<EMAIL_ADDRESS>) already exists.

            """.ReplaceLineEndings("\n"));
        text.Should().MatchRegex($@"(?m)^\[{seq + 1}\] statement  \S+  SET  0\.01 ms$");

        var json = await _cli.RunAsync(["sessions", "show", id, "--json"]);
        JsonNode.Parse(json.Stdout)!["masking_info"]!["EMAIL_ADDRESS"]!.GetValue<long>().Should().Be(4, "--json prints the API's JSON");
        (await gateway.Http.GetAsync($"/api/sessions/{id}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
