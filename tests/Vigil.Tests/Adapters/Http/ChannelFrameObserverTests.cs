using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Vigil.Adapters.Http;
using Vigil.Pipeline;
using Vigil.Sessions.Terminal;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// The exec stream tap's frame reader on RFC 6455 frames as kubectl and the API server send them: masked client frames,
/// a message fragmented across frames with a ping between them, a 16-bit extended length, the resize channel, the
/// error channel and a close; split at every byte boundary, each split recorded into its own terminal stream of one
/// session, every cast the same.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ChannelFrameObserverTests(GatewayFixture gateway)
{
    private static byte[] Frame(int opcode, bool fin, byte[] payload, byte[]? mask)
    {
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        var maskBit = mask is null ? 0 : 0x80;
        if (payload.Length < 126)
        {
            frame.Add((byte)(maskBit | payload.Length));
        }
        else
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        if (mask is null)
        {
            frame.AddRange(payload);
        }
        else
        {
            frame.AddRange(mask);
            frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        }
        return [.. frame];
    }

    private static byte[] Channel(byte channel, string text) => [channel, .. Encoding.UTF8.GetBytes(text)];

    [Fact]
    public async Task Every_split_of_both_directions_records_the_same_terminal()
    {
        byte[] mask = [0x37, 0xfa, 0x21, 0x3d];
        byte[] fromClient =
        [
            .. Frame(2, true, Channel(4, """{"Width":120,"Height":40}"""), mask),
            .. Frame(2, true, Channel(0, "ls -l\r"), mask),
            .. Frame(9, true, "ping"u8.ToArray(), mask),
            .. Frame(2, true, [255, 0], mask), // v5: stdin closed
            .. Frame(8, true, [0x03, 0xe8], mask),
        ];
        var longLine = new string('x', 300) + "\r\n";
        byte[] toClient =
        [
            .. Frame(2, false, Channel(1, "total 0\r\n"), null),
            .. Frame(9, true, [], null),
            .. Frame(0, true, Encoding.UTF8.GetBytes("caf\u00e9\r\n"), null),
            .. Frame(2, true, Channel(2, longLine), null),
            .. Frame(2, true, Channel(3, """{"metadata":{},"status":"Success"}"""), null),
        ];
        var pipeline = gateway.App.Services.GetRequiredService<CommandPipeline>();
        var identity = await pipeline.IdentifyAsync(GatewayFixture.Token, CancellationToken.None);
        var (session, _) = await pipeline.OpenSessionAsync(identity!, await gateway.CreateConnectionAsync([]), SessionType.Connect, null, null, null, CancellationToken.None);
        var terminals = gateway.App.Services.GetRequiredService<TerminalRecorder>();
        var splits = Math.Max(fromClient.Length, toClient.Length) + 1;
        for (var split = 0; split < splits; split++)
        {
            var recording = terminals.Start(session!, 80, 24, null, "ls -l");
            var reader = new ChannelFrameObserver(recording);
            var writer = new ChannelFrameObserver(recording);
            var a = Math.Min(split, fromClient.Length);
            reader.Observe(fromClient.AsSpan(0, a));
            reader.Observe(fromClient.AsSpan(a));
            var b = Math.Min(split, toClient.Length);
            writer.Observe(toClient.AsSpan(0, b));
            writer.Observe(toClient.AsSpan(b));
            await recording.CompleteAsync();
        }

        for (var index = 1; index <= splits; index++)
        {
            var cast = await gateway.Http.GetStringAsync($"/api/sessions/{session!.Id}/terminal?index={index}");
            var events = cast.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => JsonNode.Parse(l)!.AsArray()).ToList();
            string Of(string kind) => string.Concat(events.Where(e => e[1]!.GetValue<string>() == kind).Select(e => e[2]!.GetValue<string>()));
            Of("i").Should().Be("ls -l\r", $"split {index - 1}");
            Of("o").Should().Be("total 0\r\ncaf\u00e9\r\n" + longLine, $"split {index - 1}");
            Of("r").Should().Be("120x40", $"split {index - 1}");
        }
        var list = await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/sessions/{session!.Id}/terminals");
        list!["data"]!.AsArray().Count.Should().Be(splits);
    }
}
