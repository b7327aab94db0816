using System.Buffers;
using System.Buffers.Binary;
using Vigil.Postgres.Protocol;

namespace Vigil.Adapters.Postgres;

/// <summary>
/// Exact-length reads for the handshake phase, before the relay's pipes exist. Reading exactly one packet matters:
/// nothing after an SSLRequest may be buffered in plaintext before TLS starts (cf. CVE-2021-23214).
/// </summary>
internal static class HandshakeIo
{
    /// <summary>PostgreSQL's MAX_STARTUP_PACKET_LENGTH.</summary>
    public const int MaxStartupPacket = 10000;

    /// <summary>Reads one untyped startup packet and parses it; EOF before any byte returns null.</summary>
    /// <exception cref="PostgresProtocolException">Bad length or contents.</exception>
    public static async Task<StartupRequest?> ReadStartupAsync(Stream stream, CancellationToken cancellationToken)
    {
        var lengthBytes = new byte[4];
        if (await stream.ReadAtLeastAsync(lengthBytes, 4, throwOnEndOfStream: false, cancellationToken) < 4)
        {
            return null;
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(lengthBytes);
        if (length is < 8 or > MaxStartupPacket)
        {
            throw new PostgresProtocolException($"invalid startup packet length {length}");
        }
        var packet = new byte[length];
        lengthBytes.CopyTo(packet, 0);
        await stream.ReadExactlyAsync(packet.AsMemory(4), cancellationToken);
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(packet));
        if (!MessageReader.TryReadStartup(ref reader, MaxStartupPacket, out var request))
        {
            throw new PostgresProtocolException("incomplete startup packet");
        }
        return request;
    }

    /// <summary>Reads one typed message of at most <paramref name="maxLength"/> bytes.</summary>
    /// <exception cref="PostgresProtocolException">Bad length.</exception>
    /// <exception cref="EndOfStreamException">The peer closed mid-message.</exception>
    public static async Task<(byte Code, byte[] Body)> ReadMessageAsync(Stream stream, int maxLength, CancellationToken cancellationToken)
    {
        var header = new byte[5];
        await stream.ReadExactlyAsync(header, cancellationToken);
        var length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
        if (length < 4 || length > maxLength)
        {
            throw new PostgresProtocolException($"invalid message length {length} for message type '{(char)header[0]}'");
        }
        var body = new byte[length - 4];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return (header[0], body);
    }

    /// <summary>Writes what <paramref name="write"/> produces and flushes.</summary>
    public static async Task SendAsync(Stream stream, Action<IBufferWriter<byte>> write, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        write(buffer);
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>Sends a FATAL ErrorResponse (§55.2.1: the server then closes the connection).</summary>
    public static Task SendFatalAsync(Stream stream, string sqlState, string message, CancellationToken cancellationToken) =>
        SendAsync(stream, w => BackendMessageWriter.WriteErrorResponse(w, "FATAL", sqlState, message), cancellationToken);
}
