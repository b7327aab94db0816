using Vigil.Postgres.Protocol;
using Vigil.Postgres.Tests.Support;

namespace Vigil.Postgres.Tests;

public class FramingPrefixTests
{
    [Fact]
    public void FullFrontendStream_ReadsEveryMessageExactly()
    {
        var bytes = Corpus.FrontendStream();

        var messages = Wire.ReadAll(new ReadOnlySequence<byte>(bytes), out var consumed);

        messages.Should().Equal(Corpus.ExpectedFrontend);
        consumed.Should().Be(bytes.Length);
    }

    [Fact]
    public void EveryProperPrefix_OfEachFrontendMessage_ReturnsFalseWithoutAdvancing()
    {
        foreach (var message in Corpus.AllSingleMessages())
        {
            for (var length = 0; length < message.Length; length++)
            {
                var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(message, 0, length));

                MessageReader.TryReadMessage(ref reader, MessageReader.DefaultMaxMessageSize, out _, out _)
                    .Should().BeFalse($"prefix {length} of {message.Length}");
                reader.Consumed.Should().Be(0);
            }
        }
    }

    [Fact]
    public void EveryPrefix_OfStream_ReadsOnlyCompleteMessages()
    {
        var bytes = Corpus.FrontendStream();
        var boundaries = MessageBoundaries(bytes);

        for (var length = 0; length <= bytes.Length; length++)
        {
            var messages = Wire.ReadAll(new ReadOnlySequence<byte>(bytes, 0, length), out var consumed);

            var complete = boundaries.Count(b => b <= length);
            messages.Should().Equal(Corpus.ExpectedFrontend.Take(complete));
            consumed.Should().Be(complete == 0 ? 0 : boundaries[complete - 1]);
        }
    }

    [Fact]
    public void EveryProperPrefix_OfStartupPackets_ReturnsFalseWithoutAdvancing()
    {
        foreach (var packet in Corpus.StartupPackets())
        {
            for (var length = 0; length < packet.Length; length++)
            {
                var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(packet, 0, length));

                MessageReader.TryReadStartup(ref reader, MessageReader.DefaultMaxMessageSize, out var request)
                    .Should().BeFalse();
                request.Should().BeNull();
                reader.Consumed.Should().Be(0);
            }

            var full = new SequenceReader<byte>(new ReadOnlySequence<byte>(packet));
            MessageReader.TryReadStartup(ref full, MessageReader.DefaultMaxMessageSize, out _).Should().BeTrue();
            full.Consumed.Should().Be(packet.Length);
        }
    }

    [Fact]
    public void EveryPrefix_OfHeader_ReturnsFalse_ThenHeaderConsumesFiveBytes()
    {
        var bytes = Wire.Write(w => FrontendMessageWriter.WriteQuery(w, "SELECT 1"));
        for (var length = 0; length < MessageReader.HeaderSize; length++)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, length));
            MessageReader.TryReadHeader(ref reader, 100, out _).Should().BeFalse();
            reader.Consumed.Should().Be(0);
        }

        var full = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes, 0, MessageReader.HeaderSize));
        MessageReader.TryReadHeader(ref full, 100, out var header).Should().BeTrue();
        header.Should().Be(new MessageHeader(FrontendMessageCode.Query, 13));
        header.BodyLength.Should().Be(9);
        full.Consumed.Should().Be(MessageReader.HeaderSize);
    }

    [Fact]
    public void StartupThenMessages_ReadInSequence()
    {
        var bytes = Corpus.Startup().Concat(Corpus.FrontendStream()).ToArray();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));

        MessageReader.TryReadStartup(ref reader, MessageReader.DefaultMaxMessageSize, out var request).Should().BeTrue();
        var messages = Wire.ReadAll(reader.UnreadSequence, out var consumed);

        request.Should().BeOfType<StartupMessage>().Which.User.Should().Be("alice");
        messages.Should().Equal(Corpus.ExpectedFrontend);
        (reader.Consumed + consumed).Should().Be(bytes.Length);
    }

    private static List<int> MessageBoundaries(byte[] bytes)
    {
        var result = new List<int>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            offset += 1 + System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(offset + 1));
            result.Add(offset);
        }

        return result;
    }
}
