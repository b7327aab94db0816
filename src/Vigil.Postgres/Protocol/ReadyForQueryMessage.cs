using System.Buffers;

namespace Vigil.Postgres.Protocol;

/// <summary>ReadyForQuery ('Z', §55.7): the server is ready for a new query cycle.</summary>
/// <param name="TransactionStatus">'I', 'T' or 'E'; see <see cref="Protocol.TransactionStatus"/>.</param>
public readonly record struct ReadyForQueryMessage(byte TransactionStatus)
{
    /// <summary>Parses a ReadyForQuery body: exactly one status byte, 'I', 'T' or 'E'.</summary>
    /// <param name="body">The message body, without the 5-byte header.</param>
    /// <returns>The parsed message.</returns>
    /// <exception cref="PostgresProtocolException">Wrong length or unknown status byte.</exception>
    public static ReadyForQueryMessage Parse(ReadOnlySequence<byte> body)
    {
        var reader = new SequenceReader<byte>(body);
        var status = BodyReader.ReadByte(ref reader, "ReadyForQuery", "transaction status");
        BodyReader.ExpectEnd(ref reader, "ReadyForQuery");
        if (!Protocol.TransactionStatus.IsValid(status))
        {
            throw new PostgresProtocolException($"invalid ReadyForQuery message: unknown transaction status 0x{status:X2}");
        }

        return new ReadyForQueryMessage(status);
    }
}
