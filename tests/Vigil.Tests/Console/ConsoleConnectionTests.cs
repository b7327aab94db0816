using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Vigil.Tests.Adapters.Http;
using Vigil.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Vigil.Tests.WebConsole;

/// <summary>
/// The connections pages in a real browser: the list (what the caller may use, secrets as set/unset), and creating,
/// editing and testing connections of every type against real targets (PostgreSQL, an HTTP service, a server speaking
/// the Kubernetes API, Debian's sshd), with write-only fields that never come back to the page.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ConsoleConnectionTests(GatewayFixture gateway, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task A_user_sees_the_connections_they_may_use_with_secrets_only_as_set()
    {
        var group = await gateway.CreateGroupAsync();
        var mine = await gateway.CreateConnectionAsync([group]);
        var notMine = await gateway.CreateConnectionAsync([await gateway.CreateGroupAsync()]);
        var user = await gateway.CreateUserAsync([group]);
        await gateway.SetPasswordAsync(user);

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(user.Name, "/connections");
        var row = page.Locator("table.connections tbody tr").Filter(new() { HasText = mine });
        await Expect(row).ToHaveCountAsync(1);
        await Expect(row).ToContainTextAsync("password set");
        await Expect(row).ToContainTextAsync(group);
        await Expect(page.Locator("table.connections")).Not.ToContainTextAsync(notMine);
        (await page.ContentAsync()).Should().NotContain(GatewayFixture.AppPassword);
        await page.ScreenshotAsync("connections");
    }

    [Fact]
    public async Task An_admin_creates_and_edits_a_connection_and_an_auditor_cannot()
    {
        var admin = await gateway.CreateUserAsync(["admin"]);
        await gateway.SetPasswordAsync(admin);
        var group = await gateway.CreateGroupAsync();
        var reviewers = await gateway.CreateGroupAsync();
        var member = await gateway.CreateUserAsync([group]);
        var name = Identities.Unique("console-conn");

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(admin.Name, "/connections");
        await page.GetByRole(AriaRole.Link, new() { Name = "New connection" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Host", new() { Exact = true }).FillAsync("127.0.0.1");
        await page.GetByLabel("Port").FillAsync("not-a-port");
        await page.GetByLabel("Database").FillAsync("app");
        await page.GetByLabel("User name").FillAsync("app");
        await page.GetByLabel("Password").FillAsync(GatewayFixture.AppPassword);
        await page.GetByLabel("TLS to the target").SelectOptionAsync("disable");
        await page.GetByLabel("Groups who may use it").FillAsync(group);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create connection" }).ClickAsync();
        // Refused with the field named; what was typed (but the password) is still there.
        await Expect(page.Locator("p.error")).ToHaveTextAsync("field 'port' must be a whole number");
        await Expect(page.GetByLabel("Host", new() { Exact = true })).ToHaveValueAsync("127.0.0.1");
        await Expect(page.GetByLabel("Password")).ToHaveValueAsync("");
        await page.GetByLabel("Port").FillAsync(gateway.Postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Password").FillAsync(GatewayFixture.AppPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create connection" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToHaveTextAsync("Saved.");
        await Expect(page.GetByLabel("Password")).ToHaveValueAsync("");
        (await page.ContentAsync()).Should().NotContain(GatewayFixture.AppPassword);

        // Edit: reviewers and approvals change; the empty password field keeps the stored password.
        await page.GetByLabel("Reviewer groups").FillAsync(reviewers);
        await page.GetByLabel("Approvals needed").FillAsync("2");
        await page.GetByLabel("Every one-off command is reviewed").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Test connectivity" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToContainTextAsync("Connected: PostgreSQL ");
        await page.ScreenshotAsync("connection");
        var stored = (await gateway.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/connections/{name}"))!;
        stored["min_approvals"]!.GetValue<int>().Should().Be(2);
        stored["review_groups"]!.AsArray().Select(g => g!.GetValue<string>()).Should().Equal([reviewers]);
        stored["require_review_for_exec"]!.GetValue<bool>().Should().BeTrue();
        stored["has_password"]!.GetValue<bool>().Should().BeTrue();
        await using (var db = new Npgsql.NpgsqlConnection(gateway.ProxyConnectionStringFor(name, member.Token)))
        {
            await db.OpenAsync();
            (await new Npgsql.NpgsqlCommand("SELECT count(*) FROM items WHERE id = 1", db).ExecuteScalarAsync()).Should().Be(1L, "the kept password still logs in");
        }

        var auditor = await gateway.CreateUserAsync(["auditor"]);
        await gateway.SetPasswordAsync(auditor);
        await gateway.Http.PatchAsJsonAsync($"/api/connections/{name}", new { access_groups = new[] { group, "auditor" } });
        await using var auditorContext = await chromium.NewContextAsync(gateway.HttpAddress);
        var auditorPage = await auditorContext.SignInAsync(auditor.Name, $"/connections/{name}");
        await Expect(auditorPage.GetByRole(AriaRole.Button, new() { Name = "Save changes" })).ToHaveCountAsync(0);
        await Expect(auditorPage.GetByLabel("Host", new() { Exact = true })).ToBeDisabledAsync();
        var csrf = (await auditorContext.CookiesAsync()).Single(c => c.Name == "vigil_csrf").Value;
        var form = auditorPage.APIRequest.CreateFormData();
        form.Set("csrf_token", csrf);
        form.Set("host", "evil.example");
        var forged = await auditorPage.APIRequest.PostAsync($"/connections/{name}", new() { Form = form });
        forged.Status.Should().Be(403);
        (await gateway.Http.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/connections/{name}"))!["host"]!.GetValue<string>().Should().Be("127.0.0.1");

        // A target that refuses: the test says why.
        await using var adminAgain = await chromium.NewContextAsync(gateway.HttpAddress);
        var broken = await adminAgain.SignInAsync(admin.Name, "/connections/pg-wrong-password");
        await broken.GetByRole(AriaRole.Button, new() { Name = "Test connectivity" }).ClickAsync();
        await Expect(broken.Locator("p.error")).ToContainTextAsync("Connection test failed:");
    }

    [Fact]
    public async Task An_admin_registers_an_http_connection_whose_injected_headers_stay_write_only()
    {
        await using var upstream = await HttpUpstream.StartAsync();
        var admin = await gateway.CreateUserAsync(["admin"]);
        await gateway.SetPasswordAsync(admin);
        var group = await gateway.CreateGroupAsync();
        var member = await gateway.CreateUserAsync([group]);
        var name = Identities.Unique("console-web");
        using var client = gateway.ClientFor(member.Token);

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(admin.Name, "/connections/new");
        await page.GetByRole(AriaRole.Link, new() { Name = "HTTP", Exact = true }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("New HTTP connection");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("URL").FillAsync(upstream.Url);
        await page.GetByLabel("Groups who may use it").FillAsync(group);
        // A line that is not a header is refused by its number, never echoing what was typed.
        await page.GetByLabel("Injected headers").FillAsync($"X-Api-Key {HttpUpstream.Secret}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create connection" }).ClickAsync();
        await Expect(page.Locator("p.error")).ToHaveTextAsync("field 'headers': line 1 is not 'Name: value'");
        await Expect(page.GetByLabel("URL")).ToHaveValueAsync(upstream.Url);
        (await page.ContentAsync()).Should().NotContain(HttpUpstream.Secret);
        await page.GetByLabel("Injected headers").FillAsync($"X-Api-Key: {HttpUpstream.Secret}\nX-Team: sre");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create connection" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToHaveTextAsync("Saved.");
        await Expect(page.Locator("#c-headers-hint")).ToContainTextAsync("Stored: X-Api-Key, X-Team (values hidden)");
        (await page.ContentAsync()).Should().NotContain(HttpUpstream.Secret);
        (await client.GetAsync($"/proxy/{name}/echo/one")).EnsureSuccessStatusCode();
        upstream.Requests.Last().Headers["X-Api-Key"].Should().Be(HttpUpstream.Secret);

        // Saving with the headers box empty keeps them; the connectivity test reaches the service with them.
        await page.GetByLabel("Approvals needed").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToHaveTextAsync("Saved.");
        (await client.GetAsync($"/proxy/{name}/echo/two")).EnsureSuccessStatusCode();
        upstream.Requests.Last().Headers["X-Api-Key"].Should().Be(HttpUpstream.Secret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Test connectivity" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToContainTextAsync("Connected");
        upstream.Requests.Last().Headers["X-Api-Key"].Should().Be(HttpUpstream.Secret);

        // The remove box takes them away.
        await page.GetByLabel("Remove the stored headers").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToHaveTextAsync("Saved.");
        (await client.GetAsync($"/proxy/{name}/echo/three")).EnsureSuccessStatusCode();
        upstream.Requests.Last().Headers.Should().NotContainKey("X-Api-Key");

        await page.GotoAsync("/connections");
        var row = page.Locator("table.connections tbody tr").Filter(new() { HasText = name });
        await Expect(row).ToContainTextAsync("HTTP");
        await Expect(row).ToContainTextAsync(upstream.Url);
        await Expect(row).ToContainTextAsync("token unset");
    }

    [Fact]
    public async Task An_admin_registers_a_kubernetes_connection_and_the_test_says_when_its_token_is_refused()
    {
        await using var cluster = await FakeKubernetesApi.StartAsync();
        var admin = await gateway.CreateUserAsync(["admin"]);
        await gateway.SetPasswordAsync(admin);
        var name = Identities.Unique("console-k8s");

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(admin.Name, "/connections/new?type=kubernetes");
        await Expect(page.Locator("h1")).ToHaveTextAsync("New Kubernetes connection");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("URL").FillAsync(cluster.Url);
        await page.GetByLabel("Bearer token").FillAsync(FakeKubernetesApi.ClusterToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create connection" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToHaveTextAsync("Saved.");
        await Expect(page.GetByLabel("Bearer token")).ToHaveValueAsync("");
        await Expect(page.Locator("label[for=c-token]")).ToContainTextAsync("(set; leave empty to keep it)");
        (await page.ContentAsync()).Should().NotContain(FakeKubernetesApi.ClusterToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Test connectivity" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToContainTextAsync("Kubernetes v1.32.0");
        await page.ScreenshotAsync("connection-kubernetes");

        await page.GetByLabel("Bearer token").FillAsync("a-token-the-cluster-does-not-know");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToHaveTextAsync("Saved.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test connectivity" }).ClickAsync();
        await Expect(page.Locator("p.error")).ToContainTextAsync("Connection test failed");
        (await page.ContentAsync()).Should().NotContain("a-token-the-cluster-does-not-know");
    }

    [Fact]
    public async Task An_admin_registers_an_ssh_connection_with_its_host_key_pinned()
    {
        await using var sshd = await SshdTarget.StartAsync();
        var admin = await gateway.CreateUserAsync(["admin"]);
        await gateway.SetPasswordAsync(admin);
        var name = Identities.Unique("console-ssh");
        var port = sshd.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(admin.Name, "/connections");
        await page.GetByRole(AriaRole.Link, new() { Name = "SSH", Exact = true }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("New SSH connection");
        await Expect(page.GetByLabel("Port")).ToHaveValueAsync("22");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Host", new() { Exact = true }).FillAsync("127.0.0.1");
        await page.GetByLabel("Port").FillAsync(port);
        await page.GetByLabel("User name").FillAsync(sshd.Server.User);
        await page.GetByLabel("Private key").FillAsync(sshd.Server.ClientPrivateKey);
        await page.GetByLabel("Host key", new() { Exact = true }).FillAsync("not a host key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create connection" }).ClickAsync();
        await Expect(page.Locator("p.error")).ToContainTextAsync("field 'host_key'");
        await Expect(page.GetByLabel("Private key")).ToHaveValueAsync("");
        await page.GetByLabel("Private key").FillAsync(sshd.Server.ClientPrivateKey);
        await page.GetByLabel("Host key", new() { Exact = true }).FillAsync(sshd.Server.HostKeyLine);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create connection" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToHaveTextAsync("Saved.");
        await Expect(page.Locator("#c-host-key-hint")).ToContainTextAsync("Pinned: SHA256:");
        (await page.ContentAsync()).Should().NotContain(PemBody(sshd.Server.ClientPrivateKey));
        await page.GetByRole(AriaRole.Button, new() { Name = "Test connectivity" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToContainTextAsync("SSH-2.0-OpenSSH");
        await page.ScreenshotAsync("connection-ssh");

        // Removing the only way to log in is refused by the API's own rule; the key stays.
        await page.GetByLabel("Remove the stored private key").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("p.error")).ToContainTextAsync("missing field 'private_key' or 'password'");
        (await gateway.Http.GetFromJsonAsync<JsonObject>($"/api/connections/{name}"))!["has_private_key"]!.GetValue<bool>().Should().BeTrue();

        // Another pinned key: the test names the mismatch.
        await page.GotoAsync($"/connections/{name}");
        await page.GetByLabel("Host key", new() { Exact = true }).FillAsync("SHA256:" + new string('A', 43));
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.Locator("p.saved")).ToHaveTextAsync("Saved.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test connectivity" }).ClickAsync();
        await Expect(page.Locator("p.error")).ToContainTextAsync("host key");

        await page.GotoAsync("/connections");
        var row = page.Locator("table.connections tbody tr").Filter(new() { HasText = name });
        await Expect(row).ToContainTextAsync($"{sshd.Server.User}@127.0.0.1:{port}");
        await Expect(row).ToContainTextAsync("key set · password unset");
    }

    /// <summary>The base64 body of a PEM/OpenSSH key's second line (what would show if the key leaked into a page).</summary>
    private static string PemBody(string pem) => pem.Split('\n', StringSplitOptions.TrimEntries)[1];
}
