using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Vigil.Security;

namespace Vigil.Masking;

/// <summary>
/// The <c>hash</c> strategy: <c>hash:</c> + the first 16 lower-case hex digits (64 bits) of HMAC-SHA256 (RFC 2104)
/// of the value's UTF-8 bytes, under a key derived from the gateway's master key (<see cref="Purpose"/>). The same
/// value gives the same output on every gateway sharing the master key, so joins and group-bys on masked values still
/// work; without the key the output cannot be recomputed from a guessed value. Thread-safe.
/// </summary>
public sealed class MaskingHasher
{
    /// <summary>The HKDF purpose the key is derived under (<see cref="SecretProtector.DeriveKey"/>).</summary>
    public const string Purpose = "vigil:masking:hash:v1";

    /// <summary>Length of every output: <c>hash:</c> and 16 hex digits.</summary>
    public const int OutputLength = 21;

    private const string Prefix = "hash:";
    private readonly byte[] _key;

    /// <summary>A hasher under the masking key of <paramref name="secrets"/>' master key.</summary>
    public MaskingHasher(SecretProtector secrets) => _key = secrets.DeriveKey(Purpose);

    /// <summary>The output for <paramref name="value"/>.</summary>
    public string Hash(ReadOnlySpan<char> value)
    {
        Span<char> output = stackalloc char[OutputLength];
        Write(value, output);
        return new string(output);
    }

    /// <summary>Writes the <see cref="OutputLength"/> characters of <paramref name="value"/>'s output to <paramref name="destination"/>.</summary>
    public void Write(ReadOnlySpan<char> value, Span<char> destination)
    {
        var size = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = null;
        var bytes = size <= 1024 ? stackalloc byte[size] : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            var length = Encoding.UTF8.GetBytes(value, bytes);
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(_key, bytes[..length], mac);
            Prefix.CopyTo(destination);
            Convert.TryToHexStringLower(mac[..8], destination[Prefix.Length..], out _);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
