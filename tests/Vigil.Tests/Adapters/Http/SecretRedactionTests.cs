using System.Text;
using System.Text.Json.Nodes;
using Vigil.Adapters.Http;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// The Secret shapes the API server sends (object, list, watch stream, Table with objects) come out redacted; revealed
/// ones reach the client whole while the recording's copy is redacted.
/// </summary>
public sealed class SecretRedactionTests
{
    private const string Real = "c2VjcmV0LXZhbHVl";

    [Theory]
    [InlineData("{\"kind\":\"Secret\",\"data\":{\"a\":\"" + Real + "\",\"b\":\"" + Real + "\"},\"stringData\":{\"c\":\"plain-secret\"}}", 3)]
    [InlineData("{\"kind\":\"SecretList\",\"items\":[{\"metadata\":{\"name\":\"x\"},\"data\":{\"a\":\"" + Real + "\"}},{\"data\":{\"b\":\"" + Real + "\"}}]}", 2)]
    [InlineData("{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Secret\",\"data\":{\"a\":\"" + Real + "\"}}}", 1)]
    [InlineData("{\"kind\":\"Table\",\"rows\":[{\"cells\":[\"x\"],\"object\":{\"kind\":\"Secret\",\"data\":{\"a\":\"" + Real + "\"}}}]}", 1)]
    [InlineData("{\"kind\":\"Secret\",\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"kind\\\":\\\"Secret\\\",\\\"data\\\":{\\\"a\\\":\\\"" + Real + "\\\"},\\\"stringData\\\":{\\\"c\\\":\\\"plain-secret\\\"}}\\n\"}},\"data\":{\"a\":\"" + Real + "\"}}", 3)]
    [InlineData("{\"kind\":\"Secret\",\"metadata\":{\"annotations\":{\"kubectl.kubernetes.io/last-applied-configuration\":\"{\\\"data\\\":{\\\"a\\\":\\\"" + Real + "\"}}}", 1)]
    public void Every_value_is_replaced_and_every_key_kept(string json, int expected)
    {
        var node = JsonNode.Parse(json);

        SecretRedaction.Redact(node).Should().Be(expected);

        var text = node!.ToJsonString();
        text.Should().NotContain(Real).And.NotContain("plain-secret");
        Encoding.UTF8.GetString(Convert.FromBase64String(SecretRedaction.RedactedData)).Should().Be(SecretRedaction.RedactedText);
    }

    [Fact]
    public async Task A_watch_is_redacted_event_by_event_and_a_body_that_is_not_json_is_refused()
    {
        var events = "{\"type\":\"ADDED\",\"object\":{\"data\":{\"a\":\"" + Real + "\"}}}\n{\"type\":\"DELETED\",\"object\":{\"data\":{\"a\":\"" + Real + "\"}}}\n";
        using var watchOut = new MemoryStream();
        using var plainOut = new MemoryStream();

        (await ResponseRewriter.CopyAsync(new MemoryStream(Encoding.UTF8.GetBytes(events)), new ResponseTap(watchOut, 0), "application/json", watch: true, secrets: SecretHandling.Redact, run: null, maxBytes: 1024 * 1024, CancellationToken.None)).Written.Should().BeTrue();
        (await ResponseRewriter.CopyAsync(new MemoryStream("password=hunter2"u8.ToArray()), new ResponseTap(plainOut, 0), "application/json", watch: false, secrets: SecretHandling.Redact, run: null, maxBytes: 1024 * 1024, CancellationToken.None)).Written.Should().BeFalse();

        var lines = Encoding.UTF8.GetString(watchOut.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2).And.OnlyContain(l => l.Contains(SecretRedaction.RedactedData, StringComparison.Ordinal) && !l.Contains(Real, StringComparison.Ordinal));
        plainOut.Length.Should().Be(0);
    }

    [Fact]
    public async Task A_watch_event_spanning_reads_is_rewritten_whole_and_one_longer_than_the_hold_is_not_forwarded()
    {
        var big = "{\"type\":\"ADDED\",\"object\":{\"data\":{\"a\":\"" + Real + "\"},\"pad\":\"" + new string('x', 100_000) + "\"}}\n";
        using var fits = new MemoryStream();
        using var over = new MemoryStream();

        var whole = await ResponseRewriter.CopyAsync(new MemoryStream(Encoding.UTF8.GetBytes(big + big)), new ResponseTap(fits, 0), "application/json", watch: true, secrets: SecretHandling.Redact, run: null, maxBytes: 1024 * 1024, CancellationToken.None);
        var cut = await ResponseRewriter.CopyAsync(new MemoryStream(Encoding.UTF8.GetBytes(big)), new ResponseTap(over, 0), "application/json", watch: true, secrets: SecretHandling.Redact, run: null, maxBytes: 64 * 1024, CancellationToken.None);

        whole.Written.Should().BeTrue();
        var lines = Encoding.UTF8.GetString(fits.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2).And.OnlyContain(l => l.Contains(SecretRedaction.RedactedData, StringComparison.Ordinal) && !l.Contains(Real, StringComparison.Ordinal));
        cut.Written.Should().BeFalse("an event longer than the hold is neither held whole nor forwarded");
        over.Length.Should().Be(0);
    }

    [Fact]
    public async Task Revealed_values_reach_the_client_while_the_recording_keeps_them_redacted_event_by_event()
    {
        var events = "{\"type\":\"ADDED\",\"object\":{\"data\":{\"a\":\"" + Real + "\"}}}\n{\"type\":\"MODIFIED\",\"object\":{\"stringData\":{\"b\":\"plain-secret\"}}}\n";
        using var watchOut = new MemoryStream();
        var watchTap = new ResponseTap(watchOut, 64 * 1024);
        using var objectOut = new MemoryStream();
        var objectTap = new ResponseTap(objectOut, 16);
        const string Object = "{\"kind\":\"Secret\",\"data\":{\"a\":\"" + Real + "\"}}";

        var watch = await ResponseRewriter.CopyAsync(new MemoryStream(Encoding.UTF8.GetBytes(events)), watchTap, "application/json", watch: true, secrets: SecretHandling.Reveal, run: null, maxBytes: 1024 * 1024, CancellationToken.None);
        var single = await ResponseRewriter.CopyAsync(new MemoryStream(Encoding.UTF8.GetBytes(Object)), objectTap, "application/json", watch: false, secrets: SecretHandling.Reveal, run: null, maxBytes: 1024 * 1024, CancellationToken.None);

        watch.Should().Be(new ResponseRewriter.Outcome(true));
        watchTap.Revealed.Should().Be(2);
        var sent = Encoding.UTF8.GetString(watchOut.ToArray());
        sent.Should().Contain(Real).And.Contain("plain-secret");
        var kept = Encoding.UTF8.GetString(watchTap.Kept);
        kept.Should().NotContain(Real).And.NotContain("plain-secret").And.Contain(SecretRedaction.RedactedData).And.Contain(SecretRedaction.RedactedText);
        kept.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2);
        watchTap.Bytes.Should().Be(watchOut.Length, "the client's bytes are counted, not the recording's");
        single.Written.Should().BeTrue();
        objectTap.Revealed.Should().Be(1);
        Encoding.UTF8.GetString(objectOut.ToArray()).Should().Be(Object);
        Encoding.UTF8.GetString(objectTap.Kept).Should().Be(Object[..16], "the kept prefix is of the redacted text, which starts the same");
        objectTap.Truncated.Should().BeTrue();
    }
}
