using System.Security.Cryptography;
using System.Text;

namespace Vigil.Identity.Passwords;

/// <summary>
/// Local passwords as PBKDF2-HMAC-SHA256 with a per-user 128-bit salt and 600,000 iterations (OWASP Password Storage
/// Cheat Sheet; RFC 8018 §5.2), stored as <c>pbkdf2_sha256$ITERATIONS$SALT$HASH</c> (base64). Verification compares in
/// constant time; <see cref="VerifyNothing"/> spends the same time when there is no hash, so a login cannot tell
/// unknown accounts from wrong passwords by timing.
/// </summary>
public static class PasswordHasher
{
    /// <summary>PBKDF2 iterations for new hashes.</summary>
    public const int Iterations = 600_000;

    /// <summary>Shortest accepted password (OWASP ASVS 4.0 §2.1.1: at least 12 characters).</summary>
    public const int MinLength = 12;

    /// <summary>Longest accepted password, which bounds the work one login attempt can cause.</summary>
    public const int MaxLength = 1024;

    private const string Scheme = "pbkdf2_sha256";
    private static readonly string DummyHash = Hash("vigil-dummy-password-for-timing");

    /// <summary>Null when <paramref name="password"/> is acceptable, else why not.</summary>
    public static string? Problem(string? password) => password switch
    {
        null or { Length: 0 } => "the password is empty",
        { Length: < MinLength } => $"the password must have at least {MinLength} characters",
        { Length: > MaxLength } => $"the password must have at most {MaxLength} characters",
        _ => null,
    };

    /// <summary>Hashes <paramref name="password"/> with a fresh salt.</summary>
    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32);
        return $"{Scheme}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="stored"/>; false for a malformed hash.</summary>
    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out var iterations) || iterations < 1)
        {
            return false;
        }
        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Does the work of one verification and fails: for unknown accounts and accounts without a password.</summary>
    public static bool VerifyNothing(string password)
    {
        Verify(password, DummyHash);
        return false;
    }
}
