using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vigil.Postgres.Protocol;

namespace Vigil.Postgres.Auth;

/// <summary>
/// Client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it (PostgreSQL 15 docs §55.3.1
/// SASL Authentication): no channel binding (gs2 header "n,,"), and an empty user name ("n=,r=…") as
/// libpq sends, because the server takes the user from the StartupMessage. Usage: send
/// <see cref="ClientFirstMessage"/> in SASLInitialResponse, pass AuthenticationSASLContinue data to
/// <see cref="ProcessServerFirst"/> and send the result in SASLResponse, then pass
/// AuthenticationSASLFinal data to <see cref="VerifyServerFinal"/>. One instance per exchange.
/// </summary>
public sealed class ScramSha256Client
{
    /// <summary>The SASL mechanism name, "SCRAM-SHA-256".</summary>
    public const string MechanismName = "SCRAM-SHA-256";

    /// <summary>Largest accepted iteration count (guards against a CPU-exhaustion server).</summary>
    public const int MaxIterations = 10_000_000;

    private const string Gs2Header = "n,,";
    private const string ChannelBinding = "c=biws"; // base64("n,,")

    private readonly string _password;
    private readonly string _clientNonce;
    private readonly string _clientFirstBare;
    private byte[]? _expectedServerSignature;
    private bool _completed;

    /// <summary>Starts an exchange with an empty SCRAM user name, as libpq does.</summary>
    /// <param name="password">The role's password; prepared with SASLprep like libpq.</param>
    /// <param name="clientNonce">Printable ASCII nonce without ','; random 18 bytes in base64 when null (inject only for tests).</param>
    public ScramSha256Client(string password, string? clientNonce = null)
        : this(password, clientNonce, string.Empty)
    {
    }

    /// <summary>Starts an exchange with an explicit SCRAM user name (as in the RFC 7677 example).</summary>
    /// <param name="password">The password; prepared with SASLprep like libpq.</param>
    /// <param name="clientNonce">Printable ASCII nonce without ','; random when null.</param>
    /// <param name="userName">User name for the "n=" attribute; '=' and ',' are escaped as "=3D" and "=2C".</param>
    public ScramSha256Client(string password, string? clientNonce, string userName)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(userName);
        _password = SaslPrep.Prepare(password);
        _clientNonce = clientNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        if (!ScramPrimitives.IsValidNonce(_clientNonce))
        {
            throw new ArgumentException("Nonce must be non-empty printable ASCII without ','.", nameof(clientNonce));
        }

