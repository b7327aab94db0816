using System.Buffers.Binary;
using Vigil.Postgres.Protocol;
using Vigil.Postgres.Tests.Support;

namespace Vigil.Postgres.Tests;

public class RoundTripTests
{
    [Fact]
    public void ErrorResponse_RoundTrips()
    {
        var bytes = Wire.Write(w => BackendMessageWriter.WriteErrorResponse(w, "FATAL", "28P01", "password authentication failed", "detail", "hint"));

        bytes[0].Should().Be(BackendMessageCode.ErrorResponse);
        var error = ErrorResponseMessage.Parse(Wire.Body(bytes));
        error.Severity.Should().Be("FATAL");
        error.SqlState.Should().Be("28P01");
        error.Message.Should().Be("password authentication failed");
        error.Detail.Should().Be("detail");
        error.Hint.Should().Be("hint");
        error.Fields.Keys.Should().Equal('S', 'V', 'C', 'M', 'D', 'H');
    }

    [Fact]
    public void NoticeResponse_RoundTrips_WithoutOptionalFields()
    {
        var bytes = Wire.Write(w => BackendMessageWriter.WriteNoticeResponse(w, "NOTICE", "00000", "hello"));

        bytes[0].Should().Be(BackendMessageCode.NoticeResponse);
        var notice = ErrorResponseMessage.Parse(Wire.Body(bytes));
        notice.Fields.Should().HaveCount(4);
        notice.Detail.Should().BeNull();
    }

    [Fact]
    public void Severity_FallsBackToS()
    {
        var notice = ErrorResponseMessage.Parse(new ReadOnlySequence<byte>("SERREUR\0\0"u8.ToArray()));

        notice.Severity.Should().Be("ERREUR");
    }

    [Theory]
    [InlineData("INSERT 0 5", 5L)]
    [InlineData("UPDATE 3", 3L)]
    [InlineData("DELETE 0", 0L)]
    [InlineData("SELECT 12345678901", 12345678901L)]
    [InlineData("MOVE 2", 2L)]
    [InlineData("FETCH 7", 7L)]
    [InlineData("COPY 9", 9L)]
    [InlineData("MERGE 4", 4L)]
    [InlineData("CREATE TABLE", null)]
    [InlineData("BEGIN", null)]
    [InlineData("SELECT x", null)]
    [InlineData("SELECT -1", null)]
    [InlineData("INSERT 5", null)]
    [InlineData("", null)]
    public void CommandComplete_RowsParsesTag(string tag, long? rows)
    {
        var bytes = Wire.Write(w => BackendMessageWriter.WriteCommandComplete(w, tag));

        var message = CommandCompleteMessage.Parse(Wire.Body(bytes));

        message.Tag.Should().Be(tag);
        message.Rows.Should().Be(rows);
    }

    [Fact]
    public void SimpleBackendMessages_RoundTrip()
    {
        ReadyForQueryMessage.Parse(Wire.Body(Wire.Write(w => BackendMessageWriter.WriteReadyForQuery(w, TransactionStatus.InTransaction))))
            .TransactionStatus.Should().Be((byte)'T');
        BackendKeyDataMessage.Parse(Wire.Body(Wire.Write(w => BackendMessageWriter.WriteBackendKeyData(w, 99, -3))))
            .Should().Be(new BackendKeyDataMessage(99, -3));
        ParameterStatusMessage.Parse(Wire.Body(Wire.Write(w => BackendMessageWriter.WriteParameterStatus(w, "TimeZone", "UTC"))))
            .Should().Be(new ParameterStatusMessage("TimeZone", "UTC"));
        Wire.Write(BackendMessageWriter.WriteEmptyQueryResponse).Should().Equal((byte)'I', 0, 0, 0, 4);
        Wire.Write(BackendMessageWriter.WriteAuthenticationOk).Should().Equal((byte)'R', 0, 0, 0, 8, 0, 0, 0, 0);
        Wire.Write(BackendMessageWriter.WriteAuthenticationCleartextPassword).Should().Equal((byte)'R', 0, 0, 0, 8, 0, 0, 0, 3);
    }

