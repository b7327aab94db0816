using System.Globalization;
using System.Security.Cryptography;

namespace Vigil.Postgres.Auth;

/// <summary>
/// What a SCRAM-SHA-256 server stores instead of a password (RFC 5802 §3): salt, iteration count, StoredKey and
/// ServerKey. Text form as PostgreSQL's <c>pg_authid.rolpassword</c>:
/// <c>SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY</c> (base64). It lets the server check a client's proof and
/// prove itself, but not recover the password; for a 256-bit random secret it cannot be reversed at all.
/// </summary>
public sealed class ScramVerifier
{
    /// <summary>Iterations for new verifiers: PostgreSQL's default (<c>scram_iterations</c> = 4096, RFC 7677 §4 minimum).</summary>
    public const int DefaultIterations = 4096;

    private const string Prefix = ScramSha256Client.MechanismName + "$";

    private ScramVerifier(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey)
    {
        Salt = salt;
        Iterations = iterations;
        StoredKey = storedKey;
        ServerKey = serverKey;
    }

    /// <summary>The salt (16 random bytes for new verifiers, as PostgreSQL).</summary>
    public byte[] Salt { get; }

    /// <summary>PBKDF2 iteration count.</summary>
    public int Iterations { get; }

    /// <summary>H(HMAC(SaltedPassword, "Client Key")), 32 bytes.</summary>
    public byte[] StoredKey { get; }

    /// <summary>HMAC(SaltedPassword, "Server Key"), 32 bytes.</summary>
    public byte[] ServerKey { get; }

    /// <summary>Computes the verifier of <paramref name="password"/> (prepared with SASLprep, as PostgreSQL does).</summary>
    /// <param name="password">The secret.</param>
    /// <param name="salt">Salt; 16 random bytes when null (inject only for tests).</param>
    /// <param name="iterations">Iteration count, 1..<see cref="ScramSha256Client.MaxIterations"/>.</param>
    public static ScramVerifier Create(string password, byte[]? salt = null, int iterations = DefaultIterations)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(iterations, ScramSha256Client.MaxIterations);
        salt ??= RandomNumberGenerator.GetBytes(16);
        var salted = ScramPrimitives.SaltedPassword(SaslPrep.Prepare(password), salt, iterations);
        var clientKey = ScramPrimitives.ClientKey(salted);
        var verifier = new ScramVerifier(salt, iterations, ScramPrimitives.StoredKey(clientKey), ScramPrimitives.ServerKey(salted));
        CryptographicOperations.ZeroMemory(salted);
        CryptographicOperations.ZeroMemory(clientKey);
        return verifier;
    }

    /// <summary>Parses the text form; null when <paramref name="text"/> is null or not a well-formed SCRAM-SHA-256 verifier.</summary>
    public static ScramVerifier? TryParse(string? text)
    {
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var parts = text[Prefix.Length..].Split('$');
        if (parts.Length != 2 || parts[0].Split(':') is not [var iterationText, var saltText] || parts[1].Split(':') is not [var storedText, var serverText]
            || !int.TryParse(iterationText, NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations is < 1 or > ScramSha256Client.MaxIterations)
        {
            return null;
        }
        try
        {
            var salt = Convert.FromBase64String(saltText);
            var stored = Convert.FromBase64String(storedText);
            var server = Convert.FromBase64String(serverText);
            return salt.Length > 0 && stored.Length == SHA256.HashSizeInBytes && server.Length == SHA256.HashSizeInBytes
                ? new ScramVerifier(salt, iterations, stored, server)
                : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The text form, <c>SCRAM-SHA-256$ITERATIONS:SALT$STOREDKEY:SERVERKEY</c>.</summary>
    public string Format() =>
        $"{Prefix}{Iterations.ToString(CultureInfo.InvariantCulture)}:{Convert.ToBase64String(Salt)}${Convert.ToBase64String(StoredKey)}:{Convert.ToBase64String(ServerKey)}";
}
