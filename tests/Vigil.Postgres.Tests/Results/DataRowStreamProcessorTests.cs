using System.Text;
using System.Text.RegularExpressions;
using Vigil.Postgres.Protocol;
using Vigil.Postgres.Streaming;
using Vigil.Postgres.Tests.Support;
using Vigil.Postgres.Types;

namespace Vigil.Postgres.Tests.Results;

public partial class DataRowStreamProcessorTests
{
    // Columns: 0 int4 (binary, pass), 1 text (scanned), 2 text[] (binary), 3 jsonb (binary), 4 NULL, 5 bytea (binary, pass),
    // 6 jsonb[] (binary), 7 text not scanned by the caller.
    private static readonly StreamedValueKind[] Kinds =
    [
        StreamedValueKind.PassThrough, StreamedValueKind.Text, StreamedValueKind.TextArray, StreamedValueKind.Jsonb,
        StreamedValueKind.Text, StreamedValueKind.PassThrough, StreamedValueKind.JsonbArray, StreamedValueKind.PassThrough,
    ];

    [GeneratedRegex("[a-z0-9.]+@[a-z0-9]+\\.[a-z]{2,}")]
    private static partial Regex Email();

    /// <summary>The scanner under test: finds e-mail addresses in a window (Latin-1: one char per byte) and stars them.</summary>
    private static void StarEmails(int field, Span<byte> window, DataRowWindow info)
    {
        foreach (Match match in Email().Matches(Encoding.Latin1.GetString(window)))
        {
            window.Slice(match.Index, match.Length).Fill((byte)'*');
        }
    }

    private static string Star(string text) => Email().Replace(text, m => new string('*', m.Length));

    private static byte[] Array(uint oid, params string?[] elements)
    {
        // Encoded by the codec under its own tests (round-trips PostgreSQL's array_send bytes).
        var value = TextValueCodec.Decode(new ReadOnlySequence<byte>(Captured.Bytes(Captured.EmptyTextArray)), PostgresTypes.TextArray, 1, Encoding.Latin1);
        var header = TextValueCodec.ToBytes(value, Encoding.Latin1);
        var body = new ArrayBufferWriter<byte>();
        body.Write(new byte[] { 0, 0, 0, 1, 0, 0, 0, (byte)(elements.Contains(null) ? 1 : 0) });
        var elementOid = TextValueCodec.ElementOf(oid);
        body.Write(new[] { (byte)(elementOid >> 24), (byte)(elementOid >> 16), (byte)(elementOid >> 8), (byte)elementOid });
        body.Write(BigEndian(elements.Length));
        body.Write(BigEndian(1));
        foreach (var element in elements)
        {
            var bytes = element is null ? null : (elementOid == PostgresTypes.Jsonb ? [1, .. Encoding.Latin1.GetBytes(element)] : Encoding.Latin1.GetBytes(element));
            body.Write(BigEndian(bytes?.Length ?? -1));
            body.Write(bytes ?? []);
        }

        header.Should().HaveCount(12);
        return body.WrittenSpan.ToArray();
    }

