using System.Text;
using System.Text.Json.Nodes;
using ICSharpCode.SharpZipLib.Checksum;
using Vigil.Adapters.Http;
using Vigil.Pipeline;
using Vigil.Sessions.Terminal;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// The exec stream tap's SPDY/3.1 reader on a recorded <c>kubectl exec -it</c> conversation (kubectl's header blocks in
/// Go's zlib stream, each later one depending on the earlier; the server's in SharpZipLib's), with what kubectl did not
/// happen to send added: a resize and a character each over two frames, PING, WINDOW_UPDATE, data on the error stream
/// and on a stream nobody named. Split at every byte boundary, each split recorded into its own terminal stream of one
/// session, every cast the same; and no mutation of it, nor garbage, makes the reader throw.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SpdyFrameObserverTests(GatewayFixture gateway)
{
    private const int Error = 1, Stdout = 5, Resize = 7;

    // Recorded: kubectl 1.32 with KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false running `exec -it web-1 -- sh` against
    // FakeSpdyExec (KubectlTests), typing "echo hix", Backspace, Enter, "exit", Enter; one frame a line.
    private static readonly string[] KubectlOpens =
    [
        // SYN_STREAM 1 streamtype=error: Go's zlib header, the dictionary's id, a compressed block, a sync flush.
        "80030001000000290000000100000000000078F9E3C6A7C26260606004A7B392A2D4C45C6851C29A0A0A6800000000FFFF",
        "800300010000001700000003000000000000C22E555C92929907000000FFFF", // SYN_STREAM 3 stdin
        "800300010000001900000005000000000000C22AC5565C92925F5A02000000FFFF", // SYN_STREAM 5 stdout
        "800300010000001800000007000000000000C22E57945A9C59950A000000FFFF", // SYN_STREAM 7 resize
        "000000070000001A7B225769647468223A3130302C22486569676874223A33307D0A", // resize {"Width":100,"Height":30}\n
        "000000030000000A6563686F206869787F0D", // stdin "echo hix" DEL CR
        "0000000300000005657869740D", // stdin "exit" CR
    ];

    private static readonly string[] KubectlCloses =
    [
        "80030003000000080000000100000005", // RST_STREAM 1 CANCEL, and the others
        "80030003000000080000000300000005",
        "80030003000000080000000500000005",
        "80030003000000080000000700000005",
        "80030007000000080000000000000000", // GOAWAY
    ];

    private static readonly string[] ServerReplies =
    [
        "80030002000000180000000178F9E3C6A7C2000400FBFF00000000000000FFFF", // SYN_REPLY 1, no headers
        "800300020000001200000003000400FBFF00000000000000FFFF",
        "800300020000001200000005000400FBFF00000000000000FFFF",
        "800300020000001200000007000400FBFF00000000000000FFFF",
        "00000005000000022420", // stdout "$ "
        "000000050000000165", "000000050000000163", "000000050000000168", "00000005000000016F", // echo
        "000000050000000120", "000000050000000168", "000000050000000169", "000000050000000178",
        "0000000500000003082008", // BS SP BS
        "00000005000000160D0A796F752072616E3A206563686F2068690D0A2420", // CR LF "you ran: echo hi" CR LF "$ "
        "000000050000000165", "000000050000000178", "000000050000000169", "000000050000000174",
        "00000005000000080D0A657869740D0A", // CR LF "exit" CR LF
    ];

    private static readonly string[] ServerEnds =
    [
        "0000000501000000", // stdout FIN
        "00000001010000227B226D65746164617461223A7B7D2C22737461747573223A2253756363657373227D", // error: Success, FIN
    ];

    private static byte[] Frames(IEnumerable<string> hex) => [.. hex.SelectMany(Convert.FromHexString)];

    /// <summary>The recorded conversation, with what kubectl did not happen to send: a resize over two frames, a character over two frames, a stream nobody named, PING, WINDOW_UPDATE.</summary>
    private static (byte[] FromClient, byte[] ToClient) Conversation()
    {
        var cafe = Encoding.UTF8.GetBytes("caf\u00e9\r\n");
        byte[] fromClient =
        [
            .. Frames(KubectlOpens),
            .. SpdyEndpoint.Control(SpdyFrame.Ping, 0, [0, 0, 0, 1]),
            .. SpdyEndpoint.Data(Resize, """{"Width":80,"""),
            .. SpdyEndpoint.Data(Resize, "\"Height\":24}\n"),
            .. Frames(KubectlCloses),
        ];
        byte[] toClient =
        [
            .. Frames(ServerReplies),
            .. SpdyEndpoint.Control(SpdyFrame.Ping, 0, [0, 0, 0, 1]),
            .. SpdyEndpoint.Control(SpdyFrame.WindowUpdate, 0, [0, 0, 0, 3, 0, 0, 0x10, 0]),
            .. SpdyEndpoint.Data(Stdout, cafe.AsSpan(0, 4)),
            .. SpdyEndpoint.Data(Stdout, cafe.AsSpan(4)),
            .. SpdyEndpoint.Data(99, "nobody named this stream"),
            .. SpdyEndpoint.Data(Error, "not a terminal channel"),
            .. Frames(ServerEnds),
        ];
        return (fromClient, toClient);
    }

    private async Task<SessionContext> SessionAsync()
    {
        var pipeline = gateway.App.Services.GetRequiredService<CommandPipeline>();
        var identity = await pipeline.IdentifyAsync(GatewayFixture.Token, CancellationToken.None);
        var (session, _) = await pipeline.OpenSessionAsync(identity!, await gateway.CreateConnectionAsync([]), SessionType.Connect, null, null, null, CancellationToken.None);
        return session!;
    }

    [Fact]
    public void The_header_dictionary_is_the_specs()
    {
        var adler = new Adler32();
        adler.Update(SpdyHeaderDictionary.Bytes);

        SpdyHeaderDictionary.Bytes.Length.Should().Be(1423);
        adler.Value.Should().Be(0xE3C6A7C2);
    }

    [Fact]
    public async Task Every_split_of_both_directions_records_the_same_terminal()
    {
        var (fromClient, toClient) = Conversation();
        var session = await SessionAsync();
        var terminals = gateway.App.Services.GetRequiredService<TerminalRecorder>();
        var splits = Math.Max(fromClient.Length, toClient.Length) + 1;
        for (var split = 0; split < splits; split++)
        {
            var recording = terminals.Start(session, 80, 24, null, "ls -l");
            var (reader, writer) = SpdyFrameObserver.ForConnection(recording);
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
            var cast = await gateway.Http.GetStringAsync($"/api/sessions/{session.Id}/terminal?index={index}");
            var events = cast.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => JsonNode.Parse(l)!.AsArray()).ToList();
            string Of(string kind) => string.Concat(events.Where(e => e[1]!.GetValue<string>() == kind).Select(e => e[2]!.GetValue<string>()));
            Of("i").Should().Be("echo hix\x7f\rexit\r", $"split {index - 1}");
            Of("o").Should().Be("$ echo hix\b \b\r\nyou ran: echo hi\r\n$ exit\r\nexit\r\ncaf\u00e9\r\n", $"split {index - 1}");
            Of("r").Should().Be("100x3080x24", $"split {index - 1}");
        }
    }

    [Fact]
    public async Task No_mutation_of_a_conversation_nor_garbage_makes_the_reader_throw()
    {
        var (fromClient, toClient) = Conversation();
        var session = await SessionAsync();
        var recording = gateway.App.Services.GetRequiredService<TerminalRecorder>().Start(session, 80, 24, null, "garbage");
        var random = new Random(14);
        byte[] conversation = [.. fromClient, .. toClient];
        for (var at = 0; at < conversation.Length; at++)
        {
            foreach (var change in new byte[] { 0xff, 0x80, 0x01, (byte)random.Next(256) })
            {
                var mutated = conversation.ToArray();
                mutated[at] ^= change;
                var (reader, writer) = SpdyFrameObserver.ForConnection(recording);
                reader.Observe(mutated.AsSpan(0, fromClient.Length));
                writer.Observe(mutated.AsSpan(fromClient.Length));
            }
        }
        for (var run = 0; run < 200; run++)
        {
            var garbage = new byte[random.Next(32, 4096)];
            random.NextBytes(garbage);
            if (run % 2 == 0)
            {
                // A SYN_STREAM's frame header, fixed fields and zlib header (dictionary id included) as a real one has
                // them, the length of the whole: the garbage reaches the inflater's blocks.
                Convert.FromHexString(KubectlOpens[0]).AsSpan(0, 24).CopyTo(garbage);
                var length = garbage.Length - 8;
                (garbage[5], garbage[6], garbage[7]) = ((byte)(length >> 16), (byte)(length >> 8), (byte)length);
            }
            var (reader, _) = SpdyFrameObserver.ForConnection(recording);
            var rest = garbage.AsSpan();
            while (!rest.IsEmpty)
            {
                var n = Math.Min(rest.Length, random.Next(1, 64));
                reader.Observe(rest[..n]);
                rest = rest[n..];
            }
        }
        await recording.CompleteAsync();

        var cast = await gateway.Http.GetStringAsync($"/api/sessions/{session.Id}/terminal");
        cast.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().AllSatisfy(line => JsonNode.Parse(line).Should().NotBeNull());
    }
}
