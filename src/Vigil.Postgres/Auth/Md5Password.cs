using System.Security.Cryptography;
using System.Text;

namespace Vigil.Postgres.Auth;

/// <summary>
/// The MD5 password response of PostgreSQL 15 docs §55.3 (AuthenticationMD5Password):
/// "md5" + hex(md5(hex(md5(password + user)) + salt)), lowercase hex. MD5 is weak; it is supported
/// only because older servers require it.
/// </summary>
public static class Md5Password
{
    /// <summary>Computes the 35-character string to send in a PasswordMessage.</summary>
    /// <param name="user">Role name as sent in the StartupMessage (UTF-8).</param>
    /// <param name="password">Password (UTF-8).</param>
    /// <param name="salt">The 4-byte salt from AuthenticationMD5Password.</param>
    /// <returns>"md5" followed by 32 lowercase hex digits.</returns>
    /// <exception cref="ArgumentException"><paramref name="salt"/> is not 4 bytes.</exception>
    public static string Compute(string user, string password, ReadOnlySpan<byte> salt)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        if (salt.Length != 4)
        {
            throw new ArgumentException("MD5 salt must be 4 bytes.", nameof(salt));
        }

        Span<byte> hash = stackalloc byte[MD5.HashSizeInBytes];
#pragma warning disable CA5351 // MD5 is mandated by the PostgreSQL md5 authentication method.
        MD5.HashData(Encoding.UTF8.GetBytes(password + user), hash);
        Span<byte> outer = stackalloc byte[32 + 4];
        Encoding.ASCII.GetBytes(Convert.ToHexStringLower(hash), outer);
        salt.CopyTo(outer[32..]);
        MD5.HashData(outer, hash);
#pragma warning restore CA5351
        return "md5" + Convert.ToHexStringLower(hash);
    }
}
