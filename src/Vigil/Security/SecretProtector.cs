using System.Security.Cryptography;
using System.Text;

namespace Vigil.Security;

/// <summary>
/// Encrypts secrets at rest with AES-256-GCM (NIST SP 800-38D): 12-byte random nonce, 16-byte tag, and a purpose
/// string as associated data so a ciphertext cannot be moved to another field or record.
/// Stored form: <c>v1:</c> + base64(nonce ‖ ciphertext ‖ tag).
/// </summary>
public sealed class SecretProtector
{
    private const string Prefix = "v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    /// <summary>Creates a protector over a 32-byte key.</summary>
    /// <exception cref="ArgumentException">The key is not 32 bytes.</exception>
    public SecretProtector(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException("the master key must be 32 bytes", nameof(key));
        }
        _key = key;
    }

    /// <summary>
    /// A 32-byte key for <paramref name="purpose"/> derived from the master key with HKDF-SHA256 (RFC 5869, the purpose
    /// as <c>info</c>): stable for one master key, unrelated across purposes and keys, and never the master key itself.
    /// </summary>
    public byte[] DeriveKey(string purpose) => HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, info: Encoding.UTF8.GetBytes(purpose));

    /// <summary>Encrypts <paramref name="plaintext"/> bound to <paramref name="purpose"/> (e.g. "connection:prod:password").</summary>
    public string Protect(string plaintext, string purpose)
    {
        var data = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceSize + data.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, data, output.AsSpan(NonceSize, data.Length), output.AsSpan(NonceSize + data.Length), Encoding.UTF8.GetBytes(purpose));
        return Prefix + Convert.ToBase64String(output);
    }

    /// <summary>Decrypts a value from <see cref="Protect"/>.</summary>
    /// <exception cref="CryptographicException">Wrong key, wrong purpose, or a tampered or malformed value.</exception>
    public string Unprotect(string stored, string purpose)
    {
        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new CryptographicException("unrecognized secret format");
        }
        byte[] input;
        try
        {
            input = Convert.FromBase64String(stored[Prefix.Length..]);
        }
        catch (FormatException e)
        {
            throw new CryptographicException("malformed secret", e);
        }
        if (input.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("malformed secret");
        }
        var length = input.Length - NonceSize - TagSize;
        var plaintext = new byte[length];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize, length), input.AsSpan(NonceSize + length), plaintext, Encoding.UTF8.GetBytes(purpose));
        return Encoding.UTF8.GetString(plaintext);
    }
}
