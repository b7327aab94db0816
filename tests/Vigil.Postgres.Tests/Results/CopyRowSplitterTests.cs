using System.Text;
using Vigil.Postgres.Copy;
using Vigil.Postgres.Protocol;
using Vigil.Postgres.Tests.Support;

namespace Vigil.Postgres.Tests.Results;

public class CopyRowSplitterTests
{
    public static TheoryData<string, int> CapturedRuns => new()
    {
        { "text", 0 },
        { "csv", 0 },
        { "csv;header", 1 },
    };

    private static (CopyOptions Options, string[] Messages) Run(string name) => name switch
    {
        "text" => (CopyOptions.Text, Captured.CopyText),
        "csv" => (CopyOptions.Csv, Captured.CopyCsv),
        _ => (CopyOptions.Csv with { Delimiter = (byte)';' }, Captured.CopyCsvSemicolonHeader),
    };

    /// <summary>The CopyData bodies of a run, concatenated (as if the server sent them in one message).</summary>
    private static byte[] Data(string[] messages) => messages.SelectMany(Captured.Body).ToArray();

    private static List<string?[]> Split(CopyOptions options, IEnumerable<ReadOnlySequence<byte>> chunks, int maxRowLength = CopyRowSplitter.DefaultMaxRowLength)
    {
        var splitter = new CopyRowSplitter(options, Encoding.UTF8, maxRowLength);
        var rows = new List<string?[]>();
        foreach (var chunk in chunks)
        {
            splitter.Append(chunk);
            while (splitter.TryReadRow(out var row))
            {
                rows.Add(Enumerable.Range(0, row.FieldCount).Select(row.GetValue).ToArray());
            }
        }

        if (splitter.TryComplete(out var last))
        {
            rows.Add(Enumerable.Range(0, last.FieldCount).Select(last.GetValue).ToArray());
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(CapturedRuns))]
    public void RealServerCopy_OneRowPerCopyData_YieldsTheTableRows(string run, int headerRows)
    {
        var (options, messages) = Run(run);

        var rows = Split(options, messages.Select(m => new ReadOnlySequence<byte>(Captured.Body(m))));

        rows.Skip(headerRows).Should().BeEquivalentTo(Captured.CustomerRows, o => o.WithStrictOrdering());
        if (headerRows == 1)
        {
            rows[0].Should().Equal("id", "email", "note", "tags");
        }
    }

    [Theory]
    [MemberData(nameof(CapturedRuns))]
    public void RealServerCopy_AllRowsInOneMessage_SplitAtEveryPoint_YieldsTheSameRows(string run, int headerRows)
    {
        var (options, messages) = Run(run);
        var data = Data(messages);

        for (var split = 0; split <= data.Length; split++)
        {
            var rows = Split(options, [new ReadOnlySequence<byte>(data, 0, split), new ReadOnlySequence<byte>(data, split, data.Length - split)]);
            rows.Skip(headerRows).Should().BeEquivalentTo(Captured.CustomerRows, o => o.WithStrictOrdering(), $"split at {split}");
        }

        Split(options, data.Select(b => new ReadOnlySequence<byte>([b]))).Skip(headerRows)
            .Should().BeEquivalentTo(Captured.CustomerRows, o => o.WithStrictOrdering());
        Split(options, [Segments.OneBytePerSegment(data)]).Skip(headerRows)
            .Should().BeEquivalentTo(Captured.CustomerRows, o => o.WithStrictOrdering());
    }

