using Vigil.Postgres.Protocol;
using Vigil.Postgres.Tests.Support;

namespace Vigil.Postgres.Tests.Results;

public class DataRowTests
{
    private static List<string?> ReadFields(ReadOnlySequence<byte> body)
    {
        var fields = new List<string?>();
        var row = new DataRowReader(body);
        while (row.MoveNext())
        {
            fields.Add(row.IsNull ? null : Convert.ToHexString(row.Value.ToArray()));
        }

        row.Index.Should().Be(row.FieldCount);
        return fields;
    }

    [Fact]
    public void Reader_EnumeratesFieldsAndNulls_OfARealRow()
    {
        var fields = ReadFields(new ReadOnlySequence<byte>(Captured.Body(Captured.BinaryDataRow)));

        fields.Should().HaveCount(5);
        fields[0].Should().Be(Convert.ToHexString("ann@example.com"u8));
        fields[1].Should().Be("0000002A");
        fields[4].Should().BeNull();
    }

    [Fact]
    public void Reader_SplitAtEveryPoint_ReadsIdentically()
    {
        foreach (var hex in new[] { Captured.BinaryDataRow, Captured.BinaryArraysDataRow, Captured.TableDataRow })
        {
            var body = Captured.Body(hex);
            var expected = ReadFields(new ReadOnlySequence<byte>(body));
            for (var split = 0; split <= body.Length; split++)
            {
                ReadFields(Segments.Split(body, split)).Should().Equal(expected);
            }

            ReadFields(Segments.OneBytePerSegment(body)).Should().Equal(expected);
        }
    }

    [Theory]
    [InlineData("0001fffffffe", "length -2")]
    [InlineData("000100000005616263", "length 5")]
    [InlineData("0001ffffffff00", "trailing")]
    [InlineData("0002ffffffff", "truncated")]
    [InlineData("00", "truncated")]
    public void Reader_RejectsMalformedBodies(string hex, string reason)
    {
        var act = () => ReadFields(new ReadOnlySequence<byte>(Convert.FromHexString(hex)));

        act.Should().Throw<PostgresProtocolException>().WithMessage($"*{reason}*");
    }

    [Fact]
    public void Rewrite_ReplacesSomeFields_CopiesTheRest_AndRecomputesLengths()
    {
        var body = Captured.Body(Captured.BinaryDataRow);
        var writer = new ArrayBufferWriter<byte>();

        DataRowWriter.Rewrite(writer, new ReadOnlySequence<byte>(body), [FieldReplacement.Of("<EMAIL_ADDRESS>"u8.ToArray()), default, FieldReplacement.Null]);

        var message = writer.WrittenSpan.ToArray();
        message[0].Should().Be((byte)'D');
        System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(message.AsSpan(1)).Should().Be(message.Length - 1);
        var original = ReadFields(new ReadOnlySequence<byte>(body));
        var rewritten = ReadFields(new ReadOnlySequence<byte>(message, 5, message.Length - 5));
        rewritten[0].Should().Be(Convert.ToHexString("<EMAIL_ADDRESS>"u8));
        rewritten[1].Should().Be(original[1]);
        rewritten[2].Should().BeNull();
        rewritten.Skip(3).Should().Equal(original.Skip(3));
    }

    [Fact]
    public void Rewrite_WithNothingReplaced_IsTheOriginalMessage_AtEverySplit()
    {
        var message = Captured.Bytes(Captured.BinaryArraysDataRow);
        var body = message[5..];

        for (var split = 0; split <= body.Length; split++)
        {
            var writer = new ArrayBufferWriter<byte>();
            DataRowWriter.Rewrite(writer, Segments.Split(body, split), []);
            writer.WrittenSpan.ToArray().Should().Equal(message);
        }
    }

    [Fact]
    public void Rewrite_TooManyReplacements_IsAnArgumentError()
    {
        var act = () => DataRowWriter.Rewrite(new ArrayBufferWriter<byte>(), new ReadOnlySequence<byte>(Captured.Body(Captured.TableDataRow)), new FieldReplacement[3]);

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Write_NewRow_ReadsBack()
    {
        var writer = new ArrayBufferWriter<byte>();

        DataRowWriter.Write(writer, ["1"u8.ToArray(), null, []]);

        Convert.ToHexString(writer.WrittenSpan).Should().Be("4400000013" + "0003" + "0000000131" + "FFFFFFFF" + "00000000");
    }
}
