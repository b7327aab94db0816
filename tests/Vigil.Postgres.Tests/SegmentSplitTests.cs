using Vigil.Postgres.Protocol;
using Vigil.Postgres.Tests.Support;

namespace Vigil.Postgres.Tests;

public class SegmentSplitTests
{
    [Fact]
    public void FrontendStream_SplitAtEveryPoint_ParsesIdentically()
    {
        var bytes = Corpus.FrontendStream();

        for (var split = 0; split <= bytes.Length; split++)
        {
            Wire.ReadAll(Segments.Split(bytes, split), out var consumed).Should().Equal(Corpus.ExpectedFrontend);
            consumed.Should().Be(bytes.Length);
        }
    }

    [Fact]
    public void FrontendStream_SplitAtEveryPairOfPoints_ParsesIdentically()
    {
        var bytes = Corpus.FrontendStream();

        for (var a = 0; a <= bytes.Length; a += 3)
        {
            for (var b = a; b <= bytes.Length; b += 7)
            {
                Wire.ReadAll(Segments.Split(bytes, a, b), out _).Should().Equal(Corpus.ExpectedFrontend);
            }
        }
    }

    [Fact]
    public void FrontendStream_OneBytePerSegment_ParsesIdentically()
    {
        var bytes = Corpus.FrontendStream();

        Wire.ReadAll(Segments.OneBytePerSegment(bytes), out var consumed).Should().Equal(Corpus.ExpectedFrontend);
        consumed.Should().Be(bytes.Length);
    }

    [Fact]
    public void StartupPackets_SplitAtEveryPoint_ParseIdentically()
    {
        foreach (var packet in Corpus.StartupPackets())
        {
            var expected = ReadStartup(new ReadOnlySequence<byte>(packet));
            for (var split = 0; split <= packet.Length; split++)
            {
                ReadStartup(Segments.Split(packet, split)).Should().Be(expected);
            }

            ReadStartup(Segments.OneBytePerSegment(packet)).Should().Be(expected);
        }
    }

    [Fact]
    public void BackendMessages_OneBytePerSegment_ParseIdentically()
    {
        var error = Wire.Write(w => BackendMessageWriter.WriteErrorResponse(w, "ERROR", "42P01", "no such table"));
        var parsed = ErrorResponseMessage.Parse(Segments.OneBytePerSegment(error[MessageReader.HeaderSize..]));
        parsed.Message.Should().Be("no such table");

        var sasl = Wire.Write(w => BackendMessageWriter.WriteAuthenticationSasl(w, ["SCRAM-SHA-256"]));
        AuthenticationMessage.Parse(Segments.OneBytePerSegment(sasl[MessageReader.HeaderSize..]))
            .GetSaslMechanisms().Should().Equal("SCRAM-SHA-256");
    }

    private static string ReadStartup(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        MessageReader.TryReadStartup(ref reader, MessageReader.DefaultMaxMessageSize, out var request).Should().BeTrue();
        reader.End.Should().BeTrue();
        return request is StartupMessage s
            ? $"{s.MajorVersion}.{s.MinorVersion} " + string.Join(";", s.Parameters.Select(p => $"{p.Key}={p.Value}"))
            : request!.ToString();
    }
}
