using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// SASLInitialResponse ('p', §55.7): the mechanism the client chose and its initial response (for SCRAM the
/// client-first-message). Shares its type byte with PasswordMessage; the server knows which one to expect.
/// </summary>
/// <param name="Mechanism">The selected mechanism, e.g. "SCRAM-SHA-256".</param>
/// <param name="Data">The initial response; null when the client sent length -1 (no data).</param>
public sealed record SaslInitialResponse(string Mechanism, byte[]? Data)
{
    /// <summary>Parses the body: String mechanism, Int32 length (-1 for none), Byte[length] data. Trailing bytes are rejected.</summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Missing NUL terminator, bad length, trailing bytes (08P01).</exception>
    public static SaslInitialResponse Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var mechanism = BodyReader.ReadCString(ref reader, "SASLInitialResponse", "mechanism");
        var length = BodyReader.ReadInt32(ref reader, "SASLInitialResponse", "data length");
        byte[]? data = null;
        if (length != -1)
        {
            if (length < 0 || reader.Remaining < length)
            {
                throw new PostgresProtocolException($"invalid SASLInitialResponse message: data length {length} does not match the {reader.Remaining} bytes left");
            }
            data = reader.UnreadSequence.Slice(0, length).ToArray();
            reader.Advance(length);
        }
        BodyReader.ExpectEnd(ref reader, "SASLInitialResponse");
        return new SaslInitialResponse(mechanism, data);
    }
}
