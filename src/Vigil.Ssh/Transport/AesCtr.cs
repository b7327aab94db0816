using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Vigil.Ssh.Transport;

/// <summary>
/// AES in counter mode (RFC 4344 §4, <c>aes128-ctr</c>/<c>aes256-ctr</c>): the keystream is AES-ECB of a 128-bit
/// big-endian counter starting at the derived IV. .NET has no CTR mode, so this is CTR built on the platform's AES
/// block cipher; only whole 16-byte blocks are processed (SSH packets are block-aligned).
/// </summary>
internal sealed class AesCtr : IDisposable
{
    private const int BatchBlocks = 512;
    private readonly Aes _aes = Aes.Create();
    private UInt128 _counter;
    private readonly byte[] _counters = new byte[BatchBlocks * 16];
    private readonly byte[] _keystream = new byte[BatchBlocks * 16];

    public AesCtr(byte[] key, byte[] iv)
    {
        _aes.Key = key;
        _counter = BinaryPrimitives.ReadUInt128BigEndian(iv);
    }

    /// <summary>XORs the keystream into <paramref name="data"/> (a multiple of 16 bytes) in place.</summary>
    public void Transform(Span<byte> data)
    {
        while (!data.IsEmpty)
        {
            var length = Math.Min(data.Length, _counters.Length);
            for (var offset = 0; offset < length; offset += 16)
            {
                BinaryPrimitives.WriteUInt128BigEndian(_counters.AsSpan(offset), _counter++);
            }

            _aes.EncryptEcb(_counters.AsSpan(0, length), _keystream, PaddingMode.None);
            Xor(data[..length], _keystream);
            data = data[length..];
        }
    }

    public void Dispose() => _aes.Dispose();

    private static void Xor(Span<byte> data, ReadOnlySpan<byte> keystream)
    {
        var i = 0;
        for (; i + Vector<byte>.Count <= data.Length; i += Vector<byte>.Count)
        {
            (new Vector<byte>(data[i..]) ^ new Vector<byte>(keystream[i..])).CopyTo(data[i..]);
        }

        for (; i < data.Length; i++)
        {
            data[i] ^= keystream[i];
        }
    }
}
