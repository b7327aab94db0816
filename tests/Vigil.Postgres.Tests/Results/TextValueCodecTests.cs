using System.Text;
using Vigil.Postgres.Protocol;
using Vigil.Postgres.Types;

namespace Vigil.Postgres.Tests.Results;

public class TextValueCodecTests
{
    /// <summary>The non-NULL field values of a captured DataRow.</summary>
    private static List<byte[]?> Values(string dataRowHex)
    {
        var values = new List<byte[]?>();
        var row = new DataRowReader(new ReadOnlySequence<byte>(Captured.Body(dataRowHex)));
        while (row.MoveNext())
        {
            values.Add(row.IsNull ? null : row.Value.ToArray());
        }

        return values;
    }

    private static TextValue Decode(byte[] value, uint oid, short format = 1) =>
        TextValueCodec.Decode(new ReadOnlySequence<byte>(value), oid, format, Encoding.UTF8);

    [Fact]
    public void Jsonb_FromARealServer_DecodesWithoutTheVersionByte_AndReencodesIdentically()
    {
        var doc = Values(Captured.BinaryDataRow)[2]!;

        var value = Decode(doc, PostgresTypes.Jsonb);

        value.IsArray.Should().BeFalse();
        value.Elements.Should().Equal("{\"email\": \"ann@example.com\"}");
        TextValueCodec.ToBytes(value, Encoding.UTF8).Should().Equal(doc);
    }

    [Fact]
    public void TextArray_FromARealServer_DecodesElementsAndNulls_AndReencodesIdentically()
    {
        var tags = Values(Captured.BinaryDataRow)[3]!;

        var value = Decode(tags, PostgresTypes.TextArray);

        value.IsArray.Should().BeTrue();
        value.Elements.Should().Equal("ann@example.com", null, "b c");
        TextValueCodec.ToBytes(value, Encoding.UTF8).Should().Equal(tags);
    }

    [Fact]
    public void TextArray_MaskedElement_ChangesOnlyThatElementAndItsLength()
    {
        var value = Decode(Values(Captured.BinaryDataRow)[3]!, PostgresTypes.TextArray);

        value.Elements[0] = "<EMAIL_ADDRESS>";
        value.Elements[2] = null;
        var bytes = TextValueCodec.ToBytes(value, Encoding.UTF8);

        TextValueCodec.GetEncodedLength(value, Encoding.UTF8).Should().Be(bytes.Length);
        Decode(bytes, PostgresTypes.TextArray).Elements.Should().Equal("<EMAIL_ADDRESS>", null, null);
        Convert.ToHexString(bytes).Should().StartWith("00000001" + "00000001" + "00000019" + "00000003" + "00000001" + "0000000F");
    }

    [Fact]
    public void ArraysOfJsonb_TwoDimensionalVarchar_AndBpchar_FromARealServer_RoundTrip()
    {
        var values = Values(Captured.BinaryArraysDataRow);

        var docs = Decode(values[0]!, PostgresTypes.JsonbArray);
        docs.Elements.Should().Equal("{\"e\": \"x@y.z\"}", null);
        TextValueCodec.ToBytes(docs, Encoding.UTF8).Should().Equal(values[0]);

        var grid = Decode(values[1]!, PostgresTypes.VarcharArray);
        grid.Elements.Should().Equal("a", "b", "c", "d");
        TextValueCodec.ToBytes(grid, Encoding.UTF8).Should().Equal(values[1]);

        Decode(values[2]!, PostgresTypes.Bpchar).Elements.Should().Equal("é  ");
        Decode(values[3]!, PostgresTypes.Text).Elements.Should().Equal("");
    }

    [Fact]
    public void EmptyArray_FromARealServer_RoundTrips()
    {
        var bytes = Captured.Bytes(Captured.EmptyTextArray);

        var value = Decode(bytes, PostgresTypes.TextArray);

        value.IsArray.Should().BeTrue();
        value.Elements.Should().BeEmpty();
        TextValueCodec.ToBytes(value, Encoding.UTF8).Should().Equal(bytes);
    }

    [Fact]
    public void TextFormat_IsTextForEveryType_BinaryOnlyForTextLikeTypes()
    {
        TextValueCodec.IsTextLike(23, 0).Should().BeTrue();
        TextValueCodec.IsTextLike(PostgresTypes.Bytea, 0).Should().BeFalse();
        TextValueCodec.IsTextLike(23, 1).Should().BeFalse();
        TextValueCodec.IsTextLike(17, 1).Should().BeFalse();
        foreach (var oid in new uint[] { 25, 1043, 1042, 19, 114, 3802, 142, 705, 1009, 1015, 1014, 1003, 199, 3807, 143 })
        {
            TextValueCodec.IsTextLike(oid, 1).Should().BeTrue($"OID {oid}");
        }

        var act = () => Decode([0, 0, 0, 42], 23);
        act.Should().Throw<ArgumentException>();
        Decode("42"u8.ToArray(), 23, format: 0).Elements.Should().Equal("42");
    }

