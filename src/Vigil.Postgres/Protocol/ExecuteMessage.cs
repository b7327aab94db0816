using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>Execute ('E', §55.7): runs a portal.</summary>
/// <param name="PortalName">Portal to execute; empty for the unnamed portal.</param>
/// <param name="MaxRows">Row limit; 0 (or, as PostgreSQL treats it, any value ≤ 0) means no limit.</param>
public readonly record struct ExecuteMessage(string PortalName, int MaxRows)
{
    /// <summary>Parses an Execute body: String portal, Int32 max rows. Trailing bytes are rejected.</summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Truncated body, trailing bytes, or invalid UTF-8.</exception>
    public static ExecuteMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var portal = BodyReader.ReadCString(ref reader, "Execute", "portal name");
        var maxRows = BodyReader.ReadInt32(ref reader, "Execute", "row limit");
        BodyReader.ExpectEnd(ref reader, "Execute");
        return new ExecuteMessage(portal, maxRows);
    }
}
