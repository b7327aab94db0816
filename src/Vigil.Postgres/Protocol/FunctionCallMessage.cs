using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// FunctionCall ('F', §55.7; the fast-path interface of §55.2.6): calls the function with object id
/// <see cref="FunctionOid"/> on <see cref="ArgumentCount"/> arguments. The server answers FunctionCallResponse (or
/// ErrorResponse), then ReadyForQuery. Argument values are checked to fit in the body and skipped: the call is analyzed
/// as <c>SELECT schema.fn($1, …)</c>, with its arguments as parameters.
/// </summary>
/// <param name="FunctionOid">The function's object id (pg_proc.oid), as sent (an unsigned 32-bit value).</param>
/// <param name="ArgumentCount">Number of arguments (0..65535).</param>
/// <param name="ResultFormat">Result format code: 0 text, 1 binary.</param>
public readonly record struct FunctionCallMessage(uint FunctionOid, int ArgumentCount, short ResultFormat)
{
    private const string Name = "FunctionCall";

    /// <summary>
    /// Parses a FunctionCall body: Int32 function OID, Int16 c, c × Int16 argument format code, Int16 n,
    /// n × (Int32 length, bytes; −1 is NULL), Int16 result format code. Format codes must be 0 or 1; c must be 0, 1 or n.
    /// Trailing bytes are rejected.
    /// </summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">
    /// Truncated body, argument length below −1 or beyond the body, format count mismatch (08P01), unknown format code
    /// (22023), or trailing bytes.
    /// </exception>
    public static FunctionCallMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var oid = (uint)BodyReader.ReadInt32(ref reader, Name, "function OID");
        var formatCount = BodyReader.ReadCount16(ref reader, Name, "argument format count");
        for (var i = 0; i < formatCount; i++)
        {
            ReadFormat(ref reader, "argument format code");
        }

        var count = BodyReader.ReadCount16(ref reader, Name, "argument count");
        if (formatCount > 1 && formatCount != count)
        {
            throw new PostgresProtocolException($"function call message has {formatCount} argument formats but {count} arguments");
        }

        for (var i = 0; i < count; i++)
        {
            var length = BodyReader.ReadInt32(ref reader, Name, "argument length");
            if (length < -1)
            {
                throw new PostgresProtocolException($"invalid FunctionCall message: argument {i + 1} has length {length}");
            }

            if (length > 0)
            {
                BodyReader.Skip(ref reader, length, Name, $"argument {i + 1} value");
            }
        }

        var result = ReadFormat(ref reader, "result format code");
        BodyReader.ExpectEnd(ref reader, Name);
        return new FunctionCallMessage(oid, count, result);
    }

    private static short ReadFormat(ref SequenceReader<byte> reader, string field)
    {
        var format = BodyReader.ReadInt16(ref reader, Name, field);
        if (format is not (0 or 1))
        {
            throw new PostgresProtocolException($"unsupported format code: {format}", PostgresSqlState.InvalidParameterValue);
        }

        return format;
    }
}