    [Fact]
    public void ReadyForQuery_RejectsInvalidStatus()
    {
        var act = () => Wire.Write(w => BackendMessageWriter.WriteReadyForQuery(w, (byte)'X'));

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Authentication_Md5AndSasl_RoundTrip()
    {
        var md5 = AuthenticationMessage.Parse(Wire.Body(Wire.Write(w => BackendMessageWriter.WriteAuthenticationMD5Password(w, [9, 8, 7, 6]))));
        md5.Type.Should().Be(AuthenticationMessage.MD5Password);
        md5.GetMd5Salt().Should().Equal(9, 8, 7, 6);

        var sasl = AuthenticationMessage.Parse(Wire.Body(Wire.Write(w => BackendMessageWriter.WriteAuthenticationSasl(w, ["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"]))));
        sasl.Type.Should().Be(AuthenticationMessage.Sasl);
        sasl.GetSaslMechanisms().Should().Equal("SCRAM-SHA-256", "SCRAM-SHA-256-PLUS");

        var act = () => sasl.GetMd5Salt();
        act.Should().Throw<PostgresProtocolException>();
    }

    [Fact]
    public void NegotiateProtocolVersion_HasDocumentedLayout()
    {
        var bytes = Wire.Write(w => BackendMessageWriter.WriteNegotiateProtocolVersion(w, 0, ["_pq_.a", "_pq_.b"]));

        bytes[0].Should().Be(BackendMessageCode.NegotiateProtocolVersion);
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)).Should().Be(bytes.Length - 1);
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(5)).Should().Be(0);
        BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(9)).Should().Be(2);
        bytes.AsSpan(13).ToArray().Should().Equal("_pq_.a\0_pq_.b\0"u8.ToArray());
    }

    [Fact]
    public void FrontendSaslMessages_HaveDocumentedLayout()
    {
        var initial = Wire.Write(w => FrontendMessageWriter.WriteSaslInitialResponse(w, "SCRAM-SHA-256", "n,,n=,r=x"u8));
        initial.Should().Equal([(byte)'p', 0, 0, 0, 31, .. "SCRAM-SHA-256\0"u8, 0, 0, 0, 9, .. "n,,n=,r=x"u8]);

        var response = Wire.Write(w => FrontendMessageWriter.WriteSaslResponse(w, "abc"u8));
        response.Should().Equal([(byte)'p', 0, 0, 0, 7, .. "abc"u8]);
    }

    [Fact]
    public void PasswordMessage_RoundTrips_AndHidesPasswordInToString()
    {
        var message = PasswordMessage.Parse(Wire.Body(Wire.Write(w => FrontendMessageWriter.WritePasswordMessage(w, "s3cret"))));

        message.Password.Should().Be("s3cret");
        message.ToString().Should().NotContain("s3cret");
    }

    [Fact]
    public void Writers_RejectEmbeddedNul()
    {
        var act = () => Wire.Write(w => FrontendMessageWriter.WriteQuery(w, "SELECT 1\0; DROP TABLE x"));

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Query_WithEmbeddedNul_IsRejectedByParser()
    {
        var act = () => QueryMessage.Parse(new ReadOnlySequence<byte>("SELECT 1\0DROP TABLE x\0"u8.ToArray()));

        act.Should().Throw<PostgresProtocolException>();
    }

    [Fact]
    public void FrontendCodes_IsKnown()
    {
        foreach (var c in "QPBEDSHCXdcfFp")
        {
            FrontendMessageCode.IsKnown((byte)c).Should().BeTrue(c.ToString());
        }

        foreach (var c in "RZTAa1\0")
        {
            FrontendMessageCode.IsKnown((byte)c).Should().BeFalse(c.ToString());
        }
    }
}
