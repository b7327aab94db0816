namespace Vigil.Postgres.Protocol;

/// <summary>The object-kind byte of Describe and Close messages (§55.7).</summary>
public static class TargetKind
{
    /// <summary>'S': a prepared statement.</summary>
    public const byte Statement = (byte)'S';

    /// <summary>'P': a portal.</summary>
    public const byte Portal = (byte)'P';

    internal static byte Read(ref System.Buffers.SequenceReader<byte> reader, string message)
    {
        var kind = BodyReader.ReadByte(ref reader, message, "kind");
        if (kind is not (Statement or Portal))
        {
            throw new PostgresProtocolException($"invalid {message} message subtype {kind}");
        }

        return kind;
    }
}
