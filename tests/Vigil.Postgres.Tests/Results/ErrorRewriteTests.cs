using System.Text;
using Vigil.Postgres.Protocol;
using Vigil.Postgres.Tests.Support;

namespace Vigil.Postgres.Tests.Results;

public class ErrorRewriteTests
{
    private static byte[] Write(byte code, ErrorResponseMessage message, Encoding? encoding = null)
    {
        var writer = new ArrayBufferWriter<byte>();
        BackendMessageWriter.WriteErrorOrNotice(writer, code, message, encoding);
        return writer.WrittenSpan.ToArray();
    }

    [Theory]
    [InlineData(Captured.UniqueViolation, BackendMessageCode.ErrorResponse)]
    [InlineData(Captured.Notice, BackendMessageCode.NoticeResponse)]
    public void RealServerMessages_WrittenBackUnchanged_AreByteIdentical(string hex, byte code)
    {
        var bytes = Captured.Bytes(hex);

        var message = ErrorResponseMessage.Parse(new ReadOnlySequence<byte>(bytes[5..]));

        Write(code, message).Should().Equal(bytes);
        Write(code, message.With(new Dictionary<char, string>())).Should().Equal(bytes);
    }

    [Fact]
    public void UniqueViolationDetail_Masked_KeepsEveryOtherFieldInPlace()
    {
        var original = ErrorResponseMessage.Parse(Segments.OneBytePerSegment(Captured.Body(Captured.UniqueViolation)));
        original.Detail.Should().Be("Key (email)=(ann@example.com) already exists.");
        original.Fields.Keys.Should().Equal('S', 'V', 'C', 'M', 'D', 's', 't', 'n', 'F', 'L', 'R');

        var masked = original.With(new Dictionary<char, string> { ['D'] = "Key (email)=(<EMAIL_ADDRESS>) already exists." });
        var reparsed = ErrorResponseMessage.Parse(new ReadOnlySequence<byte>(Write(BackendMessageCode.ErrorResponse, masked)[5..]));

        reparsed.Fields.Keys.Should().Equal(original.Fields.Keys);
        reparsed.Detail.Should().Be("Key (email)=(<EMAIL_ADDRESS>) already exists.");
        reparsed.Fields.Where(f => f.Key != 'D').Should().Equal(original.Fields.Where(f => f.Key != 'D'));
    }

    [Fact]
    public void NoticeValueFields_AreMessageDetailHintAndWhere()
    {
        var notice = ErrorResponseMessage.Parse(new ReadOnlySequence<byte>(Captured.Body(Captured.Notice)));

        var valueFields = notice.Fields.Keys.Where(k => ErrorResponseMessage.ValueFieldTypes.Contains(k)).ToList();

        valueFields.Should().Equal('M', 'D', 'H', 'W');
        notice.Fields['W'].Should().Be("PL/pgSQL function inline_code_block line 1 at RAISE");
        ErrorResponseMessage.ValueFieldTypes.ToString().Should().NotContainAny("S", "C", "s", "t", "c", "n");
    }

    [Fact]
    public void With_AppendsAFieldTheMessageLacks_AndNulsBecomeReplacementCharacters()
    {
        var message = ErrorResponseMessage.Parse(new ReadOnlySequence<byte>("SERROR\0M1\0\0"u8.ToArray()))
            .With(new Dictionary<char, string> { ['M'] = "a\0b", ['H'] = "hint" });

        var reparsed = ErrorResponseMessage.Parse(new ReadOnlySequence<byte>(Write(BackendMessageCode.NoticeResponse, message)[5..]));

        reparsed.Fields.Should().Equal(new Dictionary<char, string> { ['S'] = "ERROR", ['M'] = "a\uFFFDb", ['H'] = "hint" });
    }

    [Fact]
    public void InvalidUtf8Text_ParsesWithAReplacingEncoding_AndAnotherEncodingWritesItsOwnBytes()
    {
        var body = new ReadOnlySequence<byte>([(byte)'M', 0x61, 0xE9, 0, 0]);

        var strict = () => ErrorResponseMessage.Parse(body);
        strict.Should().Throw<PostgresProtocolException>();
        ErrorResponseMessage.Parse(body, Encoding.UTF8).Message.Should().Be("a\uFFFD");
        var latin1 = ErrorResponseMessage.Parse(body, Encoding.Latin1);
        latin1.Message.Should().Be("aé");
        Write(BackendMessageCode.ErrorResponse, latin1, Encoding.Latin1)[5..].Should().Equal(body.ToArray());
    }

    [Fact]
    public void OtherCodes_AreRejected()
    {
        var message = new ErrorResponseMessage(new Dictionary<char, string> { ['M'] = "x" });

        var act = () => Write((byte)'D', message);

        act.Should().Throw<ArgumentException>();
    }
}
