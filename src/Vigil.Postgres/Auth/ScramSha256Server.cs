using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vigil.Postgres.Protocol;

namespace Vigil.Postgres.Auth;

/// <summary>
/// Server side of SCRAM-SHA-256 and, over TLS, SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677; channel binding
/// <c>tls-server-end-point</c>, RFC 5929) as PostgreSQL runs it (PostgreSQL docs §55.3.1 SASL Authentication,
/// <c>auth-scram.c</c>): the SCRAM user name is ignored (the user is the StartupMessage's) and an authorization
/// identity is refused. Usage: send AuthenticationSASL with <see cref="Mechanisms"/>; pass the SASLInitialResponse
/// mechanism and data to <see cref="ProcessClientFirst"/> and send the result in AuthenticationSASLContinue; pass the
/// SASLResponse data to <see cref="ProcessClientFinal"/>: on success send its result in AuthenticationSASLFinal, then
/// AuthenticationOk; on null (wrong proof) fail with 28P01. One instance per exchange.
/// </summary>
public sealed class ScramSha256Server
{
    /// <summary>The mechanism with channel binding, "SCRAM-SHA-256-PLUS".</summary>
    public const string PlusMechanismName = ScramSha256Client.MechanismName + "-PLUS";

    private readonly ScramVerifier _verifier;
    private readonly byte[]? _channelBinding;
    private readonly string _serverNonce;
    private string? _gs2Header;
    private byte[] _bindingInput = [];
    private string? _clientFirstBare;
    private string? _serverFirst;
    private string? _nonce;
    private bool _completed;

    /// <summary>Starts an exchange against <paramref name="verifier"/>.</summary>
    /// <param name="verifier">The stored verifier of the credential the client claims.</param>
    /// <param name="channelBinding">
    /// The <see cref="TlsServerEndPoint"/> data of this TLS connection, which offers SCRAM-SHA-256-PLUS too; null
    /// without TLS (or when the certificate allows none): SCRAM-SHA-256 only.
    /// </param>
    /// <param name="serverNonce">Printable ASCII nonce without ','; 18 random bytes in base64 when null (inject only for tests).</param>
    public ScramSha256Server(ScramVerifier verifier, byte[]? channelBinding = null, string? serverNonce = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        _verifier = verifier;
        _channelBinding = channelBinding;
        Mechanisms = channelBinding is null ? [ScramSha256Client.MechanismName] : [PlusMechanismName, ScramSha256Client.MechanismName];
        _serverNonce = serverNonce ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
        if (!ScramPrimitives.IsValidNonce(_serverNonce))
        {
            throw new ArgumentException("Nonce must be non-empty printable ASCII without ','.", nameof(serverNonce));
        }
    }

    /// <summary>The mechanisms to advertise in AuthenticationSASL, the preferred first.</summary>
    public IReadOnlyList<string> Mechanisms { get; }

