using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using Vigil.Ssh.Protocol;
using Vigil.Ssh.Transport;

namespace Vigil.Ssh.Tests.Support;

/// <summary>Valid client byte streams and messages to mutate: what OpenSSH sends up to its SSH_MSG_NEWKEYS.</summary>
public static class ClientCorpus
{
    /// <summary>Version line, KEXINIT, KEX_ECDH_INIT and NEWKEYS for <paramref name="kex"/>, unencrypted.</summary>
    public static byte[] Handshake(string kex)
    {
        var stream = new MemoryStream();
        stream.Write("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"u8);
        using var framing = new NoneCipher();
        uint sequence = 0;
        foreach (var payload in new[] { KexInit(kex), EcdhInit(kex), [SshMessageNumber.SSH_MSG_NEWKEYS] })
        {
            stream.Write(framing.Seal(sequence++, payload));
        }

        return stream.ToArray();
    }

    public static byte[] KexInit(string kex) => SshWriter.Message(SshMessageNumber.SSH_MSG_KEXINIT)
        .WriteBytes(RandomNumberGenerator.GetBytes(16))
        .WriteNameList([kex, "ext-info-c", "kex-strict-c-v00@openssh.com"])
        .WriteNameList(["ssh-ed25519", "ecdsa-sha2-nistp256"])
        .WriteNameList(["aes128-gcm@openssh.com", "aes256-ctr"])
        .WriteNameList(["aes128-gcm@openssh.com", "aes256-ctr"])
        .WriteNameList(["hmac-sha2-256-etm@openssh.com"])
        .WriteNameList(["hmac-sha2-256-etm@openssh.com"])
        .WriteNameList(["none"])
        .WriteNameList(["none"])
        .WriteNameList([])
        .WriteNameList([])
        .WriteBoolean(false)
        .WriteUInt32(0)
        .ToArray();

    public static byte[] EcdhInit(string kex)
    {
        byte[] publicKey;
        if (kex.StartsWith("curve25519", StringComparison.Ordinal))
        {
            using var key = Key.Create(KeyAgreementAlgorithm.X25519);
            publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        }
        else
        {
            using var ecdh = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            var q = ecdh.ExportParameters(false).Q;
            publicKey = [4, .. q.X!, .. q.Y!];
        }

        return SshWriter.Message(SshMessageNumber.SSH_MSG_KEX_ECDH_INIT).WriteBinaryString(publicKey).ToArray();
    }

    /// <summary>SSH_MSG_USERAUTH_REQUEST samples of each method.</summary>
    public static byte[][] UserAuthRequests() =>
    [
        SshWriter.Message(50).WriteString("alice").WriteString("ssh-connection").WriteString("none").ToArray(),
        SshWriter.Message(50).WriteString("alice").WriteString("ssh-connection").WriteString("password").WriteBoolean(false).WriteString("secret").ToArray(),
        SshWriter.Message(50).WriteString("alice").WriteString("ssh-connection").WriteString("publickey").WriteBoolean(false)
            .WriteString("ssh-ed25519").WriteBinaryString(PublicKeyBlob()).ToArray(),
        SshWriter.Message(50).WriteString("alice").WriteString("ssh-connection").WriteString("publickey").WriteBoolean(true)
            .WriteString("ssh-ed25519").WriteBinaryString(PublicKeyBlob()).WriteBinaryString(new SshWriter().WriteString("ssh-ed25519").WriteBinaryString(new byte[64]).Span).ToArray(),
    ];

    public static byte[] PublicKeyBlob() => TestServer.HostKey(SshHostKeyType.Ed25519).PublicKeyBlob.ToArray();

    public static byte[] Text(string text) => Encoding.ASCII.GetBytes(text);
}
