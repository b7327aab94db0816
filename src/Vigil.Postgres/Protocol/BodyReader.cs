using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// Field readers over a message body that throw <see cref="PostgresProtocolException"/> when the body is
/// too short, so body parsers never see a partial value.
/// </summary>
internal static class BodyReader
{
    public static byte ReadByte(ref SequenceReader<byte> reader, string message, string field)
    {
        if (!reader.TryRead(out var value))
        {
            throw Truncated(message, field);
        }

        return value;
    }

    public static short ReadInt16(ref SequenceReader<byte> reader, string message, string field)
    {
        if (!reader.TryReadBigEndian(out short value))
        {
            throw Truncated(message, field);
        }

        return value;
    }

    /// <summary>Reads an Int16 count; PostgreSQL reads counts unsigned (pq_getmsgint), giving 0..65535.</summary>
    public static int ReadCount16(ref SequenceReader<byte> reader, string message, string field) =>
        (ushort)ReadInt16(ref reader, message, field);

    public static int ReadInt32(ref SequenceReader<byte> reader, string message, string field)
    {
        if (!reader.TryReadBigEndian(out int value))
        {
            throw Truncated(message, field);
        }

        return value;
    }

    public static string ReadCString(ref SequenceReader<byte> reader, string message, string field)
    {
        if (!reader.TryReadTo(out ReadOnlySequence<byte> bytes, 0, advancePastDelimiter: true))
        {
            throw new PostgresProtocolException($"invalid {message} message: {field} is not NUL-terminated");
        }

        return WireText.Decode(bytes, $"{message} {field}");
    }

    /// <summary>Reads a NUL-terminated string in a caller-chosen encoding, which applies its own fallback to invalid bytes.</summary>
    public static string ReadCString(ref SequenceReader<byte> reader, string message, string field, System.Text.Encoding encoding)
    {
        if (!reader.TryReadTo(out ReadOnlySequence<byte> bytes, 0, advancePastDelimiter: true))
        {
            throw new PostgresProtocolException($"invalid {message} message: {field} is not NUL-terminated");
        }

        return Types.PostgresText.Decode(bytes, encoding);
    }

    public static void Skip(ref SequenceReader<byte> reader, long count, string message, string field)
    {
        if (count < 0 || reader.Remaining < count)
        {
            throw new PostgresProtocolException(
                $"invalid {message} message: {field} of {count} bytes exceeds the {reader.Remaining} bytes left");
        }

        reader.Advance(count);
    }

    public static void ExpectEnd(ref SequenceReader<byte> reader, string message)
    {
        if (!reader.End)
        {
            throw new PostgresProtocolException(
                $"invalid {message} message: {reader.Remaining} unexpected trailing bytes");
        }
    }

    private static PostgresProtocolException Truncated(string message, string field) =>
        new($"invalid {message} message: truncated before {field}");
}
