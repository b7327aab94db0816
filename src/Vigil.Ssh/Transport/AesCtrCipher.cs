using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Vigil.Ssh.Transport;

/// <summary>
/// <c>aes128-ctr</c> / <c>aes256-ctr</c> (RFC 4344 §4) with an HMAC. Plain <c>hmac-sha2-256</c>/<c>-512</c>
/// (RFC 6668, RFC 4253 §6.4): the whole packet is encrypted and the MAC covers sequence number and plaintext.
/// <c>hmac-sha2-*-etm@openssh.com</c> (OpenSSH PROTOCOL §1.5): packet_length stays in the clear and the MAC covers
/// sequence number, length and ciphertext, checked before anything is decrypted.
/// </summary>
internal sealed class AesCtrCipher : PacketCipher
{
    private readonly AesCtr _ctr;
    private readonly IncrementalHash _hmac;
    private readonly bool _encryptThenMac;
    private readonly int _macLength;

    public AesCtrCipher(byte[] key, byte[] iv, HashAlgorithmName macHash, byte[] macKey, bool encryptThenMac)
    {
        _ctr = new AesCtr(key, iv);
        _hmac = IncrementalHash.CreateHMAC(macHash, macKey);
        _macLength = _hmac.HashLengthInBytes;
        _encryptThenMac = encryptThenMac;
    }

    protected override int BlockSize => 16;

    protected override int MacLength => _macLength;

    protected override bool LengthInClear => _encryptThenMac;

    public override async ValueTask<byte[]> ReadAsync(InputBuffer input, uint sequence, int maxPacketLength, CancellationToken cancellationToken)
    {
        if (_encryptThenMac)
        {
            var header = new byte[4];
            await input.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
            var length = (int)CheckLength(header, maxPacketLength);
            var packet = new byte[4 + length + _macLength];
            header.CopyTo(packet, 0);
            await input.ReadExactlyAsync(packet.AsMemory(4), cancellationToken).ConfigureAwait(false);
            Verify(sequence, packet.AsSpan(0, 4 + length), packet.AsSpan(4 + length));
            _ctr.Transform(packet.AsSpan(4, length));
            return Payload(packet.AsSpan(4, length));
        }

        var first = new byte[16];
        await input.ReadExactlyAsync(first, cancellationToken).ConfigureAwait(false);
        _ctr.Transform(first);
        var total = (int)CheckLength(first.AsSpan(0, 4), maxPacketLength);
        var whole = new byte[4 + total + _macLength];
        first.CopyTo(whole, 0);
        await input.ReadExactlyAsync(whole.AsMemory(16), cancellationToken).ConfigureAwait(false);
        _ctr.Transform(whole.AsSpan(16, 4 + total - 16));
        Verify(sequence, whole.AsSpan(0, 4 + total), whole.AsSpan(4 + total));
        return Payload(whole.AsSpan(4, total));
    }

    public override void Dispose()
    {
        _ctr.Dispose();
        _hmac.Dispose();
    }

    protected override void Protect(uint sequence, Span<byte> packet, Span<byte> mac)
    {
        if (_encryptThenMac)
        {
            _ctr.Transform(packet[4..]);
            ComputeMac(sequence, packet, mac);
        }
        else
        {
            ComputeMac(sequence, packet, mac);
            _ctr.Transform(packet);
        }
    }

    private void ComputeMac(uint sequence, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        Span<byte> seq = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(seq, sequence);
        _hmac.AppendData(seq);
        _hmac.AppendData(data);
        _hmac.GetHashAndReset(mac);
    }

    private void Verify(uint sequence, ReadOnlySpan<byte> data, ReadOnlySpan<byte> mac)
    {
        Span<byte> expected = stackalloc byte[_macLength];
        ComputeMac(sequence, data, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, mac))
        {
            throw MacFailure();
        }
    }
}
