using System.Text;
using Vigil.Postgres.Copy;
using Vigil.Postgres.Protocol;
using Vigil.Postgres.Streaming;
using Vigil.Postgres.Types;

namespace Vigil.Postgres.Tests.Support;

/// <summary>Runs an input through every reader and body parser, letting only non-protocol exceptions escape.</summary>
public static class ParserHarness
{
    private static readonly Action<ReadOnlySequence<byte>>[] BodyParsers =
    [
        b => QueryMessage.Parse(b),
        b => ParseMessage.Parse(b),
        b => BindMessage.Parse(b),
        b => ExecuteMessage.Parse(b),
        b => DescribeMessage.Parse(b),
        b => CloseMessage.Parse(b),
        b => PasswordMessage.Parse(b),
        b => _ = ErrorResponseMessage.Parse(b) is { } e ? e.Severity + e.SqlState + e.Message + e.Detail + e.Hint : null,
        b => _ = CommandCompleteMessage.Parse(b).Rows,
        b => ReadyForQueryMessage.Parse(b),
        b => BackendKeyDataMessage.Parse(b),
        b => ParameterStatusMessage.Parse(b),
        b => AuthenticationMessage.Parse(b).GetMd5Salt(),
        b => AuthenticationMessage.Parse(b).GetSaslMechanisms(),
        b => FunctionCallMessage.Parse(b),
    ];

    /// <summary>The result-masking readers: RowDescription, DataRow (read, rewrite, streamed), text-like values, COPY.</summary>
    private static readonly Action<ReadOnlySequence<byte>>[] ResultParsers =
    [
        b => _ = RowDescriptionMessage.Parse(b, Encoding.UTF8).Fields.Sum(f => f.Name.Length + f.TypeOid),
        ReadAndRewriteDataRow,
        StreamDataRow,
        b => _ = CopyResponseMessage.Parse(b).ColumnFormats.Count,
        b => SplitCopy(b, CopyOptions.Text),
        b => SplitCopy(b, CopyOptions.Csv),
        b => _ = ErrorResponseMessage.Parse(b, Encoding.UTF8) is { } e ? e.With(new Dictionary<char, string> { ['D'] = "x" }).Fields.Count : 0,
        b => DecodeText(b, PostgresTypes.TextArray),
        b => DecodeText(b, PostgresTypes.JsonbArray),
        b => DecodeText(b, PostgresTypes.Jsonb),
    ];

    /// <summary>The parsers a proxy would apply to a body with this code, in either direction.</summary>
    private static IEnumerable<Action<ReadOnlySequence<byte>>> ParsersFor(byte code) => code switch
    {
        (byte)'Q' => [BodyParsers[0]],
        (byte)'P' => [BodyParsers[1]],
        (byte)'B' => [BodyParsers[2]],
        (byte)'E' => [BodyParsers[3], BodyParsers[7], ResultParsers[6]],
        (byte)'D' => [BodyParsers[4], ResultParsers[1], ResultParsers[2]],
        (byte)'C' => [BodyParsers[5], BodyParsers[8]],
        (byte)'p' => [BodyParsers[6]],
        (byte)'N' => [BodyParsers[7], ResultParsers[6]],
        (byte)'Z' => [BodyParsers[9]],
        (byte)'K' => [BodyParsers[10]],
        (byte)'S' => [BodyParsers[11]],
        (byte)'R' => [BodyParsers[12], BodyParsers[13]],
        (byte)'F' => [BodyParsers[14]],
        (byte)'T' => [ResultParsers[0]],
        (byte)'G' or (byte)'H' or (byte)'W' => [ResultParsers[3]],
        (byte)'d' => [ResultParsers[4], ResultParsers[5]],
        _ => [],
    };

    private static void ReadAndRewriteDataRow(ReadOnlySequence<byte> body)
    {
        var row = new DataRowReader(body);
        var replacements = new List<FieldReplacement>();
        while (row.MoveNext())
        {
            replacements.Add(row.Index % 3 == 0 ? FieldReplacement.Of("*"u8.ToArray()) : row.Index % 3 == 1 ? FieldReplacement.Null : default);
            if (!row.IsNull)
            {
                DecodeText(row.Value, PostgresTypes.TextArray);
            }
        }

        DataRowWriter.Rewrite(new ArrayBufferWriter<byte>(), body, replacements.ToArray());
    }

