using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Vigil.Ssh.Transport;

/// <summary>
/// One direction's packet protection for the binary packet protocol (RFC 4253 §6): framing, padding, encryption
/// and MAC. Subclasses: <see cref="NoneCipher"/> (before the first SSH_MSG_NEWKEYS), <see cref="AesGcmCipher"/>
/// (<c>aes*-gcm@openssh.com</c>, RFC 5647 as amended by OpenSSH PROTOCOL §1.6), <see cref="AesCtrCipher"/>
/// (<c>aes*-ctr</c>, RFC 4344, with <c>hmac-sha2-*</c> RFC 6668 or their <c>-etm@openssh.com</c> variants).
/// </summary>
internal abstract class PacketCipher : IDisposable
{
    /// <summary>Cipher block size; packets are padded to a multiple of it (at least 8, RFC 4253 §6).</summary>
    protected abstract int BlockSize { get; }

    /// <summary>Length of the MAC or AEAD tag after each packet.</summary>
    protected abstract int MacLength { get; }

    /// <summary>True when packet_length is sent in the clear and excluded from the padding alignment (AEAD and encrypt-then-MAC).</summary>
    protected abstract bool LengthInClear { get; }

    /// <summary>Bytes <see cref="Seal(uint, ReadOnlySpan{byte}, Span{byte})"/> produces for a payload of <paramref name="payloadLength"/> bytes.</summary>
    public int SealedLength(int payloadLength) => 4 + 1 + payloadLength + Padding(payloadLength) + MacLength;

    /// <summary>Frames and protects one payload: <c>uint32 packet_length, byte padding_length, payload, random padding, mac</c>.</summary>
    /// <param name="sequence">The packet sequence number (RFC 4253 §6.4).</param>
    /// <param name="payload">The message.</param>
    /// <param name="destination">At least <see cref="SealedLength"/> bytes.</param>
    /// <returns>The bytes written.</returns>
    public int Seal(uint sequence, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        var padding = Padding(payload.Length);
        var packetLength = 1 + payload.Length + padding;
        var packet = destination[..(4 + packetLength + MacLength)];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)packetLength);
        packet[4] = (byte)padding;
        payload.CopyTo(packet[5..]);
        RandomNumberGenerator.Fill(packet.Slice(5 + payload.Length, padding));
        Protect(sequence, packet[..(4 + packetLength)], packet[(4 + packetLength)..]);
        return packet.Length;
    }

    /// <summary>Frames and protects one payload into a new array.</summary>
    public byte[] Seal(uint sequence, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[SealedLength(payload.Length)];
        Seal(sequence, payload, packet);
        return packet;
    }

    /// <summary>Reads, checks and decrypts one packet, returning its payload.</summary>
    /// <param name="input">The transport.</param>
    /// <param name="sequence">The packet sequence number.</param>
    /// <param name="maxPacketLength">Largest packet_length accepted.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The payload (never empty).</returns>
    /// <exception cref="SshProtocolException">Oversized or malformed packet, or a MAC failure.</exception>
    /// <exception cref="EndOfStreamException">The peer closed the connection.</exception>
    public abstract ValueTask<byte[]> ReadAsync(InputBuffer input, uint sequence, int maxPacketLength, CancellationToken cancellationToken);

    /// <inheritdoc />
    public virtual void Dispose()
    {
    }

    /// <summary>Encrypts <paramref name="packet"/> (length field included) in place and writes the MAC/tag.</summary>
    protected abstract void Protect(uint sequence, Span<byte> packet, Span<byte> mac);

    /// <summary>RFC 4253 §6: at least 4 bytes of padding, bringing the aligned part to a multiple of the block size.</summary>
    private int Padding(int payloadLength)
    {
        var aligned = 1 + payloadLength + (LengthInClear ? 0 : 4);
        var padding = BlockSize - (aligned % BlockSize);
        return padding < 4 ? padding + BlockSize : padding;
    }

    /// <summary>Checks a packet_length against the limit and the alignment rule of this cipher.</summary>
    protected uint CheckLength(ReadOnlySpan<byte> lengthField, int maxPacketLength)
    {
        var length = BinaryPrimitives.ReadUInt32BigEndian(lengthField);
        if (length > (uint)maxPacketLength)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"packet length {length} exceeds the limit of {maxPacketLength} bytes");
        }

        var aligned = length + (LengthInClear ? 0u : 4u);
        if (length < 5 + 1 || aligned % (uint)BlockSize != 0)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"packet length {length} is not a valid multiple of the {BlockSize}-byte block size");
        }

        return length;
    }

    /// <summary>Takes the payload out of a decrypted <c>padding_length, payload, padding</c> body.</summary>
    protected static byte[] Payload(ReadOnlySpan<byte> body)
    {
        var padding = body[0];
        if (padding < 4 || padding > body.Length - 2)
        {
            throw new SshProtocolException(SshDisconnectReason.ProtocolError, $"padding length {padding} is invalid for a {body.Length}-byte packet");
        }

        return body[1..(body.Length - padding)].ToArray();
    }

    /// <summary>The error for a failed MAC or AEAD tag check.</summary>
    protected static SshProtocolException MacFailure() => new(SshDisconnectReason.MacError, "message authentication code incorrect");
}

/// <summary>No encryption, no MAC: the packets of the first key exchange (RFC 4253 §6).</summary>
internal sealed class NoneCipher : PacketCipher
{
    protected override int BlockSize => 8;

    protected override int MacLength => 0;

    protected override bool LengthInClear => false;

    public override async ValueTask<byte[]> ReadAsync(InputBuffer input, uint sequence, int maxPacketLength, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        await input.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        var body = new byte[CheckLength(header, maxPacketLength)];
        await input.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        return Payload(body);
    }

    protected override void Protect(uint sequence, Span<byte> packet, Span<byte> mac)
    {
    }
}