    [Theory]
    [MemberData(nameof(CapturedRuns))]
    public void ReencodingEveryFieldAsIs_ReproducesTheServersBytes(string run, int headerRows)
    {
        // Proves the escaping (text) and quoting (CSV) rules match PostgreSQL's COPY TO output.
        var (options, messages) = Run(run);
        var splitter = new CopyRowSplitter(options, Encoding.UTF8);

        foreach (var message in messages)
        {
            splitter.Append(new ReadOnlySequence<byte>(Captured.Body(message)));
            splitter.TryReadRow(out var row).Should().BeTrue();
            for (var i = 0; i < row!.FieldCount; i++)
            {
                row.SetValue(i, row.GetValue(i));
            }

            row.IsChanged.Should().BeTrue();
            var writer = new ArrayBufferWriter<byte>();
            row.WriteCopyData(writer);
            Convert.ToHexString(writer.WrittenSpan).Should().BeEquivalentTo(message);
        }

        headerRows.Should().BeLessThan(messages.Length);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("csv")]
    [InlineData("csv;header")]
    public void MaskedValuesWithDelimitersQuotesAndNewlines_ReadBackExactly(string run)
    {
        var (options, messages) = Run(run);
        string?[] masked = ["a\tb;c,d", "\"<EMAIL_ADDRESS>\"\r\n\\N", null, ""];
        var output = new ArrayBufferWriter<byte>();
        var splitter = new CopyRowSplitter(options, Encoding.UTF8);
        splitter.Append(new ReadOnlySequence<byte>(Data(messages)));
        var rows = 0;
        while (splitter.TryReadRow(out var row))
        {
            for (var i = 0; i < masked.Length; i++)
            {
                row.SetValue(i, masked[i]);
            }

            row.WriteCopyData(output);
            rows++;
        }

        var reread = new List<string?[]>();
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(output.WrittenMemory));
        var again = new CopyRowSplitter(options, Encoding.UTF8);
        while (MessageReader.TryReadMessage(ref reader, 1 << 20, out var code, out var body))
        {
            code.Should().Be(BackendMessageCode.CopyData);
            again.Append(body);
            while (again.TryReadRow(out var row))
            {
                reread.Add(Enumerable.Range(0, row.FieldCount).Select(row.GetValue).ToArray());
            }
        }

