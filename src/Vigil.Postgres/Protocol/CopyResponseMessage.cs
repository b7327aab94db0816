using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// CopyInResponse ('G'), CopyOutResponse ('H') or CopyBothResponse ('W') (PostgreSQL 15 docs §55.7, flow in §55.2.6):
/// Int8 overall format (0 textual: text or CSV, rows separated by newlines; 1 binary), Int16 column count, then one
/// Int16 format code per column (all 0 when the overall format is textual). Which textual format (text or CSV) and its
/// delimiter are not on the wire: they come from the COPY statement's options.
/// </summary>
/// <param name="OverallFormat">0 textual, 1 binary.</param>
/// <param name="ColumnFormats">Per-column format codes (0 text, 1 binary).</param>
public sealed record CopyResponseMessage(byte OverallFormat, IReadOnlyList<short> ColumnFormats)
{
    private const string Name = "CopyResponse";

    /// <summary>True for a binary COPY (the COPY BINARY file format, which a masker cannot split into text fields).</summary>
    public bool IsBinary => OverallFormat == 1;

    /// <summary>Parses the body of a CopyInResponse, CopyOutResponse or CopyBothResponse. Trailing bytes are rejected.</summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Truncated body, a format other than 0 or 1, or trailing bytes.</exception>
    public static CopyResponseMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var overall = BodyReader.ReadByte(ref reader, Name, "overall format");
        if (overall is not (0 or 1))
        {
            throw new PostgresProtocolException($"invalid {Name} message: overall format {overall}");
        }

        var count = BodyReader.ReadCount16(ref reader, Name, "column count");
        if (count * 2L > reader.Remaining)
        {
            throw new PostgresProtocolException($"invalid {Name} message: {count} column formats do not fit in {reader.Remaining} bytes");
        }

        var formats = new short[count];
        for (var i = 0; i < count; i++)
        {
            formats[i] = BodyReader.ReadInt16(ref reader, Name, "column format");
            if (formats[i] is not (0 or 1))
            {
                throw new PostgresProtocolException($"invalid {Name} message: column {i + 1} has format {formats[i]}");
            }
        }

        BodyReader.ExpectEnd(ref reader, Name);
        return new CopyResponseMessage(overall, formats);
    }
}
