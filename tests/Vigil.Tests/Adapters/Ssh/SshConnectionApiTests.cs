using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Vigil.Tests.Cli;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Ssh;

/// <summary>
/// <c>/api/connections</c> for type <c>ssh</c>: the private key and password are write-only (flags in answers, kept
/// across PUT and PATCH, encrypted in the store), a bad key or host key is a 400 naming the field at write time, and
/// <c>vigil connections create --type ssh</c> registers one from files.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SshConnectionApiTests(GatewayFixture gateway) : IAsyncLifetime
{
    private const string PasswordSecret = "ssh-pw-secret-3f9a1c";

    private SshdTarget _sshd = null!;

    public async Task InitializeAsync() => _sshd = await SshdTarget.StartAsync();

    public async Task DisposeAsync() => await _sshd.DisposeAsync();

    [Fact]
    public async Task Secrets_are_write_only_flags_kept_across_put_and_patch_and_encrypted_in_the_store()
    {
        var name = Identities.Unique("ssh");
        var privateKey = _sshd.Server.ClientPrivateKey;
        var keyBody = privateKey.Split('\n')[1];
        var created = await gateway.Http.PostAsJsonAsync("/api/connections", _sshd.ConnectionBody(name, new() { ["password"] = PasswordSecret }));
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());

        (await gateway.Http.PatchAsJsonAsync($"/api/connections/{name}", new { port = _sshd.Server.Port, access_modes = new[] { "exec" } })).EnsureSuccessStatusCode();
        var put = await gateway.Http.PutAsJsonAsync($"/api/connections/{name}", new
        {
            type = "ssh", host = "127.0.0.1", port = _sshd.Server.Port, username = _sshd.Server.User, host_key = _sshd.Server.HostKeyLine,
        });
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());

        var shown = await gateway.Http.GetStringAsync($"/api/connections/{name}");
        var list = await gateway.Http.GetStringAsync("/api/connections?page_size=1000");
        foreach (var text in new[] { shown, list, await created.Content.ReadAsStringAsync() })
        {
            text.Should().NotContain(keyBody).And.NotContain(PasswordSecret).And.NotContain("PRIVATE KEY");
        }
        var view = JsonNode.Parse(shown)!;
        view["type"]!.GetValue<string>().Should().Be("ssh");
        view["has_private_key"]!.GetValue<bool>().Should().BeTrue();
        view["has_password"]!.GetValue<bool>().Should().BeTrue();
        view["port"]!.GetValue<int>().Should().Be(_sshd.Server.Port);
        view["host_key"]!.GetValue<string>().Should().Be(_sshd.Server.HostKeyLine);
        view["host_key_fingerprint"]!.GetValue<string>().Should().StartWith("SHA256:").And.HaveLength(50);
        var fingerprint = await Processes.RunAsync("ssh-keygen", ["-l", "-E", "sha256", "-f", Path.Combine(_sshd.Server.Directory, "host_ed25519.pub")]);
        fingerprint.Stdout.Should().Contain(view["host_key_fingerprint"]!.GetValue<string>(), "the fingerprint is the one ssh-keygen prints");
        // The key survived PUT and PATCH without being sent again: the target still logs in with it.
        using var cli = new CliRunner(gateway);
        (await cli.RunAsync(["exec", name, "-i", "echo still-works"])).Stdout.Should().Be("still-works\n");
        await Task.Delay(200);
        var leaks = Directory.GetFiles(gateway.DataDirectory, "vigil.db*")
            .Where(f => File.ReadAllText(f, Encoding.Latin1) is var s && (s.Contains(keyBody, StringComparison.Ordinal) || s.Contains(PasswordSecret, StringComparison.Ordinal)));
        leaks.Should().BeEmpty("secrets are encrypted in the store and redacted in the audit log");
    }

    [Theory]
    [InlineData("private_key", "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n", "field 'private_key' must be an unencrypted private key")]
    [InlineData("private_key", "not a key at all", "field 'private_key'")]
    [InlineData("host_key", "ssh-ed25519 not*base64", "field 'host_key'")]
    [InlineData("host_key", "SHA256:tooShort", "field 'host_key' a fingerprint must be SHA256:")]
    [InlineData("host_key", "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIJZ0", "field 'host_key'")]
    [InlineData("host_key", "@cert-authority *.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "not supported")]
    [InlineData("host_key", null, "missing field 'host_key'")]
    [InlineData("database", "app", "field 'database' does not apply to ssh connections")]
    [InlineData("url", "https://example.com", "do not apply to ssh connections")]
    public async Task Bad_ssh_fields_are_400_naming_the_field(string field, string? value, string expected)
    {
        var body = _sshd.ConnectionBody(Identities.Unique("ssh"), new() { [field] = value });

        using var response = await gateway.Http.PostAsJsonAsync("/api/connections", body);

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
        JsonNode.Parse(text)!["detail"]!.GetValue<string>().Should().Contain(expected);
        text.Should().NotContain(_sshd.Server.ClientPrivateKey.Split('\n')[1]);
    }

    [Theory]
    [InlineData("ed25519", "RFC4716")]
    [InlineData("ecdsa", "PKCS8")]
    [InlineData("rsa", "PEM")]
    public async Task A_key_with_a_passphrase_is_400_saying_so(string type, string format)
    {
        var file = Path.Combine(_sshd.Scratch, "encrypted-" + Guid.NewGuid().ToString("N")[..8]);
        (await Processes.RunAsync("ssh-keygen", ["-q", "-N", "a-passphrase", "-t", type, "-m", format, "-f", file])).ExitCode.Should().Be(0);
        var body = _sshd.ConnectionBody(Identities.Unique("ssh"), new() { ["private_key"] = await File.ReadAllTextAsync(file) });

        using var response = await gateway.Http.PostAsJsonAsync("/api/connections", body);

        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
        JsonNode.Parse(text)!["detail"]!.GetValue<string>().Should().Be(
            "field 'private_key' is encrypted with a passphrase: give the key without one (ssh-keygen -p -N '' -f KEY)");
    }

    [Fact]
    public async Task A_connection_needs_a_private_key_or_a_password_and_other_types_refuse_the_ssh_fields()
    {
        using var none = await gateway.Http.PostAsJsonAsync("/api/connections", _sshd.ConnectionBody(Identities.Unique("ssh"), new() { ["private_key"] = null }));
        using var postgres = await gateway.Http.PostAsJsonAsync("/api/connections", new
        {
            name = Identities.Unique("pg"), type = "postgres", host = "h", database = "d", username = "u", host_key = _sshd.Server.HostKeyLine,
        });

        none.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await none.Content.ReadAsStringAsync()).Should().Contain("missing field 'private_key' or 'password'");
        postgres.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await postgres.Content.ReadAsStringAsync()).Should().Contain("apply to ssh connections only");
    }

    [Fact]
    public async Task Vigil_connections_create_registers_an_ssh_connection_from_a_key_file_that_exec_then_uses()
    {
        var name = Identities.Unique("ssh");
        using var cli = new CliRunner(gateway);

        var created = await cli.RunAsync([
            "connections", "create", name, "--type", "ssh", "--host", "127.0.0.1", "--port", _sshd.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--username", _sshd.Server.User, "--private-key-file", Path.Combine(_sshd.Server.Directory, "client_ed25519"), "--host-key", _sshd.Server.HostKeyLine,
        ]);
        var missing = await cli.RunAsync(["connections", "create", Identities.Unique("ssh"), "--type", "ssh", "--host", "127.0.0.1", "--username", "u"]);
        var ran = await cli.RunAsync(["exec", name, "-i", "echo via-cli"]);

        created.ExitCode.Should().Be(0, created.Stderr);
        JsonNode.Parse(created.Stdout)!["has_private_key"]!.GetValue<bool>().Should().BeTrue();
        created.Stdout.Should().NotContain("PRIVATE KEY");
        missing.ExitCode.Should().NotBe(0);
        missing.Stderr.Should().Contain("--host-key");
        ran.Stdout.Should().Be("via-cli\n");
    }
}