        reread.Should().HaveCount(rows).And.OnlyContain(r => r.SequenceEqual(masked));
    }

    [Fact]
    public void UnchangedRow_IsForwardedAsItsRawBytes()
    {
        var body = Captured.Body(Captured.CopyCsv[0]);
        var splitter = new CopyRowSplitter(CopyOptions.Csv, Encoding.UTF8);
        splitter.Append(new ReadOnlySequence<byte>(body));

        splitter.TryReadRow(out var row).Should().BeTrue();

        row!.Raw.ToArray().Should().Equal(body);
        row.GetEncodedLength().Should().Be(body.Length);
        row.IsNull(2).Should().BeFalse();
    }

    [Fact]
    public void InvalidUtf8_IsScannedWithReplacement_AndKeptWhenUnchanged()
    {
        byte[] data = [0x31, 0x09, 0x61, 0xFF, 0x0A];
        var splitter = new CopyRowSplitter(CopyOptions.Text, Encoding.UTF8);
        splitter.Append(new ReadOnlySequence<byte>(data));

        splitter.TryReadRow(out var row).Should().BeTrue();

        row!.GetValue(1).Should().Be("a\uFFFD");
        var bytes = new byte[row.GetEncodedLength()];
        row.WriteTo(bytes);
        bytes.Should().Equal(data);
    }

    [Fact]
    public void TextEscapes_OctalHexAndOthers_AreDecoded()
    {
        var splitter = new CopyRowSplitter(CopyOptions.Text, Encoding.UTF8);
        splitter.Append(new ReadOnlySequence<byte>(@"\101\x42\x4\q\N\b\f\r\v|\N"u8.ToArray().Append((byte)'\t').Concat(@"\N"u8.ToArray()).Append((byte)'\n').ToArray()));

        splitter.TryReadRow(out var row).Should().BeTrue();

        row!.GetValue(0).Should().Be("AB\u0004qN\b\f\r\v|N");
        row.GetValue(1).Should().BeNull();
    }

    [Fact]
    public void CsvWithABackslashEscape_KeepsEscapedQuotesInsideTheField()
    {
        var options = CopyOptions.FromStatement([new("format", "csv"), new("escape", "\\")])!;
        var splitter = new CopyRowSplitter(options, Encoding.UTF8);
        splitter.Append(new ReadOnlySequence<byte>("\"a\\\"b\n\",c\n"u8.ToArray()));

        splitter.TryReadRow(out var row).Should().BeTrue();

        row!.GetValue(0).Should().Be("a\"b\n");
        row.GetValue(1).Should().Be("c");
        row.SetValue(0, "x\"y\\z");
        var bytes = new byte[row.GetEncodedLength()];
        row.WriteTo(bytes);
        Encoding.UTF8.GetString(bytes).Should().Be("\"x\\\"y\\\\z\",c\n");
    }

    [Fact]
    public void ARowLongerThanTheLimit_FailsClosed()
    {
        var splitter = new CopyRowSplitter(CopyOptions.Text, Encoding.UTF8, maxRowLength: 16);
        splitter.Append(new ReadOnlySequence<byte>(new byte[10]));
        splitter.TryReadRow(out _).Should().BeFalse();
        splitter.Append(new ReadOnlySequence<byte>(new byte[10]));

        var act = () => splitter.TryReadRow(out _);

        act.Should().Throw<PostgresProtocolException>().WithMessage("*longer than 16 bytes*");
    }

    [Fact]
    public void ManyShortRowsInOneMessage_AreNotBoundByTheRowLimit()
    {
        var data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 1000).Select(i => $"{i}\tx\n")));

        Split(CopyOptions.Text, [new ReadOnlySequence<byte>(data)], maxRowLength: 16).Should().HaveCount(1000);
    }

    [Fact]
    public void AnUnterminatedLastRow_IsReturnedAtCompletion_AnOpenCsvQuoteIsAnError()
    {
        Split(CopyOptions.Text, [new ReadOnlySequence<byte>("1\ta"u8.ToArray())]).Should().ContainSingle().Which.Should().Equal("1", "a");

        var open = () => Split(CopyOptions.Csv, [new ReadOnlySequence<byte>("1,\"a\n"u8.ToArray())]);
        open.Should().Throw<PostgresProtocolException>().WithMessage("*quoted*");
    }

    [Fact]
    public void CopyOutResponse_FromARealServer_IsTextualWithFourTextColumns()
    {
        var response = CopyResponseMessage.Parse(new ReadOnlySequence<byte>(Captured.Body(Captured.CopyOutResponse)));

        response.IsBinary.Should().BeFalse();
        response.ColumnFormats.Should().Equal(0, 0, 0, 0);
    }

    [Theory]
    [InlineData("02" + "0000")]
    [InlineData("00" + "0001" + "0002")]
    [InlineData("00" + "0002" + "0000")]
    [InlineData("00" + "0000" + "00")]
    public void MalformedCopyResponses_AreRejected(string hex)
    {
        var act = () => CopyResponseMessage.Parse(new ReadOnlySequence<byte>(Convert.FromHexString(hex)));

        act.Should().Throw<PostgresProtocolException>();
    }

    [Fact]
    public void StatementOptions_SelectFormatAndDelimiter()
    {
        CopyOptions.FromStatement([]).Should().Be(CopyOptions.Text);
        CopyOptions.FromStatement([new("FORMAT", "CSV"), new("delimiter", ";"), new("header", null)])
            .Should().Be(CopyOptions.Csv with { Delimiter = (byte)';' });
        CopyOptions.FromStatement([new("format", "csv"), new("quote", "'")])
            .Should().Be(CopyOptions.Csv with { Quote = (byte)'\'', Escape = (byte)'\'' });
        CopyOptions.FromStatement([new("null", "NA"), new("encoding", "LATIN1")])!.EncodingName.Should().Be("LATIN1");
        CopyOptions.FromStatement([new("format", "binary")]).Should().BeNull();

        var twoBytes = () => CopyOptions.FromStatement([new("delimiter", "ab")]);
        twoBytes.Should().Throw<ArgumentException>();
        var unknown = () => CopyOptions.FromStatement([new("colour", "red")]);
        unknown.Should().Throw<ArgumentException>();
    }
}