        var escapedUser = userName.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);
        _clientFirstBare = $"n={escapedUser},r={_clientNonce}";
        ClientFirstMessage = Encoding.UTF8.GetBytes(Gs2Header + _clientFirstBare);
    }

    /// <summary>The client-first-message (gs2 header "n,," + client-first-message-bare), UTF-8 bytes.</summary>
    public byte[] ClientFirstMessage { get; }

    /// <summary>
    /// Processes the server-first-message ("r=nonce,s=base64 salt,i=iterations[,extensions]") and returns the
    /// client-final-message ("c=biws,r=nonce,p=base64 proof").
    /// </summary>
    /// <param name="serverFirst">Payload of AuthenticationSASLContinue.</param>
    /// <returns>UTF-8 client-final-message to send in SASLResponse.</returns>
    /// <exception cref="PostgresProtocolException">
    /// Malformed message, mandatory extension "m=", bad salt, iteration count outside 1..10,000,000 (08P01),
    /// or a server nonce that does not extend the client nonce (28000).
    /// </exception>
    /// <exception cref="InvalidOperationException">Called twice.</exception>
    public byte[] ProcessServerFirst(ReadOnlySpan<byte> serverFirst)
    {
        if (_expectedServerSignature is not null)
        {
            throw new InvalidOperationException("ProcessServerFirst was already called.");
        }

        var text = ScramPrimitives.DecodeAscii(serverFirst, "server-first-message");
        var parts = text.Split(',');
        if (parts.Length < 3 || !parts[0].StartsWith("r=", StringComparison.Ordinal)
            || !parts[1].StartsWith("s=", StringComparison.Ordinal) || !parts[2].StartsWith("i=", StringComparison.Ordinal))
        {
            throw ScramPrimitives.Malformed("server-first-message must be r=…,s=…,i=… (mandatory extensions are not supported)");
        }

        var nonce = parts[0][2..];
        if (!ScramPrimitives.IsValidNonce(nonce) || nonce.Length <= _clientNonce.Length
            || !nonce.StartsWith(_clientNonce, StringComparison.Ordinal))
        {
            throw new PostgresProtocolException(
                "invalid SCRAM server-first-message: server nonce does not extend the client nonce",
                PostgresSqlState.InvalidAuthorizationSpecification);
        }

        var salt = ScramPrimitives.DecodeBase64(parts[1][2..], "salt");
        if (salt.Length == 0)
        {
            throw ScramPrimitives.Malformed("empty salt");
        }

        if (!int.TryParse(parts[2].AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations < 1 || iterations > MaxIterations)
        {
            throw ScramPrimitives.Malformed($"iteration count must be an integer between 1 and {MaxIterations}");
        }

        var clientFinalWithoutProof = $"{ChannelBinding},r={nonce}";
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{text},{clientFinalWithoutProof}");

        var saltedPassword = ScramPrimitives.SaltedPassword(_password, salt, iterations);
        var clientKey = ScramPrimitives.ClientKey(saltedPassword);
        var proof = ScramPrimitives.Signature(ScramPrimitives.StoredKey(clientKey), authMessage);
        ScramPrimitives.Xor(proof, clientKey);

        var serverKey = ScramPrimitives.ServerKey(saltedPassword);
        _expectedServerSignature = ScramPrimitives.Signature(serverKey, authMessage);
        CryptographicOperations.ZeroMemory(saltedPassword);
        CryptographicOperations.ZeroMemory(clientKey);
        CryptographicOperations.ZeroMemory(serverKey);

        return Encoding.UTF8.GetBytes($"{clientFinalWithoutProof},p={Convert.ToBase64String(proof)}");
    }

    /// <summary>
    /// Checks the server-final-message ("v=base64 signature[,extensions]" or "e=error") in constant time.
    /// </summary>
    /// <param name="serverFinal">Payload of AuthenticationSASLFinal.</param>
    /// <exception cref="PostgresProtocolException">
    /// SQLSTATE 28000 for an "e=" error or a signature mismatch; 08P01 for a malformed message.
    /// </exception>
    /// <exception cref="InvalidOperationException"><see cref="ProcessServerFirst"/> was not called, or this was already called.</exception>
    public void VerifyServerFinal(ReadOnlySpan<byte> serverFinal)
    {
        if (_expectedServerSignature is null || _completed)
        {
            throw new InvalidOperationException("VerifyServerFinal must follow a single ProcessServerFirst call.");
        }

        _completed = true;
        var text = ScramPrimitives.DecodeAscii(serverFinal, "server-final-message");
        var first = text.Split(',')[0];
        if (first.StartsWith("e=", StringComparison.Ordinal))
        {
            throw new PostgresProtocolException(
                $"SCRAM authentication failed: server reported \"{first[2..]}\"",
                PostgresSqlState.InvalidAuthorizationSpecification);
        }

        if (!first.StartsWith("v=", StringComparison.Ordinal))
        {
            throw ScramPrimitives.Malformed("server-final-message must start with v= or e=");
        }

        var signature = ScramPrimitives.DecodeBase64(first[2..], "server signature");
        if (!CryptographicOperations.FixedTimeEquals(signature, _expectedServerSignature))
        {
            throw new PostgresProtocolException(
                "SCRAM authentication failed: invalid server signature",
                PostgresSqlState.InvalidAuthorizationSpecification);
        }
    }
}
