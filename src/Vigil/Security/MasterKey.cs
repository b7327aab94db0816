using System.Security.Cryptography;

namespace Vigil.Security;

/// <summary>
/// Finds the 32-byte master key: <c>VIGIL_MASTER_KEY</c> (base64 or 64 hex digits) when set, otherwise the key file
/// <c>DATA/master.key</c>, generated on first start with mode 0600.
/// </summary>
public static class MasterKey
{
    /// <summary>The environment variable that overrides the key file.</summary>
    public const string EnvironmentVariable = "VIGIL_MASTER_KEY";

    /// <summary>Loads or creates the key.</summary>
    /// <exception cref="InvalidOperationException">The variable or the file does not hold exactly 32 bytes.</exception>
    public static byte[] Load(string dataDirectory, string? environmentValue)
    {
        if (!string.IsNullOrWhiteSpace(environmentValue))
        {
            return Decode(environmentValue.Trim(), EnvironmentVariable);
        }
        var path = Path.Combine(dataDirectory, "master.key");
        if (File.Exists(path))
        {
            return Decode(File.ReadAllText(path).Trim(), path);
        }
        var key = RandomNumberGenerator.GetBytes(32);
        SecretFile.Write(path, Convert.ToBase64String(key) + "\n");
        return key;
    }

    private static byte[] Decode(string text, string source)
    {
        byte[]? key = null;
        if (text.Length == 64 && text.All(Uri.IsHexDigit))
        {
            key = Convert.FromHexString(text);
        }
        else
        {
            var buffer = new byte[text.Length];
            if (Convert.TryFromBase64String(text, buffer, out var written))
            {
                key = buffer[..written];
            }
        }
        if (key is not { Length: 32 })
        {
            throw new InvalidOperationException($"{source} must hold a 32-byte key as base64 or 64 hex digits (generate one with: openssl rand -base64 32)");
        }
        return key;
    }
}
