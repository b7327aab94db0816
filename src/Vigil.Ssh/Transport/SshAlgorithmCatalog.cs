using System.Security.Cryptography;

namespace Vigil.Ssh.Transport;

/// <summary>The algorithm names the server offers in SSH_MSG_KEXINIT (RFC 4253 §7.1), in preference order, and how to build each.</summary>
internal static class SshAlgorithmCatalog
{
    /// <summary>RFC 8731 (and its pre-standard libssh name), RFC 5656 §4.</summary>
    public static readonly string[] KeyExchange = ["curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256"];

    /// <summary>OpenSSH PROTOCOL §1.10: strict key exchange, the Terrapin (CVE-2023-48795) countermeasure; server and client pseudo-algorithms.</summary>
    public const string StrictKexServer = "kex-strict-s-v00@openssh.com";

    /// <summary>The client's strict-kex marker.</summary>
    public const string StrictKexClient = "kex-strict-c-v00@openssh.com";

    /// <summary>RFC 8308 §2.1: the client accepts SSH_MSG_EXT_INFO.</summary>
    public const string ExtInfoClient = "ext-info-c";

    /// <summary>OpenSSH PROTOCOL §1.6 AES-GCM, then RFC 4344 AES-CTR.</summary>
    public static readonly string[] Ciphers = ["aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "aes256-ctr", "aes128-ctr"];

    /// <summary>OpenSSH PROTOCOL §1.5 encrypt-then-MAC first, then RFC 6668.</summary>
    public static readonly string[] Macs = ["hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512"];

    /// <summary>Signature algorithms accepted for publickey authentication, announced in <c>server-sig-algs</c> (RFC 8308 §3.1).</summary>
    public static readonly string[] UserSignatures = ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-256", "rsa-sha2-512"];

    /// <summary>Placeholder MAC name reported for AEAD ciphers, whose MAC negotiation result is unused.</summary>
    public const string AeadMac = "(aead)";

    /// <summary>True for ciphers with integrated authentication.</summary>
    public static bool IsAead(string cipher) => cipher.EndsWith("-gcm@openssh.com", StringComparison.Ordinal);

    /// <summary>Key length in bytes of a cipher.</summary>
    public static int KeyLength(string cipher) => cipher.StartsWith("aes256", StringComparison.Ordinal) ? 32 : 16;

    /// <summary>IV length: 12 for GCM (RFC 5647 §7.1), the 16-byte initial counter for CTR.</summary>
    public static int IvLength(string cipher) => IsAead(cipher) ? 12 : 16;

    /// <summary>MAC key length (the HMAC output size, RFC 6668 §2).</summary>
    public static int MacKeyLength(string mac) => mac == AeadMac ? 0 : mac.StartsWith("hmac-sha2-512", StringComparison.Ordinal) ? 64 : 32;

    /// <summary>Builds one direction's packet cipher from derived keys.</summary>
    public static PacketCipher Create(string cipher, string mac, byte[] key, byte[] iv, byte[] macKey) => IsAead(cipher)
        ? new AesGcmCipher(key, iv)
        : new AesCtrCipher(
            key,
            iv,
            mac.StartsWith("hmac-sha2-512", StringComparison.Ordinal) ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256,
            macKey,
            mac.EndsWith("-etm@openssh.com", StringComparison.Ordinal));
}
