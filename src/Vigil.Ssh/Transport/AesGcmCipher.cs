using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Vigil.Ssh.Transport;

/// <summary>
/// <c>aes128-gcm@openssh.com</c> / <c>aes256-gcm@openssh.com</c> (RFC 5647 §7 as used by OpenSSH): packet_length is
/// sent in the clear as additional authenticated data, the rest is encrypted, a 16-byte tag follows; the 12-byte
/// nonce is the derived IV whose last 8 bytes count packets (RFC 5647 §7.1).
/// </summary>
internal sealed class AesGcmCipher(byte[] key, byte[] iv) : PacketCipher
{
    private const int TagLength = 16;
    private readonly AesGcm _gcm = new(key, TagLength);
    private readonly byte[] _nonce = iv[..12];

    protected override int BlockSize => 16;

    protected override int MacLength => TagLength;

    protected override bool LengthInClear => true;

    public override async ValueTask<byte[]> ReadAsync(InputBuffer input, uint sequence, int maxPacketLength, CancellationToken cancellationToken)
    {
        var header = new byte[4];
        await input.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
        var length = (int)CheckLength(header, maxPacketLength);
        var rest = new byte[length + TagLength];
        await input.ReadExactlyAsync(rest, cancellationToken).ConfigureAwait(false);
        var body = rest.AsSpan(0, length);
        try
        {
            _gcm.Decrypt(_nonce, body, rest.AsSpan(length), body, header);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw MacFailure();
        }

        NextNonce();
        return Payload(body);
    }

    public override void Dispose() => _gcm.Dispose();

    protected override void Protect(uint sequence, Span<byte> packet, Span<byte> mac)
    {
        _gcm.Encrypt(_nonce, packet[4..], packet[4..], mac, packet[..4]);
        NextNonce();
    }

    private void NextNonce() => BinaryPrimitives.WriteUInt64BigEndian(_nonce.AsSpan(4), BinaryPrimitives.ReadUInt64BigEndian(_nonce.AsSpan(4)) + 1);
}