    /// <summary>Streams a body in two parts through small windows, each column of a different kind, starring every digit.</summary>
    private static void StreamDataRow(ReadOnlySequence<byte> body)
    {
        StreamedValueKind[] kinds = [StreamedValueKind.Text, StreamedValueKind.TextArray, StreamedValueKind.Jsonb, StreamedValueKind.JsonbArray, StreamedValueKind.PassThrough];
        using var processor = new DataRowStreamProcessor(64, 8);
        var output = new ArrayBufferWriter<byte>();
        processor.Begin(body.Length, i => kinds[i % kinds.Length], (_, window, _) =>
        {
            for (var i = 0; i < window.Length; i++)
            {
                if (char.IsAsciiDigit((char)window[i]))
                {
                    window[i] = (byte)'*';
                }
            }
        });
        var half = body.Length / 2;
        processor.Process(body.Slice(0, half), output);
        processor.Process(body.Slice(half), output);
        if (output.WrittenCount != body.Length)
        {
            throw new InvalidOperationException($"streamed {output.WrittenCount} bytes of {body.Length}");
        }
    }

    private static void SplitCopy(ReadOnlySequence<byte> body, CopyOptions options)
    {
        var splitter = new CopyRowSplitter(options, Encoding.UTF8, maxRowLength: 4096);
        splitter.Append(body.Slice(0, body.Length / 2));
        Drain(splitter);
        splitter.Append(body.Slice(body.Length / 2));
        Drain(splitter);
        if (splitter.TryComplete(out var last))
        {
            Mask(last);
        }
    }

    private static void Drain(CopyRowSplitter splitter)
    {
        while (splitter.TryReadRow(out var row))
        {
            Mask(row);
        }
    }

    /// <summary>Masks every other field and checks the row reads back with the same fields.</summary>
    private static void Mask(CopyRow row)
    {
        var values = Enumerable.Range(0, row.FieldCount).Select(row.GetValue).ToArray();
        for (var i = 0; i < row.FieldCount; i += 2)
        {
            row.SetValue(i, values[i] is null ? null : "<x>\\,\"\n");
        }

        var bytes = new byte[row.GetEncodedLength()];
        if (row.WriteTo(bytes) != bytes.Length)
        {
            throw new InvalidOperationException("COPY row length mismatch");
        }
    }

    private static void DecodeText(ReadOnlySequence<byte> value, uint oid)
    {
        var decoded = TextValueCodec.Decode(value, oid, 1, Encoding.UTF8);
        if (!TextValueCodec.ToBytes(decoded, Encoding.UTF8).AsSpan().SequenceEqual(value.ToArray()) && decoded.Elements.All(e => e is null || !e.Contains('\uFFFD')))
        {
            throw new InvalidOperationException($"type {oid} value did not round-trip");
        }
    }

    public static int Run(ReadOnlySequence<byte> input)
    {
        var accepted = 0;
        accepted += Guard(() => ReadStartupThenMessages(input));
        accepted += Guard(() => ReadMessages(input));
        // Also feed the bytes after a (possibly corrupted) header straight to every body parser, so bodies
        // whose length field was mutated still reach the parsers.
        var afterHeader = input.Slice(Math.Min(input.Length, MessageReader.HeaderSize));
        foreach (var parse in BodyParsers.Concat(ResultParsers))
        {
            accepted += Guard(() => parse(afterHeader));
        }

        return accepted;
    }

    private static int Guard(Action action)
    {
        try
        {
            action();
            return 1;
        }
        catch (PostgresProtocolException)
        {
            return 0;
        }
    }

    private static void ReadStartupThenMessages(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        if (MessageReader.TryReadStartup(ref reader, MessageReader.DefaultMaxMessageSize, out var request))
        {
            if (request is StartupMessage s)
            {
                _ = s.User + s.Database + s.UnrecognizedOptions.Count;
            }

            ReadMessages(reader.UnreadSequence);
        }
    }

    private static void ReadMessages(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        if (MessageReader.TryReadHeader(ref reader, 1 << 20, out var header))
        {
            _ = header.BodyLength;
        }

        reader = new SequenceReader<byte>(input);
        while (MessageReader.TryReadMessage(ref reader, 1 << 20, out var code, out var body))
        {
            foreach (var parse in ParsersFor(code))
            {
                Guard(() => parse(body));
            }

            _ = FrontendMessageCode.IsKnown(code);
        }
    }
}
