using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>Parse ('P', §55.7): creates a prepared statement.</summary>
/// <param name="StatementName">Destination statement name; empty for the unnamed statement.</param>
/// <param name="Sql">The query text.</param>
/// <param name="ParameterTypeCount">Number of parameter type OIDs specified (0..65535; may be fewer than the query uses).</param>
public readonly record struct ParseMessage(string StatementName, string Sql, int ParameterTypeCount)
{
    /// <summary>
    /// Parses a Parse body: String name, String query, Int16 n, n × Int32 type OID. The OIDs are
    /// validated for presence and skipped. Trailing bytes are rejected.
    /// </summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Truncated body, trailing bytes, or invalid UTF-8.</exception>
    public static ParseMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var name = BodyReader.ReadCString(ref reader, "Parse", "statement name");
        var sql = BodyReader.ReadCString(ref reader, "Parse", "query string");
        var count = BodyReader.ReadCount16(ref reader, "Parse", "parameter type count");
        BodyReader.Skip(ref reader, 4L * count, "Parse", "parameter type OIDs");
        BodyReader.ExpectEnd(ref reader, "Parse");
        return new ParseMessage(name, sql, count);
    }
}
