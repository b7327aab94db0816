using Vigil.Postgres.Protocol;
using Vigil.Postgres.Tests.Support;

namespace Vigil.Postgres.Tests;

public class BadInputTests
{
    public static TheoryData<string> FrontendMessageNames => new() { "Q", "P", "B", "E", "D", "C", "p", "F" };

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void LengthBelowFour_IsRejected(int length)
    {
        var act = () => ReadHeader(Header((byte)'Q', length), 1000);

        act.Should().Throw<PostgresProtocolException>()
            .WithMessage($"*length {length}*at least 4*").Which.SqlState.Should().Be("08P01");
    }

    [Fact]
    public void LengthAboveMax_IsRejectedBeforeBodyArrives()
    {
        var act = () => ReadHeader(Header((byte)'Q', 1001), 1000);

        act.Should().Throw<PostgresProtocolException>().WithMessage("*1001*maximum of 1000*");
    }

    [Fact]
    public void TryReadMessage_AppliesTheSameLimits()
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(Header((byte)'d', int.MaxValue)));

        try
        {
            MessageReader.TryReadMessage(ref reader, MessageReader.DefaultMaxMessageSize, out _, out _);
            Assert.Fail("expected an exception");
        }
        catch (PostgresProtocolException ex)
        {
            ex.Message.Should().Contain(int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [MemberData(nameof(FrontendMessageNames))]
    public void TruncatedBodies_AreRejected(string name)
    {
        var (message, parse) = Sample(name[0]);
        var body = message[MessageReader.HeaderSize..];

        for (var length = 0; length < body.Length; length++)
        {
            var truncated = new ReadOnlySequence<byte>(body, 0, length);
            var act = () => parse(truncated);
            act.Should().Throw<PostgresProtocolException>($"{name} body truncated to {length} bytes");
        }
    }

    [Theory]
    [MemberData(nameof(FrontendMessageNames))]
    public void TrailingGarbage_IsRejected(string name)
    {
        var (message, parse) = Sample(name[0]);
        var body = message[MessageReader.HeaderSize..].Append((byte)'x').ToArray();

        var act = () => parse(new ReadOnlySequence<byte>(body));

        act.Should().Throw<PostgresProtocolException>().WithMessage("*trailing*");
    }

    [Theory]
    [InlineData('D')]
    [InlineData('C')]
    public void KindOtherThanStatementOrPortal_IsRejected(char code)
    {
        var body = new ReadOnlySequence<byte>("Xname\0"u8.ToArray());
        Action act = code == 'D' ? () => DescribeMessage.Parse(body) : () => CloseMessage.Parse(body);

        act.Should().Throw<PostgresProtocolException>().WithMessage("*subtype 88*");
    }

    [Fact]
    public void Bind_WithParameterLengthBeyondBody_IsRejected()
    {
        byte[] body = [.. "\0\0"u8, 0, 0, 0, 1, 0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 0, 0];

        var act = () => BindMessage.Parse(new ReadOnlySequence<byte>(body));

        act.Should().Throw<PostgresProtocolException>().WithMessage("*exceeds*");
    }

    [Fact]
    public void Bind_WithNegativeParameterLength_IsRejected()
    {
        byte[] body = [.. "\0\0"u8, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0];

        var act = () => BindMessage.Parse(new ReadOnlySequence<byte>(body));

        act.Should().Throw<PostgresProtocolException>().WithMessage("*length -2*");
    }

    [Fact]
    public void Bind_WithFormatCountMismatch_IsRejected()
    {
        byte[] body = [.. "\0\0"u8, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        var act = () => BindMessage.Parse(new ReadOnlySequence<byte>(body));

        act.Should().Throw<PostgresProtocolException>().WithMessage("bind message has 2 parameter formats but 3 parameters");
    }

    [Fact]
    public void Bind_WithUnknownFormatCode_IsRejected()
    {
        byte[] body = [.. "\0\0"u8, 0, 1, 0, 2, 0, 0, 0, 0];

        var act = () => BindMessage.Parse(new ReadOnlySequence<byte>(body));

        act.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("22023");
    }

    [Fact]
    public void ReadyForQuery_WithUnknownStatus_IsRejected()
    {
        var act = () => ReadyForQueryMessage.Parse(new ReadOnlySequence<byte>("Q"u8.ToArray()));

        act.Should().Throw<PostgresProtocolException>();
    }

    [Fact]
    public void FunctionCall_WithArgumentLengthBeyondBody_IsRejected()
    {
        // OID 2088, no formats, 1 argument of 1000 bytes, only 1 present.
        var body = new ReadOnlySequence<byte>([0, 0, 8, 0x28, 0, 0, 0, 1, 0, 0, 3, 0xE8, (byte)'x', 0, 0]);
        var act = () => FunctionCallMessage.Parse(body);

        act.Should().Throw<PostgresProtocolException>().WithMessage("*argument 1 value*");
    }

    [Fact]
    public void FunctionCall_WithFormatCountMismatch_IsRejected()
    {
        var body = new ReadOnlySequence<byte>([0, 0, 8, 0x28, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0]);
        var act = () => FunctionCallMessage.Parse(body);

        act.Should().Throw<PostgresProtocolException>().WithMessage("*2 argument formats but 3 arguments*");
    }

    [Fact]
    public void FunctionCall_RoundTrips()
    {
        var message = FunctionCallMessage.Parse(Wire.Body(Wire.Write(w => FrontendMessageWriter.WriteFunctionCall(w, 3_000_000_000, ["1", null, "x"]))));

        message.Should().Be(new FunctionCallMessage(3_000_000_000, 3, 0));
    }

    [Fact]
    public void Query_WithInvalidUtf8_IsRejected()
    {
        var act = () => QueryMessage.Parse(new ReadOnlySequence<byte>([0xFF, 0]));

        act.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("22021");
    }

    private static (byte[] Message, Action<ReadOnlySequence<byte>> Parse) Sample(char code) => code switch
    {
        'Q' => (Wire.Write(w => FrontendMessageWriter.WriteQuery(w, "SELECT 1")), b => QueryMessage.Parse(b)),
        'P' => (Wire.Write(w => FrontendMessageWriter.WriteParse(w, "s", "SELECT $1", [23])), b => ParseMessage.Parse(b)),
        'B' => (Wire.Write(w => FrontendMessageWriter.WriteBind(w, "p", "s", ["abc", null])), b => BindMessage.Parse(b)),
        'E' => (Wire.Write(w => FrontendMessageWriter.WriteExecute(w, "p", 5)), b => ExecuteMessage.Parse(b)),
        'D' => (Wire.Write(w => FrontendMessageWriter.WriteDescribe(w, TargetKind.Statement, "s")), b => DescribeMessage.Parse(b)),
        'C' => (Wire.Write(w => FrontendMessageWriter.WriteClose(w, TargetKind.Portal, "p")), b => CloseMessage.Parse(b)),
        'p' => (Wire.Write(w => FrontendMessageWriter.WritePasswordMessage(w, "pw")), b => PasswordMessage.Parse(b)),
        'F' => (Wire.Write(w => FrontendMessageWriter.WriteFunctionCall(w, 2088, ["abc", null])), b => FunctionCallMessage.Parse(b)),
        _ => throw new ArgumentOutOfRangeException(nameof(code)),
    };

    private static byte[] Header(byte code, int length)
    {
        var bytes = new byte[5];
        bytes[0] = code;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1), length);
        return bytes;
    }

    private static MessageHeader ReadHeader(byte[] bytes, int max)
    {
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        MessageReader.TryReadHeader(ref reader, max, out var header);
        return header;
    }
}
