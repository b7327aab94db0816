using System.Text;
using Vigil.Postgres.Protocol;
using Vigil.Postgres.Tests.Support;
using Vigil.Postgres.Types;

namespace Vigil.Postgres.Tests.Results;

public class RowDescriptionTests
{
    [Fact]
    public void BinaryResultDescription_FromARealServer_HasEveryColumnAttribute()
    {
        var fields = RowDescriptionMessage.Parse(new ReadOnlySequence<byte>(Captured.Body(Captured.BinaryRowDescription))).Fields;

        fields.Select(f => f.Name).Should().Equal("email", "n", "doc", "tags", "nothing");
        fields.Select(f => f.TypeOid).Should().Equal(25u, 23u, 3802u, 1009u, 25u);
        fields.Select(f => f.TypeSize).Should().Equal(-1, 4, -1, -1, -1);
        fields.Should().OnlyContain(f => f.FormatCode == 1 && f.IsBinary && f.TableOid == 0 && f.TypeModifier == -1);
        fields.Select(f => PostgresTypes.GetName(f.TypeOid)).Should().Equal("text", "int4", "jsonb", "text[]", "text");
    }

    [Fact]
    public void TableColumns_CarryTableOidAndAttributeNumber()
    {
        var fields = RowDescriptionMessage.Parse(new ReadOnlySequence<byte>(Captured.Body(Captured.TableRowDescription))).Fields;

        fields.Should().Equal(
            new RowDescriptionField("id", 16388, 1, 23, 4, -1, 0),
            new RowDescriptionField("email", 16388, 2, 25, -1, -1, 0));
    }

    [Fact]
    public void TypeModifier_OfBpchar3_IsLengthPlus4()
    {
        var fields = RowDescriptionMessage.Parse(new ReadOnlySequence<byte>(Captured.Body(Captured.BinaryArraysRowDescription))).Fields;

        fields.Select(f => (f.Name, f.TypeOid, f.TypeModifier)).Should().Equal(
            ("docs", 3807u, -1), ("grid", 1015u, -1), ("padded", 1042u, 7), ("empty", 25u, -1));
    }

    [Fact]
    public void SplitAtEveryPoint_ParsesIdentically()
    {
        var body = Captured.Body(Captured.BinaryRowDescription);
        var expected = RowDescriptionMessage.Parse(new ReadOnlySequence<byte>(body)).Fields;

        for (var split = 0; split <= body.Length; split++)
        {
            RowDescriptionMessage.Parse(Segments.Split(body, split)).Fields.Should().Equal(expected);
        }

        RowDescriptionMessage.Parse(Segments.OneBytePerSegment(body)).Fields.Should().Equal(expected);
    }

    [Fact]
    public void EveryPrefix_IsRejectedAsTruncated()
    {
        var body = Captured.Body(Captured.BinaryRowDescription);

        for (var length = 0; length < body.Length; length++)
        {
            var act = () => RowDescriptionMessage.Parse(new ReadOnlySequence<byte>(body, 0, length));
            act.Should().Throw<PostgresProtocolException>($"prefix of {length} bytes");
        }
    }

    [Theory]
    [InlineData("0001" + "6100" + "00000000" + "0000" + "00000019" + "ffff" + "ffffffff" + "0002", "format code 2")]
    [InlineData("ffff" + "6100", "do not fit")]
    [InlineData("0000" + "00", "trailing")]
    public void MalformedBodies_AreRejected(string hex, string reason)
    {
        var act = () => RowDescriptionMessage.Parse(new ReadOnlySequence<byte>(Convert.FromHexString(hex)));

        act.Should().Throw<PostgresProtocolException>().WithMessage($"*{reason}*");
    }

    [Fact]
    public void ColumnNames_InvalidUtf8_StrictThrowsReplacingEncodingSubstitutes()
    {
        var body = Convert.FromHexString("0001" + "61ff00" + "00000000" + "0000" + "00000019" + "ffff" + "ffffffff" + "0000");

        var strict = () => RowDescriptionMessage.Parse(new ReadOnlySequence<byte>(body));
        strict.Should().Throw<PostgresProtocolException>();
        RowDescriptionMessage.Parse(new ReadOnlySequence<byte>(body), Encoding.UTF8).Fields[0].Name.Should().Be("a\uFFFD");
    }

    [Theory]
    [InlineData("0000", new short[] { 0, 0, 0, 0, 0 })]
    [InlineData("00010001", new short[] { 1, 1, 1, 1, 1 })]
    [InlineData("0002" + "0001" + "0000", new short[] { 1, 0, 0, 0, 0 })]
    public void StatementDescription_TakesTheBindsResultFormats(string resultFormats, short[] expected)
    {
        // Bind: unnamed portal and statement, no parameter formats, no parameters, then the result format codes.
        var bind = BindMessage.Parse(new ReadOnlySequence<byte>(Convert.FromHexString("00" + "00" + "0000" + "0000" + resultFormats)));
        var statement = RowDescriptionMessage.Parse(new ReadOnlySequence<byte>(Captured.Body(Captured.BinaryRowDescription)));
        statement = new RowDescriptionMessage(statement.Fields.Select(f => f with { FormatCode = 0 }).ToArray());

        var portal = statement.ForPortal(bind);

        portal.Fields.Select(f => f.FormatCode).Should().Equal(expected);
        portal.Fields.Select(f => f.Name).Should().Equal(statement.Fields.Select(f => f.Name));
    }
}