    private static byte[] BigEndian(int value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    private static byte[] Row(int textLength, int arrayElements)
    {
        var random = new Random(textLength);
        var text = new StringBuilder();
        while (text.Length < textLength)
        {
            text.Append(random.Next(3) == 0 ? $" user{random.Next(1000)}@example.com " : new string('x', random.Next(1, 40)));
        }

        var elements = Enumerable.Range(0, arrayElements).Select(i => i % 7 == 3 ? null : i % 2 == 0 ? $"id{i}@mail.org" : $"plain {i}").ToArray();
        var writer = new ArrayBufferWriter<byte>();
        DataRowWriter.Write(writer,
        [
            [0, 0, 0, 42],
            Encoding.Latin1.GetBytes(text.ToString()),
            Array(PostgresTypes.TextArray, elements),
            [1, .. Encoding.Latin1.GetBytes("{\"email\": \"ann@example.com\", \"n\": 1}")],
            null,
            Encoding.Latin1.GetBytes("raw ann@example.com bytes"),
            Array(PostgresTypes.JsonbArray, "{\"a\": \"bob@example.org\"}", null),
            Encoding.Latin1.GetBytes("unscanned ann@example.com"),
        ]);
        return writer.WrittenSpan[5..].ToArray();
    }

    /// <summary>The same masking applied to whole values (what a row that fits the buffer gets).</summary>
    private static byte[] Reference(byte[] body)
    {
        var replacements = new FieldReplacement[Kinds.Length];
        var row = new DataRowReader(new ReadOnlySequence<byte>(body));
        while (row.MoveNext())
        {
            if (row.IsNull || Kinds[row.Index] == StreamedValueKind.PassThrough)
            {
                continue;
            }

            var oid = Kinds[row.Index] switch
            {
                StreamedValueKind.TextArray => PostgresTypes.TextArray,
                StreamedValueKind.JsonbArray => PostgresTypes.JsonbArray,
                StreamedValueKind.Jsonb => PostgresTypes.Jsonb,
                _ => PostgresTypes.Text,
            };
            var value = TextValueCodec.Decode(row.Value, oid, 1, Encoding.Latin1);
            for (var i = 0; i < value.Elements.Length; i++)
            {
                value.Elements[i] = value.Elements[i] is { } e ? Star(e) : null;
            }

            replacements[row.Index] = FieldReplacement.Of(value, Encoding.Latin1);
        }

        var writer = new ArrayBufferWriter<byte>();
        DataRowWriter.Rewrite(writer, new ReadOnlySequence<byte>(body), replacements);
        return writer.WrittenSpan[5..].ToArray();
    }

    private static byte[] Stream(IEnumerable<ReadOnlySequence<byte>> chunks, long length, int window, int overlap, DataRowWindowScanner? scanner = null)
    {
        using var processor = new DataRowStreamProcessor(window, overlap);
        var output = new ArrayBufferWriter<byte>();
        processor.Begin(length, i => Kinds[i], scanner ?? StarEmails);
        foreach (var chunk in chunks)
        {
            processor.Process(chunk, output);
        }

        processor.IsComplete.Should().BeTrue();
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void LargeRow_InRandomChunks_IsMaskedAsIfWhole_WithTheSameLength()
    {
        var body = Row(textLength: 300_000, arrayElements: 3000);
        var expected = Reference(body);
        var random = new Random(5);
        var chunks = new List<ReadOnlySequence<byte>>();
        for (var at = 0; at < body.Length;)
        {
            var size = Math.Min(body.Length - at, random.Next(1, 9000));
            chunks.Add(new ReadOnlySequence<byte>(body, at, size));
            at += size;
        }

        var output = Stream(chunks, body.Length, window: 4096, overlap: 64);

        output.Should().HaveCount(body.Length);
        output.Should().Equal(expected);
        var text = Encoding.Latin1.GetString(output);
        text.Should().Contain("raw ann@example.com bytes").And.Contain("unscanned ann@example.com").And.NotContain("@mail.org");
        Regex.IsMatch(text, "user[0-9]+@").Should().BeFalse();
        Regex.IsMatch(Encoding.Latin1.GetString(body), "user[0-9]+@").Should().BeTrue();
        Stream([new ReadOnlySequence<byte>(body)], body.Length, DataRowStreamProcessor.DefaultWindowSize, DataRowStreamProcessor.DefaultOverlap)
            .Should().Equal(expected);
    }

    [Fact]
    public void SmallWindows_SplitAtEveryPoint_GiveTheSameOutput()
    {
        var body = Row(textLength: 500, arrayElements: 12);
        var expected = Reference(body);
        expected.Should().NotEqual(body);

        for (var split = 0; split <= body.Length; split++)
        {
            Stream([new ReadOnlySequence<byte>(body, 0, split), new ReadOnlySequence<byte>(body, split, body.Length - split)], body.Length, 64, 24)
                .Should().Equal(expected, $"split at {split}");
            Stream([Segments.Split(body, split)], body.Length, 64, 24).Should().Equal(expected);
        }

        Stream(body.Select(b => new ReadOnlySequence<byte>([b])), body.Length, 64, 24).Should().Equal(expected);
    }

    [Fact]
    public void AScannerThatOverwritesEverything_CannotBreakArrayOrJsonbStructure()
    {
        var body = Row(textLength: 2000, arrayElements: 50);

        var output = Stream([new ReadOnlySequence<byte>(body)], body.Length, 64, 16, (_, window, _) => window.Fill((byte)'*'));

        var row = new DataRowReader(new ReadOnlySequence<byte>(output));
        var values = new List<TextValue?>();
        while (row.MoveNext())
        {
            values.Add(row.IsNull || Kinds[row.Index] == StreamedValueKind.PassThrough ? null
                : TextValueCodec.Decode(row.Value, Kinds[row.Index] switch
                {
                    StreamedValueKind.TextArray => PostgresTypes.TextArray,
                    StreamedValueKind.JsonbArray => PostgresTypes.JsonbArray,
                    StreamedValueKind.Jsonb => PostgresTypes.Jsonb,
                    _ => PostgresTypes.Text,
                }, 1, Encoding.Latin1));
        }

        values[2]!.Elements.Should().HaveCount(50).And.OnlyContain(e => e == null || e.All(c => c == '*'));
        values[2]!.Elements.Count(e => e == null).Should().Be(7);
        values[3]!.Elements[0].Should().MatchRegex("^\\*+$");
        values[6]!.Elements.Should().HaveCount(2);
        values[6]!.Elements[1].Should().BeNull();
    }

    [Fact]
    public void AMatchCutByAWindowEdge_IsMaskedWhole()
    {
        // Window 64, overlap 16: the first window ends inside the address (its "ann@example.co" prefix also matches).
        var text = new string('x', 49) + " ann@example.com " + new string('y', 100);
        var writer = new ArrayBufferWriter<byte>();
        DataRowWriter.Write(writer, [Encoding.Latin1.GetBytes(text)]);
        var body = writer.WrittenSpan[5..].ToArray();
        using var processor = new DataRowStreamProcessor(64, 16);
        var output = new ArrayBufferWriter<byte>();

        processor.Begin(body.Length, _ => StreamedValueKind.Text, StarEmails);
        processor.Process(new ReadOnlySequence<byte>(body), output);

        Encoding.Latin1.GetString(output.WrittenSpan[6..]).Should().Be(new string('x', 49) + " *************** " + new string('y', 100));
    }

    [Fact]
    public void Kinds_FollowTheColumnsTypeAndFormat()
    {
        var fields = RowDescriptionMessage.Parse(new ReadOnlySequence<byte>(Captured.Body(Captured.BinaryArraysRowDescription))).Fields
            .Concat(RowDescriptionMessage.Parse(new ReadOnlySequence<byte>(Captured.Body(Captured.BinaryRowDescription))).Fields)
            .Append(new RowDescriptionField("b", 0, 0, PostgresTypes.Bytea, -1, -1, 0))
            .Append(new RowDescriptionField("n", 0, 0, 23, 4, -1, 0));

        fields.Select(StreamedValueKinds.For).Should().Equal(
            StreamedValueKind.JsonbArray, StreamedValueKind.TextArray, StreamedValueKind.Text, StreamedValueKind.Text,
            StreamedValueKind.Text, StreamedValueKind.PassThrough, StreamedValueKind.Jsonb, StreamedValueKind.TextArray, StreamedValueKind.Text,
            StreamedValueKind.PassThrough, StreamedValueKind.Text);
    }

    [Fact]
    public void Windows_OverlapAndReportTheirPlace()
    {
        var text = new string('a', 200);
        var writer = new ArrayBufferWriter<byte>();
        DataRowWriter.Write(writer, [Encoding.Latin1.GetBytes(text)]);
        var body = writer.WrittenSpan[5..].ToArray();
        var seen = new List<DataRowWindow>();

        using var processor = new DataRowStreamProcessor(64, 16);
        processor.Begin(body.Length, _ => StreamedValueKind.Text, (_, w, info) => seen.Add(info with { ValueLength = w.Length }));
        processor.Process(new ReadOnlySequence<byte>(body), new ArrayBufferWriter<byte>());

        // ValueLength is replaced by the window's length above to check both.
        seen.Should().Equal(
            new DataRowWindow(0, 64, 0, false),
            new DataRowWindow(48, 64, 16, false),
            new DataRowWindow(96, 64, 16, false),
            new DataRowWindow(144, 56, 16, true));
    }

    [Theory]
    [InlineData("0001" + "00000009" + "6162", "length 9")]
    [InlineData("0001" + "fffffffe", "length -2")]
    [InlineData("0001" + "00000001" + "61" + "00", "trailing")]
    [InlineData("0002" + "00000001" + "61", "ended inside column 2")]
    public void MalformedBodies_AreProtocolErrors(string hex, string reason)
    {
        var body = Convert.FromHexString(hex);

        var act = () => Stream([new ReadOnlySequence<byte>(body)], body.Length, 64, 16);

        act.Should().Throw<PostgresProtocolException>().WithMessage($"*{reason}*");
    }

    [Fact]
    public void MoreBytesThanTheRowHas_IsACallerError()
    {
        var act = () => Stream([new ReadOnlySequence<byte>(new byte[8])], 6, 64, 16);

        act.Should().Throw<ArgumentException>();
    }
}
