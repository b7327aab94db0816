using Vigil.Ssh.Tests.Support;

namespace Vigil.Ssh.Tests;

/// <summary>Every key exchange × cipher × MAC combination, forced on the real client with -o KexAlgorithms/Ciphers/MACs.</summary>
public class AlgorithmTests
{
    public static TheoryData<string, string, string> Combinations()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var kex in new[] { "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256" })
        {
            foreach (var cipher in new[] { "aes256-gcm@openssh.com", "aes128-gcm@openssh.com" })
            {
                data.Add(kex, cipher, "hmac-sha2-256-etm@openssh.com");
            }

            foreach (var cipher in new[] { "aes256-ctr", "aes128-ctr" })
            {
                foreach (var mac in new[] { "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512" })
                {
                    data.Add(kex, cipher, mac);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public async Task KexCipherMac_NegotiatedAndUsable(string kex, string cipher, string mac)
    {
        await using var server = new TestServer();
        var payload = TestHandler.Pattern(300_000);

        var result = await OpenSsh.RunAsync(
            [.. OpenSsh.PasswordSsh(server.Port), "-o", $"KexAlgorithms={kex}", "-o", $"Ciphers={cipher}", "-o", $"MACs={mac}", "u@127.0.0.1", "sha256"],
            payload);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Text.Should().Be($"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(payload))} {payload.Length}\n");
        var info = server.Handler.Sessions.Single();
        info.Algorithms.KeyExchange.Should().Be(kex);
        info.Algorithms.CipherClientToServer.Should().Be(cipher);
        info.Algorithms.CipherServerToClient.Should().Be(cipher);
        info.Algorithms.MacClientToServer.Should().Be(cipher.Contains("gcm") ? "(aead)" : mac);
    }

    [Theory]
    [InlineData("ssh-ed25519", SshHostKeyType.Ed25519)]
    [InlineData("ecdsa-sha2-nistp256", SshHostKeyType.EcdsaP256)]
    public async Task HostKey_ClientVerifiesEachType(string algorithm, SshHostKeyType type)
    {
        await using var server = new TestServer();
        using var temp = new TempDirectory();
        var knownHosts = Path.Combine(temp.Path, "known_hosts");
        await File.WriteAllTextAsync(knownHosts, $"[127.0.0.1]:{server.Port} {TestServer.HostKey(type).OpenSshPublicKey}\n");

        var result = await OpenSsh.RunAsync(
            ["sshpass", "-p", "secret", "ssh", "-F", "/dev/null", "-o", "StrictHostKeyChecking=yes", "-o", $"UserKnownHostsFile={knownHosts}",
             "-o", $"HostKeyAlgorithms={algorithm}", "-o", $"Port={server.Port}", "-o", "PreferredAuthentications=password", "u@127.0.0.1", "info"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Text.Should().Contain($" {algorithm} ");
    }

    [Fact]
    public async Task StrictKex_IsNegotiatedWithOpenSsh()
    {
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "u@127.0.0.1", "info"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Text.Should().Contain("strict=True");
    }

    [Fact]
    public async Task UnsupportedAlgorithm_FailsKeyExchangeCleanly()
    {
        await using var server = new TestServer();

        var result = await OpenSsh.RunAsync([.. OpenSsh.PasswordSsh(server.Port), "-o", "Ciphers=chacha20-poly1305@openssh.com", "u@127.0.0.1", "info"]);

        result.ExitCode.Should().Be(255);
        var error = await server.WaitForErrorAsync(TimeSpan.FromSeconds(5));
        error.Should().BeOfType<SshProtocolException>().Which.Reason.Should().Be(SshDisconnectReason.KeyExchangeFailed);
    }
}
