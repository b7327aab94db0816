using System.Security.Cryptography;

namespace Vigil.Identity.Passwords;

/// <summary>The bootstrap admin's console password when the operator gives none (<c>VIGIL_ADMIN_PASSWORD</c>).</summary>
public static class AdminPassword
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    /// <summary>
    /// 20 characters drawn uniformly from 57 letters and digits (no look-alikes such as O/0 or l/1), about 116 bits of
    /// entropy; passes <see cref="PasswordHasher.Problem"/>.
    /// </summary>
    public static string Generate() => RandomNumberGenerator.GetString(Alphabet, 20);
}
