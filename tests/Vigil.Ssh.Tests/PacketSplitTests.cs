using System.Security.Cryptography;
using Vigil.Ssh.Tests.Support;
using Vigil.Ssh.Transport;

namespace Vigil.Ssh.Tests;

/// <summary>The packet reader gets a valid byte stream split at every position (and byte by byte) and must return the same payloads.</summary>
public class PacketSplitTests
{
    public static TheoryData<string, string> Ciphers() => new()
    {
        { "none", "" },
        { "aes128-gcm@openssh.com", "" },
        { "aes256-gcm@openssh.com", "" },
        { "aes128-ctr", "hmac-sha2-256-etm@openssh.com" },
        { "aes256-ctr", "hmac-sha2-512-etm@openssh.com" },
        { "aes256-ctr", "hmac-sha2-256" },
        { "aes128-ctr", "hmac-sha2-512" },
    };

    [Theory]
    [MemberData(nameof(Ciphers))]
    public async Task EverySplit_YieldsTheSamePayloads(string cipher, string mac)
    {
        var payloads = new[] { new byte[] { 2 }, RandomNumberGenerator.GetBytes(40), ClientCorpus.KexInit("curve25519-sha256"), RandomNumberGenerator.GetBytes(300) };
        payloads[1][0] = 94;
        payloads[3][0] = 98;
        var keys = (Key: RandomNumberGenerator.GetBytes(32), Iv: RandomNumberGenerator.GetBytes(16), Mac: RandomNumberGenerator.GetBytes(64));
        var stream = new MemoryStream();
        using (var writer = Create(cipher, mac, keys))
        {
            for (var i = 0; i < payloads.Length; i++)
            {
                stream.Write(writer.Seal((uint)i, payloads[i]));
            }
        }

        var bytes = stream.ToArray();
        for (var split = 0; split <= bytes.Length; split++)
        {
            (await ReadAllAsync(new ScriptedStream(bytes, firstChunk: Math.Max(split, 1)), cipher, mac, keys, payloads.Length)).Should().BeEquivalentTo(payloads, o => o.WithStrictOrdering(), $"split at {split}");
        }

        (await ReadAllAsync(new ScriptedStream(bytes, chunk: 1), cipher, mac, keys, payloads.Length)).Should().BeEquivalentTo(payloads, o => o.WithStrictOrdering(), "byte by byte");
    }

    public static TheoryData<string, string> ProtectedCiphers()
    {
        var data = new TheoryData<string, string>();
        foreach (var row in Ciphers().Where(r => (string)r[0] != "none"))
        {
            data.Add((string)row[0], (string)row[1]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ProtectedCiphers))]
    public async Task AnyFlippedByte_IsAProtocolOrMacError(string cipher, string mac)
    {
        var keys = (Key: RandomNumberGenerator.GetBytes(32), Iv: RandomNumberGenerator.GetBytes(16), Mac: RandomNumberGenerator.GetBytes(64));
        byte[] packet;
        using (var writer = Create(cipher, mac, keys))
        {
            packet = writer.Seal(7, [94, 0, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]);
        }

        var detected = 0;
        for (var i = 0; i < packet.Length; i++)
        {
            var damaged = (byte[])packet.Clone();
            damaged[i] ^= 0x01;
            using var reader = Create(cipher, mac, keys);
            try
            {
                await reader.ReadAsync(new InputBuffer(new ScriptedStream(damaged)), 7, 35000, CancellationToken.None);
            }
            catch (SshProtocolException)
            {
                detected++;
            }
            catch (EndOfStreamException)
            {
                detected++;
            }
        }

        detected.Should().Be(packet.Length, "every byte of a protected packet is covered by the MAC or tag");
    }

    private static async Task<List<byte[]>> ReadAllAsync(Stream stream, string cipher, string mac, (byte[] Key, byte[] Iv, byte[] Mac) keys, int count)
    {
        using var reader = Create(cipher, mac, keys);
        var input = new InputBuffer(stream, 64);
        var result = new List<byte[]>();
        for (var i = 0; i < count; i++)
        {
            result.Add(await reader.ReadAsync(input, (uint)i, 35000, CancellationToken.None));
        }

        return result;
    }

    private static PacketCipher Create(string cipher, string mac, (byte[] Key, byte[] Iv, byte[] Mac) keys) => cipher == "none"
        ? new NoneCipher()
        : SshAlgorithmCatalog.Create(
            cipher,
            SshAlgorithmCatalog.IsAead(cipher) ? SshAlgorithmCatalog.AeadMac : mac,
            keys.Key[..SshAlgorithmCatalog.KeyLength(cipher)],
            keys.Iv[..SshAlgorithmCatalog.IvLength(cipher)],
            keys.Mac[..SshAlgorithmCatalog.MacKeyLength(SshAlgorithmCatalog.IsAead(cipher) ? SshAlgorithmCatalog.AeadMac : mac)]);
}
