using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Cli;

/// <summary>
/// The identity verbs of the real <c>vigil</c> binary against the shared in-process gateway: groups, users, service
/// accounts, tokens, <c>whoami</c>, a local <c>vigil login</c> whose stored credentials (0600 in a 0700 directory)
/// the next commands use, <c>vigil logout</c>, and API errors printed as their problem detail with exit code 1.
/// Every process gets its own <c>XDG_CONFIG_HOME</c> (and <c>HOME</c>) so nothing touches the real user's files.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class IdentityCommandTests(GatewayFixture gateway) : IDisposable
{
    private const UnixFileMode Mode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Mode700 = Mode600 | UnixFileMode.UserExecute;

    private readonly CliRunner _cli = new(gateway);
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..8];

    private string ConfigHome => _cli.ConfigHome;

    private string CredentialsPath => Path.Combine(ConfigHome, "vigil", "credentials.json");

    private string GatewayUrl => gateway.HttpAddress.TrimEnd('/');

    /// <summary>
    /// Runs <c>vigil ARGS</c>. <paramref name="token"/> and <paramref name="gatewayUrl"/> become VIGIL_TOKEN and
    /// VIGIL_GATEWAY_URL (null: set empty, which the CLI treats as unset). With <paramref name="umask"/> the process
    /// starts under that umask.
    /// </summary>
    private Task<Processes.Result> VigilAsync(
        IEnumerable<string> args, string? token = GatewayFixture.Token, string? gatewayUrl = "", string? stdin = null, string? umask = null) =>
        _cli.RunAsync(args, stdin, token ?? "", gatewayUrl == "" ? null : gatewayUrl ?? "",
            new Dictionary<string, string> { ["DISPLAY"] = "", ["WAYLAND_DISPLAY"] = "" }, umask);

    private async Task<JsonNode> JsonAsync(IEnumerable<string> args, string? token = GatewayFixture.Token)
    {
        var result = await VigilAsync([.. args, "--json"], token);
        result.ExitCode.Should().Be(0, result.Stderr);
        return JsonNode.Parse(result.Stdout)!;
    }

    private static string Str(JsonNode? node) => node!.GetValue<string>();

    private static List<string> Strings(JsonNode? node) => node!.AsArray().Select(Str).ToList();

    private async Task<string> CreateUserWithPasswordAsync(string email, string password)
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/users", new { email, name = "Login Tester", groups = Array.Empty<string>(), password });
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return Str(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]);
    }

    [Fact]
    public async Task Groups_users_service_accounts_and_tokens_round_trip()
    {
        var group = $"cli-team-{_suffix}";
        var email = $"cli-user-{_suffix}@example.com";
        var account = $"cli-agent-{_suffix}";

        var created = await JsonAsync(["groups", "create", group, "--description", "CLI test team"]);
        Str(created["name"]).Should().Be(group);
        var groups = await VigilAsync(["groups", "list"]);
        groups.ExitCode.Should().Be(0, groups.Stderr);
        groups.Stdout.Split('\n')[0].Should().StartWith("NAME");
        groups.Stdout.Should().Contain(group).And.Contain("CLI test team");
        var updatedGroup = await JsonAsync(["groups", "update", group, "--description", "Renamed team"]);
        Str(updatedGroup["description"]).Should().Be("Renamed team");

        var user = await JsonAsync(["users", "create", email, "--name", "Cli User", "--group", group]);
        var userId = Str(user["id"]);
        Str(user["email"]).Should().Be(email);
        Strings(user["groups"]).Should().Equal(group);
        Str(user["status"]).Should().Be("active");
        user["has_password"]!.GetValue<bool>().Should().BeFalse();

        var members = await VigilAsync(["users", "list", "--group", group]);
        members.ExitCode.Should().Be(0, members.Stderr);
        members.Stdout.Split('\n')[0].Should().StartWith("ID").And.Contain("EMAIL");
        members.Stdout.Should().Contain(email).And.Contain(userId);
        var shown = await VigilAsync(["users", "show", email]);
        shown.ExitCode.Should().Be(0, shown.Stderr);
        shown.Stdout.Split('\n').Should().Contain(l => l.StartsWith("email ") && l.EndsWith(email))
            .And.Contain(l => l.StartsWith("groups ") && l.EndsWith(group));
        var groupShown = await JsonAsync(["groups", "show", group]);
        groupShown["members"]!.ToJsonString().Should().Contain(email);

        var updated = await JsonAsync(["users", "update", userId, "--name", "Renamed User", "--status", "inactive"]);
        Str(updated["name"]).Should().Be("Renamed User");
        Str(updated["status"]).Should().Be("inactive");
        Strings(updated["groups"]).Should().Equal([group], "an update without --group keeps the groups");
        var inactive = await JsonAsync(["users", "list", "--status", "inactive"]);
        inactive["data"]!.AsArray().Select(u => Str(u!["email"])).Should().Contain(email);
        var active = await JsonAsync(["users", "list", "--status", "active"]);
        active["data"]!.AsArray().Select(u => Str(u!["email"])).Should().NotContain(email);
        (await JsonAsync(["users", "update", email, "--status", "active"]))["status"]!.GetValue<string>().Should().Be("active");

        var sa = await JsonAsync(["serviceaccounts", "create", account, "--group", group]);
        Str(sa["name"]).Should().Be(account);
        Strings(sa["groups"]).Should().Equal(group);
        var accounts = await VigilAsync(["serviceaccounts", "list"]);
        accounts.ExitCode.Should().Be(0, accounts.Stderr);
        accounts.Stdout.Should().Contain(account);
        var disabled = await JsonAsync(["serviceaccounts", "update", account, "--status", "inactive"]);
        Str(disabled["status"]).Should().Be("inactive");
        Strings(disabled["groups"]).Should().Equal(group);
        Str((await JsonAsync(["serviceaccounts", "update", account, "--status", "active"]))["status"]).Should().Be("active");
        Str((await JsonAsync(["serviceaccounts", "show", account]))["name"]).Should().Be(account);

        var token = await JsonAsync(["tokens", "create", "--serviceaccount", account, "--name", "agent", "--expires-in", "1h", "--connection", "pg"]);
        var secret = Str(token["token"]);
        var tokenId = Str(token["id"]);
        secret.Should().StartWith("vgl_");
        Str(token["owner"]).Should().Be(account);
        Strings(token["connections"]).Should().Equal("pg");
        token["expires_at"].Should().NotBeNull();

        var agent = await JsonAsync(["whoami"], token: secret);
        Str(agent["name"]).Should().Be(account);
        Str(agent["token_id"]).Should().Be(tokenId);
        var agentText = await VigilAsync(["whoami"], token: secret);
        agentText.Stdout.Split('\n').Should().Contain(l => l.StartsWith("name ") && l.EndsWith(account))
            .And.Contain(l => l.StartsWith("credentials ") && l.EndsWith("VIGIL_TOKEN"));

        var listed = await VigilAsync(["tokens", "list", "--owner", account]);
        listed.ExitCode.Should().Be(0, listed.Stderr);
        listed.Stdout.Should().Contain(tokenId).And.Contain("agent").And.NotContain(secret);
        var listedJson = await JsonAsync(["tokens", "list", "--owner", account]);
        listedJson["data"]!.AsArray().Should().ContainSingle(t => Str(t!["id"]) == tokenId).Which!.AsObject().ContainsKey("token").Should().BeFalse();

        var revoke = await VigilAsync(["tokens", "revoke", tokenId]);
        revoke.ExitCode.Should().Be(0, revoke.Stderr);
        revoke.Stdout.Should().Contain($"revoked token {tokenId}");
        var refused = await VigilAsync(["whoami"], token: secret);
        refused.ExitCode.Should().Be(1);
        refused.Stderr.Should().StartWith("vigil: 401: ").And.Contain("VIGIL_TOKEN");

        // The readable form shows the secret once, alone on its line, and says it is not shown again.
        var human = await VigilAsync(["tokens", "create", "--user", email, "--name", "for-user"]);
        human.ExitCode.Should().Be(0, human.Stderr);
        human.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Should().StartWith("vgl_");
        human.Stdout.Should().Contain("owner").And.Contain(email);
        human.Stderr.Should().Contain("not shown again");

        foreach (var (verb, key) in new[] { ("users", email), ("serviceaccounts", account), ("groups", group) })
        {
            var deleted = await VigilAsync([verb, "delete", key]);
            deleted.ExitCode.Should().Be(0, deleted.Stderr);
            deleted.Stdout.Should().StartWith("deleted ");
        }
        var gone = await VigilAsync(["users", "show", email]);
        gone.ExitCode.Should().Be(1);
        gone.Stderr.Should().StartWith("vigil: 404: ");
    }

    [Fact]
    public async Task Whoami_prints_the_caller_the_api_sees()
    {
        var expected = JsonNode.Parse(await gateway.Http.GetStringAsync("/api/userinfo"))!;
        var json = await JsonAsync(["whoami"]);
        json.ToJsonString().Should().Be(expected.ToJsonString());
        var text = await VigilAsync(["whoami"]);
        text.ExitCode.Should().Be(0, text.Stderr);
        var lines = text.Stdout.Split('\n');
        lines.Should().Contain(l => l.StartsWith("email ") && l.EndsWith(Str(expected["email"])))
            .And.Contain(l => l.StartsWith("role ") && l.EndsWith(Str(expected["role"])))
            .And.Contain(l => l.StartsWith("gateway ") && l.EndsWith(GatewayUrl));
    }

    [Fact]
    public async Task Local_login_stores_private_credentials_that_later_commands_use_and_logout_revokes_and_removes()
    {
        var email = $"cli-login-{_suffix}@example.com";
        const string password = "correct-horse-battery-7";
        var userId = await CreateUserWithPasswordAsync(email, password);
        // A pre-existing, too open directory is tightened; under umask 000 nothing is created readable by others.
        Directory.CreateDirectory(Path.Combine(ConfigHome, "vigil"));
        File.SetUnixFileMode(Path.Combine(ConfigHome, "vigil"), (UnixFileMode)0b111_111_111);

        var login = await VigilAsync(["login", "--email", email, "--password-stdin"], token: null, stdin: password + "\n", umask: "000");
        login.ExitCode.Should().Be(0, login.Stderr);
        login.Stdout.Should().Contain($"Logged in to {GatewayUrl} as {email}");
        File.GetUnixFileMode(CredentialsPath).Should().Be(Mode600);
        File.GetUnixFileMode(Path.GetDirectoryName(CredentialsPath)!).Should().Be(Mode700);
        Directory.GetFiles(Path.GetDirectoryName(CredentialsPath)!).Should().Equal(CredentialsPath);
        var stored = JsonNode.Parse(await File.ReadAllTextAsync(CredentialsPath))!;
        Str(stored["gateway_url"]).Should().Be(GatewayUrl);
        Str(stored["email"]).Should().Be(email);
        var token = Str(stored["token"]);
        token.Should().StartWith("vgl_");

        // The stored login is used without VIGIL_TOKEN, and without VIGIL_GATEWAY_URL (its URL is stored too).
        foreach (var url in new[] { gateway.HttpAddress, null })
        {
            var me = await VigilAsync(["whoami", "--json"], token: null, gatewayUrl: url);
            me.ExitCode.Should().Be(0, me.Stderr);
            var info = JsonNode.Parse(me.Stdout)!;
            Str(info["email"]).Should().Be(email);
            Str(info["id"]).Should().Be(userId);
        }
        var text = await VigilAsync(["whoami"], token: null);
        text.Stdout.Split('\n').Should().Contain(l => l.StartsWith("credentials ") && l.EndsWith(CredentialsPath));
        // VIGIL_TOKEN wins over the stored token.
        Str((await JsonAsync(["whoami"]))["id"]).Should().NotBe(userId);

        var minted = await JsonAsync(["tokens", "list", "--owner", email]);
        var cliToken = minted["data"]!.AsArray().Should().ContainSingle().Which!;
        Str(cliToken["name"]).Should().StartWith("vigil-cli@");
        DateTimeOffset.Parse(Str(cliToken["expires_at"]), System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeCloseTo(DateTimeOffset.UtcNow.AddDays(30), TimeSpan.FromHours(1));

        var logout = await VigilAsync(["logout"], token: null);
        logout.ExitCode.Should().Be(0, logout.Stderr);
        logout.Stdout.Should().Contain($"Logged out of {GatewayUrl}").And.Contain("token revoked");
        File.Exists(CredentialsPath).Should().BeFalse();
        var revoked = await VigilAsync(["whoami"], token: token);
        revoked.ExitCode.Should().Be(1, "logout revokes the token it stored");

        var after = await VigilAsync(["whoami"], token: null);
        after.ExitCode.Should().Be(1);
        after.Stderr.Trim().Split('\n').Should().ContainSingle();
        after.Stderr.Should().StartWith("vigil: not logged in").And.Contain("vigil login").And.Contain("VIGIL_TOKEN");
        var again = await VigilAsync(["logout"], token: null);
        again.ExitCode.Should().Be(0);
        again.Stdout.Should().Contain("Not logged in");
    }

    [Fact]
    public async Task A_wrong_password_fails_with_the_detail_and_stores_nothing()
    {
        var email = $"cli-wrong-{_suffix}@example.com";
        await CreateUserWithPasswordAsync(email, "the-right-password-42");
        var login = await VigilAsync(["login", "--email", email, "--password-stdin"], token: null, stdin: "not-the-password-42\n");
        login.ExitCode.Should().Be(1);
        login.Stderr.Should().StartWith("vigil: login failed: 401: ");
        File.Exists(CredentialsPath).Should().BeFalse();
    }

    [Fact]
    public async Task Login_without_email_on_a_gateway_without_single_sign_on_asks_for_email()
    {
        var methods = JsonNode.Parse(await gateway.Http.GetStringAsync("/api/auth/methods"))!;
        methods["oidc"]!.GetValue<bool>().Should().BeFalse("the shared fixture has no OIDC provider");
        var login = await VigilAsync(["login", "--no-browser"], token: null);
        login.ExitCode.Should().Be(1);
        login.Stderr.Should().Contain("--email");
        File.Exists(CredentialsPath).Should().BeFalse();
    }

    [Fact]
    public async Task A_stored_login_is_only_sent_to_the_gateway_that_issued_it()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(CredentialsPath)!);
        await File.WriteAllTextAsync(CredentialsPath, $$"""{"gateway_url":"http://127.0.0.1:1","token":"{{GatewayFixture.Token}}"}""");
        File.SetUnixFileMode(CredentialsPath, Mode600);
        var result = await VigilAsync(["whoami"], token: null);
        result.ExitCode.Should().Be(1);
        result.Stderr.Should().Contain($"not logged in to {GatewayUrl}").And.Contain("http://127.0.0.1:1").And.Contain("vigil login");
    }

    [Fact]
    public async Task An_api_error_prints_the_problem_detail_and_exits_1()
    {
        var missing = $"nobody-{_suffix}@example.com";
        var response = await gateway.Http.GetAsync($"/api/users/{missing}");
        var detail = Str(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]);
        var result = await VigilAsync(["users", "show", missing]);
        result.ExitCode.Should().Be(1);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Trim().Should().Be($"vigil: 404: {detail}");

        var invalid = await VigilAsync(["groups", "create", "Not A Valid Name!"]);
        invalid.ExitCode.Should().Be(1);
        invalid.Stderr.Should().StartWith("vigil: 400: ").And.Contain("'name'");
    }

    public void Dispose() => _cli.Dispose();
}
