using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Vigil.Postgres.Protocol;

/// <summary>
/// Incremental framing of the PostgreSQL v3 wire protocol (PostgreSQL 15 docs §55.2 Message Flow,
/// §55.7 Message Formats). All methods are "try" readers over possibly partial, possibly multi-segment
/// input: they return <see langword="false"/> and leave the reader untouched when more bytes are
/// needed, and throw <see cref="PostgresProtocolException"/> (and nothing else) for input that can
/// never become valid. After an exception the reader position is unspecified; close the connection.
/// </summary>
public static class MessageReader
{
    /// <summary>Size in bytes of a typed message header: 1-byte code + Int32 length.</summary>
    public const int HeaderSize = 5;

    /// <summary>Default cap on a message's length field: 64 MiB.</summary>
    public const int DefaultMaxMessageSize = 64 * 1024 * 1024;

    /// <summary>PostgreSQL's MAX_STARTUP_PACKET_LENGTH: startup packets longer than 10000 bytes are rejected.</summary>
    public const int MaxStartupPacketLength = 10000;

    /// <summary>Smallest startup packet: Int32 length + Int32 code.</summary>
    public const int MinStartupPacketLength = 8;

    private const int CancelRequestLength = 16;

    /// <summary>
    /// Reads a typed message header (1-byte code, big-endian Int32 length including itself).
    /// On success the reader is advanced past the 5 header bytes only; the body is not consumed and
    /// need not be buffered yet (useful for streaming large CopyData bodies).
    /// </summary>
    /// <param name="reader">Input positioned at a message boundary.</param>
    /// <param name="maxMessageSize">Largest accepted length field, in bytes (≥ 4).</param>
    /// <param name="header">The header read, or default when <see langword="false"/> is returned.</param>
    /// <returns><see langword="false"/>, reader not advanced, when fewer than 5 bytes are available.</returns>
    /// <exception cref="PostgresProtocolException">Length field below 4 or above <paramref name="maxMessageSize"/>.</exception>
    public static bool TryReadHeader(ref SequenceReader<byte> reader, int maxMessageSize, out MessageHeader header)
    {
        header = default;
        var peek = reader;
        if (!peek.TryRead(out var code) || !peek.TryReadBigEndian(out int length))
        {
            return false;
        }

        if (length < 4)
        {
            throw new PostgresProtocolException(
                $"invalid message length {length} for message type 0x{code:X2}: must be at least 4");
        }

        if (length > maxMessageSize)
        {
            throw new PostgresProtocolException(
                $"invalid message length {length} for message type 0x{code:X2}: exceeds maximum of {maxMessageSize}");
        }

        header = new MessageHeader(code, length);
        reader = peek;
        return true;
    }

    /// <summary>
    /// Reads one whole typed message. The body is a slice of the input (no copy) and is only valid while
    /// the underlying buffer is.
    /// </summary>
    /// <param name="reader">Input positioned at a message boundary.</param>
    /// <param name="maxMessageSize">Largest accepted length field, in bytes.</param>
    /// <param name="code">The message type byte.</param>
    /// <param name="body">The body (length field minus 4 bytes).</param>
    /// <returns><see langword="false"/>, reader not advanced, when the message is not complete yet.</returns>
    /// <exception cref="PostgresProtocolException">Length field below 4 or above <paramref name="maxMessageSize"/>.</exception>
    public static bool TryReadMessage(
        ref SequenceReader<byte> reader,
        int maxMessageSize,
        out byte code,
        out ReadOnlySequence<byte> body)
    {
        code = 0;
        body = default;
        var peek = reader;
        if (!TryReadHeader(ref peek, maxMessageSize, out var header) || peek.Remaining < header.BodyLength)
        {
            return false;
        }

        code = header.Code;
        body = peek.UnreadSequence.Slice(0, header.BodyLength);
        peek.Advance(header.BodyLength);
        reader = peek;
        return true;
    }

    /// <summary>
    /// Reads the untyped first packet of a connection (§55.2.1, §55.7): Int32 length (including itself),
    /// Int32 code, then a code-specific payload. SSLRequest and GSSENCRequest must be exactly 8 bytes and
    /// CancelRequest exactly 16 (4-byte secret key, protocol 3.0). For a StartupMessage the version must be
    /// 3.x and the payload NUL-terminated name/value pairs ending with an empty name that is the packet's
    /// last byte; duplicate names and a missing or empty "user" are rejected.
    /// </summary>
    /// <param name="reader">Input positioned at the start of the connection (or after an SSL/GSS refusal).</param>
    /// <param name="maxMessageSize">Largest accepted length; the effective cap is min(this, 10000).</param>
    /// <param name="request">The parsed packet, or <see langword="null"/> when <see langword="false"/> is returned.</param>
    /// <returns><see langword="false"/>, reader not advanced, when the packet is not complete yet.</returns>
    /// <exception cref="PostgresProtocolException">
    /// Length below 8 or above the cap (this covers non-PostgreSQL traffic such as "GET / HTTP/1.1");
    /// wrong fixed length; malformed or non-UTF-8 parameters; missing user (SQLSTATE 28000);
    /// protocol major version other than 3 (SQLSTATE 0A000).
    /// </exception>
    public static bool TryReadStartup(ref SequenceReader<byte> reader, int maxMessageSize, [MaybeNullWhen(false)] out StartupRequest request)
    {
        request = null!;
        var peek = reader;
        if (!peek.TryReadBigEndian(out int length))
        {
            return false;
        }

        var cap = Math.Min(maxMessageSize, MaxStartupPacketLength);
        if (length < MinStartupPacketLength || length > cap)
        {
            throw new PostgresProtocolException(
                $"invalid length of startup packet: {length} (must be between {MinStartupPacketLength} and {cap})");
        }

        if (peek.Remaining < length - 4)
        {
            return false;
        }

        var payload = new SequenceReader<byte>(peek.UnreadSequence.Slice(0, length - 4));
        peek.Advance(length - 4);
        request = StartupPacketParser.Parse(ref payload, length);
        reader = peek;
        return true;
    }
}