    [Fact]
    public void InvalidUtf8_DecodesWithReplacement_WithoutThrowing()
    {
        // The masker scans "a\uFFFDb"; it keeps the original bytes when it masks nothing, so the client gets 61 FF 62.
        Decode([0x61, 0xFF, 0x62], PostgresTypes.Text).Elements.Should().Equal("a\uFFFDb");

        var strict = () => TextValueCodec.Decode(new ReadOnlySequence<byte>([0x61, 0xFF]), PostgresTypes.Text, 1, new UTF8Encoding(false, true));
        strict.Should().Throw<PostgresProtocolException>().Which.SqlState.Should().Be("22021");
    }

    [Theory]
    [InlineData("000000070000000000000019", "7 dimensions")]
    [InlineData("000000010000000200000019", "flags 2")]
    [InlineData("000000010000000000000017", "element type 23")]
    [InlineData("00000001000000000000001900000001000000010000000561", "length 5")]
    [InlineData("0000000100000000000000190000000100000001fffffffe", "length -2")]
    [InlineData("000000010000000000000019ffffffff00000001", "length -1")]
    [InlineData("00000001000000000000001940000000000000010000000161", "do not fit")]
    [InlineData("0000000000000000000000190000", "trailing")]
    [InlineData("00000000", "truncated")]
    public void MalformedArrays_AreProtocolErrors(string hex, string reason)
    {
        var act = () => Decode(Convert.FromHexString(hex), PostgresTypes.TextArray);

        act.Should().Throw<PostgresProtocolException>().WithMessage($"*{reason}*");
    }

    [Fact]
    public void JsonbWithAnotherVersion_IsAProtocolError()
    {
        var act = () => Decode([2, (byte)'{', (byte)'}'], PostgresTypes.Jsonb);

        act.Should().Throw<PostgresProtocolException>().WithMessage("*version*");
    }

    [Fact]
    public void TypeNames_AreTypnames_ArraysWithBrackets_UnknownAsNumber()
    {
        PostgresTypes.GetName(23).Should().Be("int4");
        PostgresTypes.GetName(1184).Should().Be("timestamptz");
        PostgresTypes.GetName(1009).Should().Be("text[]");
        PostgresTypes.GetName(16999).Should().Be("16999");
    }

    [Fact]
    public void ClientEncodings_MapToDotNetEncodings()
    {
        PostgresText.ForClientEncoding("UTF8").Should().Be(Encoding.UTF8);
        PostgresText.ForClientEncoding(null).Should().Be(Encoding.UTF8);
        PostgresText.ForClientEncoding("latin1")!.GetString([0xE9]).Should().Be("é");
        PostgresText.ForClientEncoding("SQL_ASCII")!.GetString([0x80]).Should().Be("\u0080");
        PostgresText.ForClientEncoding("WIN1252")!.GetString([0x80]).Should().Be("€");
        PostgresText.ForClientEncoding("KOI8R")!.GetString([0xC1]).Should().Be("а");
        PostgresText.ForClientEncoding("EUC_JP").Should().BeNull();
    }

    [Fact]
    public void DecodeWithOffsets_MapsCharactersBackToBytes_ThroughMultibyteInvalidAndCutCharacters()
    {
        // "é" (2 bytes), "😀" (4 bytes, 2 UTF-16 units), an invalid FF, "a@b.co", then "é" cut after its first byte.
        byte[] bytes = [0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0xFF, .. "a@b.co"u8, 0xC3];

        var text = PostgresText.DecodeWithOffsets(bytes, Encoding.UTF8, out var offsets);

        text.Should().Be("é😀\uFFFDa@b.co\uFFFD");
        offsets.Should().Equal(0, 2, 2, 6, 7, 8, 9, 10, 11, 12, 13, 14);
        var match = text.IndexOf("a@b.co", StringComparison.Ordinal);
        bytes[offsets[match]..offsets[match + 6]].Should().Equal("a@b.co"u8.ToArray());

        PostgresText.DecodeWithOffsets([0x61, 0xE9], Encoding.Latin1, out var single).Should().Be("aé");
        single.Should().Equal(0, 1, 2);
        var act = () => PostgresText.DecodeWithOffsets([0x61], Encoding.Unicode, out _);
        act.Should().Throw<ArgumentException>();
    }
}
