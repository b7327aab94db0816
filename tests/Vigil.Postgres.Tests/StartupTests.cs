using System.Text;
using Vigil.Postgres.Protocol;
using Vigil.Postgres.Tests.Support;

namespace Vigil.Postgres.Tests;

public class StartupTests
{
    [Fact]
    public void StartupMessage_ExposesParametersAndOptions()
    {
        var request = Read(Corpus.Startup()).Should().BeOfType<StartupMessage>().Subject;

        request.MajorVersion.Should().Be(3);
        request.MinorVersion.Should().Be(0);
        request.User.Should().Be("alice");
        request.Database.Should().Be("app");
        request.UnrecognizedOptions.Should().Equal("_pq_.x");
    }

    [Fact]
    public void Database_DefaultsToUser()
    {
        var bytes = Wire.Write(w => FrontendMessageWriter.WriteStartupMessage(w, new Dictionary<string, string> { ["user"] = "bob" }));

        Read(bytes).Should().BeOfType<StartupMessage>().Which.Database.Should().Be("bob");
    }

    [Fact]
    public void MinorVersion_IsReported()
    {
        var bytes = Packet(3 << 16 | 2, "user\0u\0\0"u8.ToArray());

        Read(bytes).Should().BeOfType<StartupMessage>().Which.MinorVersion.Should().Be(2);
    }

    [Fact]
    public void SpecialRequests_AreRecognized()
    {
        Read(Wire.Write(FrontendMessageWriter.WriteSslRequest)).Should().BeOfType<SslRequest>();
        Read(Wire.Write(FrontendMessageWriter.WriteGssEncRequest)).Should().BeOfType<GssEncRequest>();
        Read(Wire.Write(w => FrontendMessageWriter.WriteCancelRequest(w, 42, -7))).Should().Be(new CancelRequest(42, -7));
    }

    [Theory]
    [InlineData(2, 0, "unsupported frontend protocol 2.0: server supports 3.0")]
    [InlineData(4, 0, "unsupported frontend protocol 4.0: server supports 3.0")]
    [InlineData(1234, 5681, "unsupported frontend protocol 1234.5681: server supports 3.0")]
    public void OtherMajorVersions_AreRejectedWithFeatureNotSupported(int major, int minor, string message)
    {
        var bytes = Packet(major << 16 | minor, "user\0u\0\0"u8.ToArray());

        var act = () => Read(bytes);

        var ex = act.Should().Throw<PostgresProtocolException>().Which;
        ex.SqlState.Should().Be("0A000");
        ex.Message.Should().Be(message);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n\r\n")]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc")]
    public void Garbage_IsRejected(string text)
    {
        var act = () => Read(Encoding.Latin1.GetBytes(text));

        act.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("08P01");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(10001)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void BadLengths_AreRejectedBeforeTheBodyArrives(int length)
    {
        var bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes, length);

        var act = () => Read(bytes);

        act.Should().Throw<PostgresProtocolException>().WithMessage("invalid length of startup packet*");
    }

    [Fact]
    public void Length_IsCappedByMaxMessageSizeToo()
    {
        var bytes = Corpus.Startup();

        var act = () =>
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
            return MessageReader.TryReadStartup(ref reader, bytes.Length - 1, out _);
        };

        act.Should().Throw<PostgresProtocolException>();
    }

    [Theory]
    [InlineData("user\0u\0")] // no final terminator
    [InlineData("user\0u")] // value not terminated
    [InlineData("user")] // name not terminated
    [InlineData("user\0u\0\0x")] // bytes after terminator
    [InlineData("user\0u\0user\0v\0\0")] // duplicate
    [InlineData("\0")] // no user
    [InlineData("user\0\0\0")] // empty user
    public void MalformedParameters_AreRejected(string payload)
    {
        var act = () => Read(Packet(StartupCode.ProtocolVersion3, Encoding.UTF8.GetBytes(payload)));

        act.Should().Throw<PostgresProtocolException>();
    }

    [Fact]
    public void InvalidUtf8_IsRejected()
    {
        var act = () => Read(Packet(StartupCode.ProtocolVersion3, [.. "user\0"u8, 0xC3, 0x28, 0, 0]));

        act.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("22021");
    }

    [Theory]
    [InlineData(StartupCode.SslRequest, 4)]
    [InlineData(StartupCode.GssEncRequest, 4)]
    [InlineData(StartupCode.CancelRequest, 4)]
    [InlineData(StartupCode.CancelRequest, 12)]
    public void SpecialRequests_WithWrongLength_AreRejected(int code, int extra)
    {
        var act = () => Read(Packet(code, new byte[extra]));

        act.Should().Throw<PostgresProtocolException>();
    }

    private static byte[] Packet(int code, byte[] payload)
    {
        var bytes = new byte[8 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), code);
        payload.CopyTo(bytes, 8);
        return bytes;
    }

    private static StartupRequest Read(byte[] bytes)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        MessageReader.TryReadStartup(ref reader, MessageReader.DefaultMaxMessageSize, out var request).Should().BeTrue();
        return request!;
    }
}
