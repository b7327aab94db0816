using System.Security.Cryptography;
using System.Text;
using Vigil.Postgres.Protocol;

namespace Vigil.Postgres.Auth;

/// <summary>
/// The SCRAM-SHA-256 computations (RFC 5802 §3, RFC 7677) and message syntax checks that the client
/// (<see cref="ScramSha256Client"/>) and the server (<see cref="ScramSha256Server"/>) share.
/// </summary>
internal static class ScramPrimitives
{
    /// <summary>SaltedPassword := Hi(Normalize(password), salt, i), Hi being PBKDF2-HMAC-SHA-256 (RFC 5802 §2.2).</summary>
    public static byte[] SaltedPassword(string preparedPassword, ReadOnlySpan<byte> salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(preparedPassword), salt, iterations, HashAlgorithmName.SHA256, SHA256.HashSizeInBytes);

    /// <summary>ClientKey := HMAC(SaltedPassword, "Client Key").</summary>
    public static byte[] ClientKey(byte[] saltedPassword) => HMACSHA256.HashData(saltedPassword, "Client Key"u8);

    /// <summary>ServerKey := HMAC(SaltedPassword, "Server Key").</summary>
    public static byte[] ServerKey(byte[] saltedPassword) => HMACSHA256.HashData(saltedPassword, "Server Key"u8);

    /// <summary>StoredKey := H(ClientKey).</summary>
    public static byte[] StoredKey(ReadOnlySpan<byte> clientKey) => SHA256.HashData(clientKey);

    /// <summary>ClientSignature := HMAC(StoredKey, AuthMessage); also ServerSignature with ServerKey.</summary>
    public static byte[] Signature(byte[] key, ReadOnlySpan<byte> authMessage) => HMACSHA256.HashData(key, authMessage);

    /// <summary>XORs <paramref name="other"/> into <paramref name="target"/> (ClientProof := ClientKey XOR ClientSignature, and back).</summary>
    public static void Xor(Span<byte> target, ReadOnlySpan<byte> other)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] ^= other[i];
        }
    }

    /// <summary>A nonce: non-empty printable ASCII without ',' (RFC 5802 §7, "printable").</summary>
    public static bool IsValidNonce(string nonce)
    {
        if (nonce.Length == 0)
        {
            return false;
        }
        foreach (var c in nonce)
        {
            if (c is < '!' or > '~' or ',')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Decodes a SCRAM message that must be printable ASCII.</summary>
    /// <exception cref="PostgresProtocolException">A byte outside 0x20..0x7E (08P01).</exception>
    public static string DecodeAscii(ReadOnlySpan<byte> bytes, string what)
    {
        foreach (var b in bytes)
        {
            if (b is < 0x20 or > 0x7E)
            {
                throw Malformed($"{what} contains a non-printable or non-ASCII byte");
            }
        }
        return Encoding.ASCII.GetString(bytes);
    }

    /// <summary>Decodes base64 attribute data.</summary>
    /// <exception cref="PostgresProtocolException">Not base64 (08P01).</exception>
    public static byte[] DecodeBase64(string text, string what)
    {
        var buffer = new byte[(text.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(text, buffer, out var written))
        {
            throw Malformed($"{what} is not valid base64");
        }
        return buffer[..written];
    }

    /// <summary>A protocol violation (08P01) in a SCRAM message.</summary>
    public static PostgresProtocolException Malformed(string detail) => new($"invalid SCRAM message: {detail}");
}
