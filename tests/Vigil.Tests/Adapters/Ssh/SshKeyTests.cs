using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Identity.SshKeys;
using Vigil.Tests.Cli;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Ssh;

/// <summary>
/// Public keys on identities (<c>/api/users/{id}/ssh-keys</c>, <c>vigil ssh-keys</c>): owners and admins manage them,
/// a fingerprint belongs to one identity, writes are audited, and the SSH listener's lookup finds the active owner.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SshKeyTests(GatewayFixture gateway) : IAsyncLifetime
{
    private SshdTarget _sshd = null!;

    public async Task InitializeAsync() => _sshd = await SshdTarget.StartAsync();

    public async Task DisposeAsync() => await _sshd.DisposeAsync();

    [Fact]
    public async Task A_user_adds_lists_and_removes_own_keys_and_cannot_touch_another_users()
    {
        var alice = await gateway.CreateUserAsync([]);
        var bob = await gateway.CreateUserAsync([]);
        var (_, publicKey) = await _sshd.GenerateKeyAsync("-t", "ed25519", "-C", "alice@laptop");
        using var asAlice = gateway.ClientFor(alice.Token);
        using var asBob = gateway.ClientFor(bob.Token);

        var added = await asAlice.PostAsJsonAsync("/api/users/me/ssh-keys", new { public_key = publicKey });
        var key = JsonNode.Parse(await added.Content.ReadAsStringAsync())!;
        added.StatusCode.Should().Be(HttpStatusCode.Created, key.ToJsonString());
        key["name"]!.GetValue<string>().Should().Be("alice@laptop");
        key["type"]!.GetValue<string>().Should().Be("ssh-ed25519");
        var keygen = await Processes.RunAsync("ssh-keygen", ["-l", "-E", "sha256", "-f", "-"], stdin: publicKey + "\n");
        keygen.Stdout.Split(' ')[1].Should().Be(key["fingerprint"]!.GetValue<string>());
        var id = key["id"]!.GetValue<string>();

        var listed = JsonNode.Parse(await asAlice.GetStringAsync($"/api/users/{alice.Id}/ssh-keys"))!["data"]!.AsArray();
        listed.Select(k => k!["id"]!.GetValue<string>()).Should().Equal(id);
        (await asBob.PostAsJsonAsync($"/api/users/{alice.Id}/ssh-keys", new { public_key = (await _sshd.GenerateKeyAsync("-t", "ed25519")).PublicKey }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden, "a user cannot add a key to another user");
        (await asBob.GetAsync($"/api/users/{alice.Id}/ssh-keys")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asBob.DeleteAsync($"/api/users/{alice.Id}/ssh-keys/{id}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asBob.DeleteAsync($"/api/users/me/ssh-keys/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "a key id of another identity is not one of yours");

        (await asAlice.DeleteAsync($"/api/users/me/ssh-keys/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        JsonNode.Parse(await asAlice.GetStringAsync("/api/users/me/ssh-keys"))!["data"]!.AsArray().Should().BeEmpty();
        var audit = JsonNode.Parse(await gateway.Http.GetStringAsync($"/api/audit/logs?actor={Uri.EscapeDataString(alice.Name)}&page_size=100"))!["data"]!.AsArray();
        audit.Where(e => e!["actor"]?.GetValue<string>() == alice.Name).Select(e => e!["action"]!.GetValue<string>()).Should().Contain(["ssh-keys", "delete"]);
    }

    [Fact]
    public async Task A_fingerprint_belongs_to_one_identity_and_admins_manage_service_account_keys()
    {
        var user = await gateway.CreateUserAsync([]);
        var agent = await gateway.CreateServiceAccountAsync([]);
        var (_, publicKey) = await _sshd.GenerateKeyAsync("-t", "ecdsa");

        var forAgent = await gateway.Http.PostAsJsonAsync($"/api/serviceaccounts/{agent.Name}/ssh-keys", new { public_key = publicKey, name = "ci" });
        forAgent.StatusCode.Should().Be(HttpStatusCode.Created, await forAgent.Content.ReadAsStringAsync());
        using var asUser = gateway.ClientFor(user.Token);
        var duplicate = await asUser.PostAsJsonAsync("/api/users/me/ssh-keys", new { public_key = publicKey + " other comment" });
        var again = await gateway.Http.PostAsJsonAsync($"/api/users/{agent.Id}/ssh-keys", new { public_key = publicKey });

        duplicate.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await duplicate.Content.ReadAsStringAsync()).Should().NotContain(agent.Name, "the conflict does not say whose key it is");
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        var lookup = gateway.App.Services.GetRequiredService<SshKeyRepository>();
        var fingerprint = JsonNode.Parse(await forAgent.Content.ReadAsStringAsync())!["fingerprint"]!.GetValue<string>();
        var identity = await lookup.FindIdentityAsync(fingerprint, CancellationToken.None);
        identity!.UserId.Should().Be(agent.Id);
        identity.Name.Should().Be(agent.Name);
        identity.Kind.Should().Be(Vigil.Identity.IdentityKind.ServiceAccount);
        var blob = Convert.FromBase64String(publicKey.Split(' ')[1]);
        (await lookup.FindIdentityAsync(blob, CancellationToken.None))!.UserId.Should().Be(agent.Id);

        (await gateway.Http.PatchAsJsonAsync($"/api/serviceaccounts/{agent.Id}", new { status = "inactive" })).EnsureSuccessStatusCode();
        (await lookup.FindIdentityAsync(fingerprint, CancellationToken.None)).Should().BeNull("a disabled identity's keys log nobody in");
    }

    [Theory]
    [InlineData("", "missing field 'public_key'")]
    [InlineData("command=\"ls\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "authorized_keys options are not accepted")]
    [InlineData("ssh-ed25519", "has no key data")]
    [InlineData("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB", "not a ssh-ed25519 key")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----", "must start with a key type")]
    public async Task A_bad_public_key_is_a_400_naming_the_field(string line, string expected)
    {
        using var response = await gateway.Http.PostAsJsonAsync("/api/users/me/ssh-keys", new { public_key = line });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>().Should().Contain(expected);
    }

    [Fact]
    public async Task A_narrowed_token_cannot_register_a_key()
    {
        var connection = await _sshd.RegisterAsync(gateway);
        var user = await gateway.CreateUserAsync([]);
        var (narrowed, _) = await gateway.CreateTokenAsync(new { user = user.Name, connections = new[] { connection } });
        using var client = gateway.ClientFor(narrowed);

        var response = await client.PostAsJsonAsync("/api/users/me/ssh-keys", new { public_key = (await _sshd.GenerateKeyAsync("-t", "ed25519")).PublicKey });

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Vigil_ssh_keys_adds_lists_and_removes_with_the_cli()
    {
        var user = await gateway.CreateUserAsync([]);
        var file = Path.Combine(_sshd.Server.Directory, "client_ed25519.pub");
        using var cli = new CliRunner(gateway);

        var added = await cli.RunAsync(["ssh-keys", "add", file, "--name", "laptop", "--json"], token: user.Token);
        var listed = await cli.RunAsync(["ssh-keys", "list"], token: user.Token);
        var byAdmin = await cli.RunAsync(["ssh-keys", "list", "--user", user.Name, "--json"]);
        var privateKey = await cli.RunAsync(["ssh-keys", "add", Path.Combine(_sshd.Server.Directory, "client_ed25519")], token: user.Token);
        var id = JsonNode.Parse(added.Stdout)!["id"]!.GetValue<string>();
        var removed = await cli.RunAsync(["ssh-keys", "remove", id], token: user.Token);

        added.ExitCode.Should().Be(0, added.Stderr);
        listed.Stdout.Should().Contain("laptop").And.Contain("SHA256:");
        JsonNode.Parse(byAdmin.Stdout)!["data"]!.AsArray().Should().ContainSingle();
        privateKey.ExitCode.Should().NotBe(0);
        privateKey.Stderr.Should().Contain("is a private key");
        removed.ExitCode.Should().Be(0, removed.Stderr);
        JsonNode.Parse(await gateway.Http.GetStringAsync($"/api/users/{user.Id}/ssh-keys"))!["data"]!.AsArray().Should().BeEmpty();
    }
}
