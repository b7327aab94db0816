using System.Diagnostics;
using System.Security.Cryptography;
using Vigil.Ssh.Tests.Support;
using Vigil.Ssh.Transport;
using Xunit.Abstractions;

namespace Vigil.Ssh.Tests;

/// <summary>Raw packet layer speed (seal and open 32 KiB channel-data packets in memory), to tell the library's cost from the client's and the machine's.</summary>
public class PacketThroughputTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("aes256-gcm@openssh.com", "(aead)")]
    [InlineData("aes128-gcm@openssh.com", "(aead)")]
    [InlineData("aes256-ctr", "hmac-sha2-256-etm@openssh.com")]
    [InlineData("aes128-ctr", "hmac-sha2-512-etm@openssh.com")]
    public async Task SealAndOpen_64MiB(string cipher, string mac)
    {
        const int packets = 2048;
        var key = RandomNumberGenerator.GetBytes(SshAlgorithmCatalog.KeyLength(cipher));
        var iv = RandomNumberGenerator.GetBytes(SshAlgorithmCatalog.IvLength(cipher));
        var macKey = RandomNumberGenerator.GetBytes(SshAlgorithmCatalog.MacKeyLength(mac));
        using var sealer = SshAlgorithmCatalog.Create(cipher, mac, key, iv, macKey);
        using var opener = SshAlgorithmCatalog.Create(cipher, mac, key, iv, macKey);
        var payload = new byte[32768 + 9];
        payload[0] = 94;
        var size = sealer.SealedLength(payload.Length);
        var wire = new byte[packets * size];
        Array.Fill(wire, (byte)1); // touch every page first, so the timing is not of page faults

        var seal = Stopwatch.StartNew();
        for (var i = 0; i < packets; i++)
        {
            sealer.Seal((uint)i, payload, wire.AsSpan(i * size));
        }

        seal.Stop();
        var input = new InputBuffer(new ScriptedStream(wire));
        var open = Stopwatch.StartNew();
        for (var i = 0; i < packets; i++)
        {
            (await opener.ReadAsync(input, (uint)i, 35000, CancellationToken.None)).Length.Should().Be(payload.Length);
        }

        open.Stop();
        var mib = packets * 32768 / 1048576.0;
        output.WriteLine($"{cipher} {mac}: seal {mib / seal.Elapsed.TotalSeconds:0} MiB/s, open {mib / open.Elapsed.TotalSeconds:0} MiB/s (load {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
    }
}
