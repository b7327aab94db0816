using Vigil.Ssh.Tests.Support;

namespace Vigil.Ssh.Tests;

/// <summary>Host key files in OpenSSH's private key format, checked against ssh-keygen.</summary>
public class HostKeyTests
{
    [Theory]
    [InlineData(SshHostKeyType.Ed25519, "ED25519")]
    [InlineData(SshHostKeyType.EcdsaP256, "ECDSA")]
    public async Task SavedKey_IsReadBySshKeygen_WithTheSameFingerprintAndPublicKey(SshHostKeyType type, string keygenType)
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "host_key");
        using var key = SshHostKey.Generate(type);

        key.Save(path);
        var fingerprint = await OpenSsh.RunAsync(["ssh-keygen", "-lf", path]);
        var publicLine = await OpenSsh.RunAsync(["ssh-keygen", "-y", "-f", path]);

        fingerprint.Text.Should().Be($"256 {key.Fingerprint} vigil host key ({keygenType})\n");
        publicLine.Text.Trim().Should().StartWith(key.OpenSshPublicKey);
        (OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(path)).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Theory]
    [InlineData("ed25519", SshHostKeyType.Ed25519)]
    [InlineData("ecdsa", SshHostKeyType.EcdsaP256)]
    public async Task SshKeygenKey_Loads_AndSignsAHandshake(string keygenType, SshHostKeyType type)
    {
        using var temp = new TempDirectory();
        var path = await OpenSsh.KeygenAsync(temp.Path, keygenType);
        var expected = await OpenSsh.RunAsync(["ssh-keygen", "-lf", path]);

        using var key = SshHostKey.Load(await File.ReadAllTextAsync(path));

        key.Type.Should().Be(type);
        expected.Text.Should().Contain(key.Fingerprint);
        await using var server = new TestServer(o =>
        {
            o.HostKeys.Clear();
            o.HostKeys.Add(key);
        });
        var knownHosts = Path.Combine(temp.Path, "known_hosts");
        await File.WriteAllTextAsync(knownHosts, $"[127.0.0.1]:{server.Port} {await File.ReadAllTextAsync(path + ".pub")}");
        var result = await OpenSsh.RunAsync(["sshpass", "-p", "secret", "ssh", "-F", "/dev/null", "-o", "StrictHostKeyChecking=yes",
            "-o", $"UserKnownHostsFile={knownHosts}", "-o", $"Port={server.Port}", "-o", "PreferredAuthentications=password", "u@127.0.0.1", "echo pinned"]);
        result.Text.Should().Be("pinned\n", result.Stderr);
    }

    [Fact]
    public void LoadOrGenerate_CreatesOnce_ThenLoadsTheSameKey()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "ssh_host_ed25519_key");

        using var first = SshHostKey.LoadOrGenerate(path);
        using var second = SshHostKey.LoadOrGenerate(path);

        second.Fingerprint.Should().Be(first.Fingerprint);
        first.Fingerprint.Should().MatchRegex("^SHA256:[A-Za-z0-9+/]{43}$");
    }

    [Fact]
    public async Task EncryptedOrForeignKeys_AreRefusedWithFormatException()
    {
        using var temp = new TempDirectory();
        var encrypted = Path.Combine(temp.Path, "enc");
        (await OpenSsh.RunAsync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "passphrase", "-f", encrypted])).ExitCode.Should().Be(0);
        var rsa = await OpenSsh.KeygenAsync(temp.Path, "rsa");

        var act = () => SshHostKey.Load(File.ReadAllText(encrypted));
        act.Should().Throw<FormatException>().WithMessage("*encrypted*");
        ((Action)(() => SshHostKey.Load(File.ReadAllText(rsa)))).Should().Throw<FormatException>().WithMessage("*ssh-rsa*");
        ((Action)(() => SshHostKey.Load("not a key"))).Should().Throw<FormatException>();
        ((Action)(() => SshHostKey.Load("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----"))).Should().Throw<FormatException>();
    }
}
