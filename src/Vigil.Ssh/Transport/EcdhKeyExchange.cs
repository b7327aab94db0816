using System.Security.Cryptography;
using NSec.Cryptography;

namespace Vigil.Ssh.Transport;

/// <summary>
/// One side of an elliptic-curve Diffie-Hellman key exchange (RFC 5656 §4): an ephemeral key pair whose public
/// part is ours (Q_S for the server, Q_C for the client), and the agreement with the peer's giving the shared secret K.
/// </summary>
internal abstract class EcdhKeyExchange : IDisposable
{
    /// <summary>Our ephemeral public key: Q_C in SSH_MSG_KEX_ECDH_INIT, Q_S in SSH_MSG_KEX_ECDH_REPLY.</summary>
    public abstract byte[] PublicKey { get; }

    /// <summary>Creates the exchange for a negotiated method name.</summary>
    public static EcdhKeyExchange Create(string method) => method == "ecdh-sha2-nistp256" ? new NistP256() : new Curve25519();

    /// <summary>Computes K as an unsigned big-endian integer (to be encoded as mpint).</summary>
    /// <exception cref="SshProtocolException">The peer's public key is malformed or not on the curve (SSH_DISCONNECT_KEY_EXCHANGE_FAILED).</exception>
    public abstract byte[] Agree(ReadOnlySpan<byte> peerPublic);

    /// <inheritdoc />
    public abstract void Dispose();

    private static SshProtocolException BadPublic(string detail) => new(SshDisconnectReason.KeyExchangeFailed, $"invalid ephemeral public key from the peer: {detail}");

    /// <summary><c>curve25519-sha256</c> (RFC 8731 §3): X25519 via NSec (libsodium); the 32-byte secret is read as a big-endian integer.</summary>
    private sealed class Curve25519 : EcdhKeyExchange
    {
        private readonly Key _key = Key.Create(KeyAgreementAlgorithm.X25519);

        public override byte[] PublicKey => _key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

        public override byte[] Agree(ReadOnlySpan<byte> peerPublic)
        {
            if (peerPublic.Length != 32 || !NSec.Cryptography.PublicKey.TryImport(KeyAgreementAlgorithm.X25519, peerPublic, KeyBlobFormat.RawPublicKey, out var peer) || peer is null)
            {
                throw BadPublic("not a 32-byte X25519 key");
            }

            // RFC 8731 §3: an all-zero shared secret (small-order point) must be refused; NSec returns null for it.
            using var shared = KeyAgreementAlgorithm.X25519.Agree(_key, peer, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })
                ?? throw BadPublic("small-order X25519 point");
            return shared.Export(SharedSecretBlobFormat.RawSharedSecret);
        }

        public override void Dispose() => _key.Dispose();
    }

    /// <summary><c>ecdh-sha2-nistp256</c> (RFC 5656 §4): P-256; Q encoded uncompressed (SEC1 2.3.3); K is the x-coordinate of the shared point.</summary>
    private sealed class NistP256 : EcdhKeyExchange
    {
        private readonly ECDiffieHellman _key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

        public override byte[] PublicKey
        {
            get
            {
                var q = _key.ExportParameters(false).Q;
                return [4, .. q.X!, .. q.Y!];
            }
        }

        public override byte[] Agree(ReadOnlySpan<byte> peerPublic)
        {
            if (peerPublic.Length != 65 || peerPublic[0] != 4)
            {
                throw BadPublic("not an uncompressed 65-byte P-256 point");
            }

            try
            {
                using var peer = ECDiffieHellman.Create(new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP256,
                    Q = new ECPoint { X = peerPublic[1..33].ToArray(), Y = peerPublic[33..].ToArray() },
                });
                return _key.DeriveRawSecretAgreement(peer.PublicKey);
            }
            catch (CryptographicException)
            {
                throw BadPublic("point not on P-256");
            }
        }

        public override void Dispose() => _key.Dispose();
    }
}
