using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>Close ('C', §55.7): closes a prepared statement or portal.</summary>
/// <param name="Kind"><see cref="TargetKind.Statement"/> ('S') or <see cref="TargetKind.Portal"/> ('P').</param>
/// <param name="Name">Statement or portal name; empty for the unnamed one.</param>
public readonly record struct CloseMessage(byte Kind, string Name)
{
    /// <summary>Parses a Close body: Byte1 kind, String name. Trailing bytes are rejected.</summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Kind not 'S'/'P', truncated body, trailing bytes, or invalid UTF-8.</exception>
    public static CloseMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var kind = TargetKind.Read(ref reader, "Close");
        var name = BodyReader.ReadCString(ref reader, "Close", "name");
        BodyReader.ExpectEnd(ref reader, "Close");
        return new CloseMessage(kind, name);
    }
}
