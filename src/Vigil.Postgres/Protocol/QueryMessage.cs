using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>Query ('Q', §55.7): a simple-query SQL string, possibly several statements.</summary>
/// <param name="Sql">The query text (UTF-8 on the wire, NUL-terminated).</param>
public readonly record struct QueryMessage(string Sql)
{
    /// <summary>
    /// Parses a Query body: String query. Bytes after the terminating NUL are rejected (PostgreSQL's
    /// pq_getmsgend does the same), so the SQL seen here is exactly what the server would execute.
    /// </summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Missing NUL terminator, trailing bytes, or invalid UTF-8 (22021).</exception>
    public static QueryMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var sql = BodyReader.ReadCString(ref reader, "Query", "query string");
        BodyReader.ExpectEnd(ref reader, "Query");
        return new QueryMessage(sql);
    }
}