    /// <summary>
    /// Processes the client-first-message (gs2-header "n,,", "y,," or "p=tls-server-end-point,,", then
    /// "n=user,r=nonce[,extensions]") sent with <paramref name="mechanism"/>, and returns the server-first-message
    /// "r=nonce,s=salt,i=iterations".
    /// </summary>
    /// <exception cref="PostgresProtocolException">
    /// A mechanism not offered, a gs2 header that does not match it, malformed message, mandatory extension "m="
    /// (08P01); "y" while channel binding is offered, a downgrade (28000); an authorization identity (0A000).
    /// </exception>
    /// <exception cref="InvalidOperationException">Called twice.</exception>
    public byte[] ProcessClientFirst(string mechanism, ReadOnlySpan<byte> clientFirst)
    {
        if (!Mechanisms.Contains(mechanism))
        {
            throw new PostgresProtocolException($"the client selected SASL mechanism \"{mechanism}\", which was not offered ({string.Join(", ", Mechanisms)})");
        }
        if (_serverFirst is not null)
        {
            throw new InvalidOperationException("ProcessClientFirst was already called.");
        }
        var text = ScramPrimitives.DecodeAscii(clientFirst, "client-first-message");
        var first = text.IndexOf(',', StringComparison.Ordinal);
        var second = first < 0 ? -1 : text.IndexOf(',', first + 1);
        if (second < 0)
        {
            throw ScramPrimitives.Malformed("client-first-message must start with a gs2 header \"n,,\"");
        }
        var flag = text[..first];
        var plus = mechanism == PlusMechanismName;
        if (flag.StartsWith("p=", StringComparison.Ordinal) != plus)
        {
            throw ScramPrimitives.Malformed(plus
                ? "the client selected SCRAM-SHA-256-PLUS but sent no channel binding (\"p=\")"
                : "the client selected channel binding, but the mechanism is SCRAM-SHA-256 (without -PLUS)");
        }
        if (plus && flag != "p=" + TlsServerEndPoint.Name)
        {
            throw ScramPrimitives.Malformed($"unsupported channel binding type \"{flag[2..]}\"; only {TlsServerEndPoint.Name} is offered");
        }
        if (!plus && flag is not ("n" or "y"))
        {
            throw ScramPrimitives.Malformed("gs2 channel binding flag must be 'n', 'y' or 'p='");
        }
        if (flag == "y" && _channelBinding is not null)
        {
            // RFC 5802 §6: the client could bind but believes the server cannot, yet this server offered -PLUS: someone
            // removed it from the list on the way.
            throw new PostgresProtocolException(
                "SCRAM channel binding negotiation error: the client supports channel binding but thinks the server does not, yet this server offered it",
                PostgresSqlState.InvalidAuthorizationSpecification);
        }
        if (second != first + 1 && !text.AsSpan(first + 1).StartsWith("a="))
        {
            throw ScramPrimitives.Malformed("the gs2 header must be \"n,,\" or carry an authorization identity \"a=…\"");
        }
        if (second != first + 1)
        {
            throw new PostgresProtocolException(
                "SCRAM authorization identities are not supported", PostgresSqlState.FeatureNotSupported);
        }
        var bare = text[(second + 1)..];
        var attributes = bare.Split(',');
        if (attributes.Length < 2 || !attributes[0].StartsWith("n=", StringComparison.Ordinal) || !attributes[1].StartsWith("r=", StringComparison.Ordinal))
        {
            throw ScramPrimitives.Malformed("client-first-message-bare must be n=…,r=… (mandatory extensions are not supported)");
        }
        var clientNonce = attributes[1][2..];
        if (!ScramPrimitives.IsValidNonce(clientNonce))
        {
            throw ScramPrimitives.Malformed("the client nonce must be printable ASCII without ','");
        }
        _gs2Header = text[..(second + 1)];
        _bindingInput = plus ? [.. Encoding.ASCII.GetBytes(_gs2Header), .. _channelBinding!] : Encoding.ASCII.GetBytes(_gs2Header);
        _clientFirstBare = bare;
        _nonce = clientNonce + _serverNonce;
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_verifier.Salt)},i={_verifier.Iterations.ToString(CultureInfo.InvariantCulture)}";
        return Encoding.ASCII.GetBytes(_serverFirst);
    }

    /// <summary>
    /// Processes the client-final-message ("c=base64(gs2 header + channel binding data),r=nonce[,extensions],p=base64
    /// proof") and checks the
    /// proof in constant time. Returns the server-final-message "v=base64 signature" when the proof is right, null
    /// when it is not (the client does not know the secret).
    /// </summary>
    /// <exception cref="PostgresProtocolException">
    /// Malformed message, or a nonce or channel binding data that do not match (08P01): over TLS a mismatch means the
    /// client's TLS session ends at another server than this one.
    /// </exception>
    /// <exception cref="InvalidOperationException"><see cref="ProcessClientFirst"/> was not called, or this was already called.</exception>
    public byte[]? ProcessClientFinal(ReadOnlySpan<byte> clientFinal)
    {
        if (_serverFirst is null || _completed)
        {
            throw new InvalidOperationException("ProcessClientFinal must follow a single ProcessClientFirst call.");
        }
        _completed = true;
        var text = ScramPrimitives.DecodeAscii(clientFinal, "client-final-message");
        var proofAt = text.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            throw ScramPrimitives.Malformed("client-final-message has no proof");
        }
        var withoutProof = text[..proofAt];
        var attributes = withoutProof.Split(',');
        if (attributes.Length < 2 || !attributes[0].StartsWith("c=", StringComparison.Ordinal) || !attributes[1].StartsWith("r=", StringComparison.Ordinal))
        {
            throw ScramPrimitives.Malformed("client-final-message must be c=…,r=…,p=…");
        }
        var binding = ScramPrimitives.DecodeBase64(attributes[0][2..], "channel binding");
        if (!CryptographicOperations.FixedTimeEquals(binding, _bindingInput))
        {
            throw ScramPrimitives.Malformed("unexpected channel binding data");
        }
        if (attributes[1][2..] != _nonce)
        {
            throw ScramPrimitives.Malformed("the nonce does not match");
        }
        var proof = ScramPrimitives.DecodeBase64(text[(proofAt + 3)..], "proof");
        if (proof.Length != SHA256.HashSizeInBytes)
        {
            return null;
        }
        var authMessage = Encoding.ASCII.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        var clientKey = ScramPrimitives.Signature(_verifier.StoredKey, authMessage);
        ScramPrimitives.Xor(clientKey, proof);
        if (!CryptographicOperations.FixedTimeEquals(ScramPrimitives.StoredKey(clientKey), _verifier.StoredKey))
        {
            return null;
        }
        return Encoding.ASCII.GetBytes("v=" + Convert.ToBase64String(ScramPrimitives.Signature(_verifier.ServerKey, authMessage)));
    }
}
