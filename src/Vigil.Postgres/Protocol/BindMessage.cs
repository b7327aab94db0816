using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>Bind ('B', §55.7): binds parameter values to a prepared statement, creating a portal.</summary>
/// <param name="PortalName">Destination portal; empty for the unnamed portal.</param>
/// <param name="StatementName">Source prepared statement; empty for the unnamed statement.</param>
/// <param name="ParameterCount">Number of parameter values (0..65535).</param>
/// <param name="ResultFormats">
/// The result-column format codes as sent: none (every column text), one (applies to every column) or one per column
/// (<see cref="ResultFormatOf"/>).
/// </param>
public readonly record struct BindMessage(string PortalName, string StatementName, int ParameterCount, short[] ResultFormats)
{
    private const string Name = "Bind";

    /// <summary>
    /// Parses a Bind body: String portal, String statement, Int16 f, f × Int16 format code, Int16 n,
    /// n × (Int32 length, bytes; length −1 is NULL), Int16 r, r × Int16 result format code.
    /// Format codes must be 0 (text) or 1 (binary); f must be 0, 1 or n. Values are skipped after checking
    /// they fit in the body. Trailing bytes are rejected.
    /// </summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">
    /// Truncated body, value length below −1 or beyond the body, format count mismatch (08P01),
    /// unknown format code (22023), trailing bytes, or invalid UTF-8.
    /// </exception>
    public static BindMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var portal = BodyReader.ReadCString(ref reader, Name, "portal name");
        var statement = BodyReader.ReadCString(ref reader, Name, "statement name");
        var formatCount = ReadFormatCodes(ref reader, "parameter format codes");
        var count = BodyReader.ReadCount16(ref reader, Name, "parameter count");
        if (formatCount > 1 && formatCount != count)
        {
            throw new PostgresProtocolException(
                $"bind message has {formatCount} parameter formats but {count} parameters");
        }

        for (var i = 0; i < count; i++)
        {
            var length = BodyReader.ReadInt32(ref reader, Name, "parameter value length");
            if (length < -1)
            {
                throw new PostgresProtocolException($"invalid Bind message: parameter {i + 1} has length {length}");
            }

            if (length > 0)
            {
                BodyReader.Skip(ref reader, length, Name, $"parameter {i + 1} value");
            }
        }

        var resultFormats = new short[BodyReader.ReadCount16(ref reader, Name, "result format codes")];
        for (var i = 0; i < resultFormats.Length; i++)
        {
            resultFormats[i] = ReadFormatCode(ref reader, "result format codes");
        }
        BodyReader.ExpectEnd(ref reader, Name);
        return new BindMessage(portal, statement, count, resultFormats);
    }

    /// <summary>Equal when every field is, the result format codes compared element by element.</summary>
    public bool Equals(BindMessage other) =>
        PortalName == other.PortalName && StatementName == other.StatementName && ParameterCount == other.ParameterCount
        && ResultFormats.AsSpan().SequenceEqual(other.ResultFormats);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(PortalName, StatementName, ParameterCount, ResultFormats.Length);

    /// <summary>The fields for <c>ToString</c>: the result formats as their codes, and only when the client sent some.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"PortalName = {PortalName}, StatementName = {StatementName}, ParameterCount = {ParameterCount}");
        if (ResultFormats.Length > 0)
        {
            builder.Append($", ResultFormats = [{string.Join(", ", ResultFormats)}]");
        }
        return true;
    }

    /// <summary>
    /// The format the portal's result column <paramref name="column"/> is sent in (0 text, 1 binary). A RowDescription
    /// answering Describe of a statement carries format 0 ("not yet known"); this gives the real one for the portal.
    /// </summary>
    public short ResultFormat(int column) => ResultFormatOf(ResultFormats, column);

    /// <summary>The format code of result column <paramref name="column"/> under <paramref name="resultFormats"/> (§55.7 Bind).</summary>
    public static short ResultFormatOf(short[] resultFormats, int column) => resultFormats.Length switch
    {
        0 => 0,
        1 => resultFormats[0],
        _ => column < resultFormats.Length ? resultFormats[column] : (short)0,
    };

    private static int ReadFormatCodes(ref SequenceReader<byte> reader, string field)
    {
        var count = BodyReader.ReadCount16(ref reader, Name, field);
        for (var i = 0; i < count; i++)
        {
            ReadFormatCode(ref reader, field);
        }

        return count;
    }

    private static short ReadFormatCode(ref SequenceReader<byte> reader, string field)
    {
        var format = BodyReader.ReadInt16(ref reader, Name, field);
        if (format is not (0 or 1))
        {
            throw new PostgresProtocolException(
                $"unsupported format code: {format}", PostgresSqlState.InvalidParameterValue);
        }
        return format;
    }
}
