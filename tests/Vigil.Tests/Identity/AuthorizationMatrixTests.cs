using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Identity;

/// <summary>
/// Every API endpoint called as anonymous, a standard user, an auditor, an admin and a service account whose token is
/// narrowed to one connection, each asserting the exact status. Rows that change state get fresh resources per call.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AuthorizationMatrixTests(GatewayFixture gateway)
{
    private static readonly string[] Callers = ["anonymous", "standard", "auditor", "admin", "narrowed-sa"];

    /// <summary>One endpoint: how to build a request (fresh per caller) and the status each caller must get.</summary>
    private sealed record Row(string Name, HttpMethod Method, Func<Task<(string Path, object? Body)>> Prepare, int[] Expected);

    [Fact]
    public async Task Every_endpoint_answers_each_role_with_the_exact_status()
    {
        var team = await gateway.CreateGroupAsync();
        var narrowedTo = await gateway.CreateConnectionAsync([team]);
        var elsewhere = await gateway.CreateConnectionAsync([team]);
        var standard = await gateway.CreateUserAsync([team]);
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        var agent = await gateway.CreateServiceAccountAsync([team], [narrowedTo]);
        var bystander = await gateway.CreateUserAsync([team]);
        var otherAgent = await gateway.CreateServiceAccountAsync([team]);
        var adminSession = (await (await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection = narrowedTo, script = "select 1" }))
            .Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        await gateway.FlushRecordingAsync();
        var tokens = new[] { null, standard.Token, auditor.Token, GatewayFixture.Token, agent.Token };

        Task<(string, object?)> At(string path, object? body = null) => Task.FromResult<(string, object?)>((path, body));
        async Task<(string, object?)> FreshConnection(string suffix = "", object? body = null) =>
            ($"/api/connections/{await gateway.CreateConnectionAsync([team])}{suffix}", body);
        async Task<(string, object?)> FreshUser(object? body = null)
        {
            var created = await gateway.Http.PostAsJsonAsync("/api/users", new { email = Identities.Unique("m") + "@example.com" });
            return ($"/api/users/{(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]}", body);
        }
        async Task<(string, object?)> FreshServiceAccount(object? body = null)
        {
            var created = await gateway.Http.PostAsJsonAsync("/api/serviceaccounts", new { name = Identities.Unique("m") });
            return ($"/api/serviceaccounts/{(await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]}", body);
        }
        async Task<(string, object?)> FreshGroup(object? body = null) => ($"/api/groups/{await gateway.CreateGroupAsync()}", body);
        async Task<(string, object?)> OthersToken() => ($"/api/tokens/{(await gateway.CreateTokenAsync(new { user = standard.Name })).Id}", null);
        object NewConnection() => new
        {
            name = Identities.Unique("m"), type = "postgres", host = "127.0.0.1", port = 5432, database = "d", username = "u", password = "matrix-secret-pw",
        };

        var get = HttpMethod.Get;
        var post = HttpMethod.Post;
        var put = HttpMethod.Put;
        var patch = HttpMethod.Patch;
        var delete = HttpMethod.Delete;
        Row[] rows =
        [
            new("health", get, () => At("/healthz"), [200, 200, 200, 200, 200]),
            new("auth methods", get, () => At("/api/auth/methods"), [200, 200, 200, 200, 200]),
            new("userinfo", get, () => At("/api/userinfo"), [401, 200, 200, 200, 200]),
            new("list connections", get, () => At("/api/connections"), [401, 200, 200, 200, 200]),
            new("create connection", post, () => At("/api/connections", NewConnection()), [401, 403, 403, 201, 403]),
            new("show narrowed connection", get, () => At($"/api/connections/{narrowedTo}"), [401, 200, 404, 200, 200]),
            new("show other team connection", get, () => At($"/api/connections/{elsewhere}"), [401, 200, 404, 200, 404]),
            new("show admin-only connection", get, () => At("/api/connections/pg"), [401, 404, 404, 200, 404]),
            new("replace connection", put, () => FreshConnection(body: new { type = "postgres", host = "h", database = "d", username = "u" }), [401, 403, 403, 200, 403]),
            new("patch connection", patch, () => FreshConnection(body: new { access_modes = new[] { "exec" } }), [401, 403, 403, 200, 403]),
            new("delete connection", delete, () => FreshConnection(), [401, 403, 403, 204, 403]),
            new("exec on narrowed connection", post, () => At("/api/sessions", new { connection = narrowedTo, script = "select 1" }), [401, 200, 403, 200, 200]),
            new("exec on other team connection", post, () => At("/api/sessions", new { connection = elsewhere, script = "select 1" }), [401, 200, 403, 200, 403]),
            new("exec on admin-only connection", post, () => At("/api/sessions", new { connection = "pg", script = "select 1" }), [401, 403, 403, 200, 403]),
            new("list sessions", get, () => At("/api/sessions"), [401, 200, 200, 200, 200]),
            new("show admin's session", get, () => At($"/api/sessions/{adminSession}"), [401, 404, 200, 200, 404]),
            new("export admin's session", get, () => At($"/api/sessions/{adminSession}/export?format=csv"), [401, 404, 200, 200, 404]),
            new("create user", post, () => At("/api/users", new { email = Identities.Unique("m") + "@example.com" }), [401, 403, 403, 201, 403]),
            new("list users", get, () => At("/api/users"), [401, 403, 403, 200, 403]),
            new("show user", get, () => At($"/api/users/{standard.Id}"), [401, 403, 403, 200, 403]),
            new("replace user", put, () => FreshUser(new { name = "Renamed" }), [401, 403, 403, 200, 403]),
            new("patch user", patch, () => FreshUser(new { status = "inactive" }), [401, 403, 403, 200, 403]),
            new("delete user", delete, () => FreshUser(), [401, 403, 403, 204, 403]),
            new("create service account", post, () => At("/api/serviceaccounts", new { name = Identities.Unique("m") }), [401, 403, 403, 201, 403]),
            new("list service accounts", get, () => At("/api/serviceaccounts"), [401, 403, 403, 200, 403]),
            new("show service account", get, () => At($"/api/serviceaccounts/{agent.Id}"), [401, 403, 403, 200, 403]),
            new("replace service account", put, () => FreshServiceAccount(new { groups = new[] { team } }), [401, 403, 403, 200, 403]),
            new("patch service account", patch, () => FreshServiceAccount(new { status = "inactive" }), [401, 403, 403, 200, 403]),
            new("delete service account", delete, () => FreshServiceAccount(), [401, 403, 403, 204, 403]),
            new("create group", post, () => At("/api/groups", new { name = Identities.Unique("m") }), [401, 403, 403, 201, 403]),
            new("list groups", get, () => At("/api/groups"), [401, 403, 403, 200, 403]),
            new("show group", get, () => At($"/api/groups/{team}"), [401, 403, 403, 200, 403]),
            new("replace group", put, () => FreshGroup(new { description = "d" }), [401, 403, 403, 200, 403]),
            new("delete group", delete, () => FreshGroup(), [401, 403, 403, 204, 403]),
            new("create own token", post, () => At("/api/tokens", new { name = "matrix" }), [401, 201, 201, 201, 201]),
            new("create token naming oneself", post, () => At("/api/tokens", new { user = standard.Name }), [401, 201, 403, 201, 403]),
            new("create token for another user", post, () => At("/api/tokens", new { user = bystander.Name }), [401, 403, 403, 201, 403]),
            new("create token for a service account", post, () => At("/api/tokens", new { serviceaccount = otherAgent.Name }), [401, 403, 403, 201, 403]),
            new("list tokens", get, () => At("/api/tokens"), [401, 200, 200, 200, 200]),
            new("revoke the standard user's token", delete, OthersToken, [401, 204, 404, 204, 404]),
            new("change own password", post, () => At("/api/localauth/password", new { new_password = "x" }), [401, 400, 400, 400, 403]),
            new("set a first password with a token", post, () => At("/api/localauth/password", new { new_password = "a first passphrase" }), [401, 403, 403, 403, 403]),
            new("create a ten-year token", post, () => At("/api/tokens", new { expires_in = "3650d" }), [401, 201, 201, 201, 201]),
            new("put a user in the admin group", patch, () => FreshUser(new { groups = new[] { "admin" } }), [401, 403, 403, 200, 403]),
            new("read audit log", get, () => At("/api/audit/logs"), [401, 403, 200, 200, 403]),
            new("export audit log", get, () => At("/api/audit/logs/export?format=csv"), [401, 403, 200, 200, 403]),
            new("local login, wrong password", post, () => At("/api/localauth/login", new { email = standard.Name, password = "not the password!" }), [401, 401, 401, 401, 401]),
            new("local logout", post, () => At("/api/localauth/logout"), [204, 204, 204, 204, 204]),
            new("oidc login when not configured", get, () => At("/api/login?redirect=http://127.0.0.1:1/callback"), [404, 404, 404, 404, 404]),
            new("oidc callback when not configured", get, () => At("/api/callback?code=x&state=y"), [404, 404, 404, 404, 404]),
        ];

        var mismatches = new List<string>();
        var checks = 0;
        foreach (var row in rows)
        {
            for (var i = 0; i < Callers.Length; i++)
            {
                var (path, body) = await row.Prepare();
                using var client = gateway.ClientFor(tokens[i]);
                using var request = new HttpRequestMessage(row.Method, path);
                if (body is not null)
                {
                    request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
                }
                var response = await client.SendAsync(request);
                checks++;
                if ((int)response.StatusCode != row.Expected[i])
                {
                    mismatches.Add($"{row.Name} as {Callers[i]}: expected {row.Expected[i]}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }
        checks.Should().Be(rows.Length * Callers.Length);
        mismatches.Should().BeEmpty($"all {checks} checks ({rows.Length} endpoints × {Callers.Length} callers) must match");
    }

    private const string Passphrase = "escalation test passphrase";

    /// <summary>One escalation attempt: who tries it, the request, the status it must get, and what the answer must not grant.</summary>
    private sealed record Attempt(string Name, string? Token, HttpMethod Method, string Path, object? Body, int Expected, Action<JsonObject>? Check = null);

    [Fact]
    public async Task Escalation_paths_are_refused()
    {
        var team = await gateway.CreateGroupAsync();
        var narrowedTo = await gateway.CreateConnectionAsync([team]);
        var elsewhere = await gateway.CreateConnectionAsync([team]);
        var standard = await gateway.CreateUserAsync([team]);
        var withPassword = await gateway.CreateUserAsync([team], Passphrase);
        var admin = await gateway.CreateUserAsync(["admin"]);
        var bystander = await gateway.CreateUserAsync([team]);
        var agent = await gateway.CreateServiceAccountAsync([team]);
        var hour = DateTimeOffset.UtcNow.AddHours(1).AddMinutes(1);
        var (narrowedStandard, _) = await gateway.CreateTokenAsync(new { user = standard.Name, expires_in = "1h", connections = new[] { narrowedTo } });
        var (narrowedAdmin, _) = await gateway.CreateTokenAsync(new { user = admin.Name, expires_in = "1h", connections = new[] { narrowedTo } });
        var (narrowedWithPassword, _) = await gateway.CreateTokenAsync(new { user = withPassword.Name, expires_in = "1h", connections = new[] { narrowedTo } });

        void NoWiderThanTheHourToken(JsonObject created)
        {
            (created["connections"] as JsonArray)?.Select(c => c!.GetValue<string>()).Should().Equal([narrowedTo], "the new token is narrowed like the one that made it");
            created["expires_at"].Should().NotBeNull("the new token expires with the one that made it");
            DateTimeOffset.Parse(created["expires_at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).Should().BeBefore(hour);
        }

        Attempt[] attempts =
        [
            new("narrowed token sets its owner's first password", narrowedStandard, HttpMethod.Post, "/api/localauth/password", new { new_password = Passphrase }, 403),
            new("unrestricted token sets its owner's first password", standard.Token, HttpMethod.Post, "/api/localauth/password", new { new_password = Passphrase }, 403),
            new("token changes a password without the current one", narrowedWithPassword, HttpMethod.Post, "/api/localauth/password", new { new_password = "another passphrase" }, 403),
            new("narrowed token mints a ten-year unrestricted token", narrowedStandard, HttpMethod.Post, "/api/tokens", new { expires_in = "3650d" }, 201, NoWiderThanTheHourToken),
            new("narrowed token mints a token for another connection", narrowedStandard, HttpMethod.Post, "/api/tokens", new { connections = new[] { elsewhere } }, 403),
            new("narrowed admin token mints a service account token", narrowedAdmin, HttpMethod.Post, "/api/tokens", new { serviceaccount = agent.Name, expires_in = "3650d" }, 201, NoWiderThanTheHourToken),
            new("narrowed admin token mints a token for another user", narrowedAdmin, HttpMethod.Post, "/api/tokens", new { user = bystander.Name }, 201, NoWiderThanTheHourToken),
            new("narrowed admin token sets its own password", narrowedAdmin, HttpMethod.Patch, $"/api/users/{admin.Id}", new { password = Passphrase }, 403),
            new("narrowed admin token sets another user's password", narrowedAdmin, HttpMethod.Patch, $"/api/users/{bystander.Id}", new { password = Passphrase }, 403),
            new("narrowed admin token creates an admin with a password", narrowedAdmin, HttpMethod.Post, "/api/users",
                new { email = Identities.Unique("esc") + "@example.com", groups = new[] { "admin" }, password = Passphrase }, 403),
            new("standard token puts its owner in the admin group", standard.Token, HttpMethod.Patch, $"/api/users/{standard.Id}", new { groups = new[] { "admin" } }, 403),
            new("narrowed service account token joins the admin group", agent.Token, HttpMethod.Patch, $"/api/serviceaccounts/{agent.Id}", new { groups = new[] { "admin" } }, 403),
            new("token with the current password changes it", narrowedWithPassword, HttpMethod.Post, "/api/localauth/password", new { current_password = Passphrase, new_password = Passphrase }, 204),
            new("unrestricted admin token sets a password", GatewayFixture.Token, HttpMethod.Patch, $"/api/users/{bystander.Id}", new { password = Passphrase }, 200),
        ];

        var mismatches = new List<string>();
        foreach (var attempt in attempts)
        {
            using var client = gateway.ClientFor(attempt.Token);
            using var request = new HttpRequestMessage(attempt.Method, attempt.Path);
            if (attempt.Body is not null)
            {
                request.Content = new StringContent(JsonSerializer.Serialize(attempt.Body), Encoding.UTF8, "application/json");
            }
            var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if ((int)response.StatusCode != attempt.Expected)
            {
                mismatches.Add($"{attempt.Name}: expected {attempt.Expected}, got {(int)response.StatusCode} {text}");
                continue;
            }
            try
            {
                attempt.Check?.Invoke(JsonNode.Parse(text)!.AsObject());
            }
            catch (Exception e) when (e is Xunit.Sdk.XunitException or NullReferenceException)
            {
                mismatches.Add($"{attempt.Name}: {e.Message} in {text}");
            }
        }
        mismatches.Should().BeEmpty();
        (await gateway.Http.PostAsJsonAsync("/api/localauth/login", new { email = standard.Name, password = Passphrase }))
            .StatusCode.Should().Be(HttpStatusCode.Unauthorized, "no password was set with the narrowed token");
    }

    [Fact]
    public async Task A_browser_session_mints_tokens_capped_by_the_maximum_token_lifetime()
    {
        // The probe's chain: a one-hour narrowed token set a first password, logged in, and minted a ten-year
        // unrestricted token from the cookie session. The password step is refused above; a cookie session that a
        // password login did open can still mint only tokens within the policy (VIGIL_MAX_TOKEN_LIFETIME, 90 days).
        var user = await gateway.CreateUserAsync([], Passphrase);
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(gateway.HttpAddress) };
        var login = await browser.PostAsJsonAsync("/api/localauth/login", new { email = user.Name, password = Passphrase });
        var csrf = (await login.Content.ReadFromJsonAsync<JsonObject>())!["csrf_token"]!.GetValue<string>();
        var limit = DateTimeOffset.UtcNow.AddDays(90).AddMinutes(1);
        foreach (object body in new object[] { new { expires_in = "3650d" }, new { name = "no expiry asked" } })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = JsonContent.Create(body) };
            request.Headers.Add("X-CSRF-Token", csrf);
            var created = await browser.SendAsync(request);
            created.StatusCode.Should().Be(HttpStatusCode.Created);
            var expires = (await created.Content.ReadFromJsonAsync<JsonObject>())!["expires_at"]?.GetValue<string>();
            expires.Should().NotBeNull("a token made from a browser session always expires");
            DateTimeOffset.Parse(expires!, System.Globalization.CultureInfo.InvariantCulture).Should().BeBefore(limit).And.BeAfter(limit.AddDays(-1));
        }
    }

    [Fact]
    public async Task A_reviewer_token_narrowed_elsewhere_cannot_approve_reviews_or_access_requests()
    {
        // A reviewer's token narrowed to one connection (an agent acting for them) must not reach another connection
        // by deciding its reviews: approving runs the held command there, and approving an access request grants it.
        var s = await ReviewScenario.CreateAsync(gateway, new { require_jit_for_connect = true });
        var other = await gateway.CreateConnectionAsync([s.ReviewerGroup]);
        var (narrowed, _) = await gateway.CreateTokenAsync(new { user = s.Reviewer.Name, connections = new[] { other } });
        var agent = s.Reviewer with { Token = narrowed };
        var (held, body) = await s.ExecAsync(s.Requester, ReviewScenario.MediumInsert(Random.Shared.Next(1_000_000, 2_000_000)));
        held.Should().Be(HttpStatusCode.Accepted, body.ToJsonString());
        var (_, access) = await s.SendAsync(s.Requester, HttpMethod.Post, "/api/access-requests", new { connection = s.Connection, duration = "1h", reason = "deploy" });

        // 404: for that token the connection's reviews do not exist, as for anyone who may not decide or read them.
        (await s.DecideAsync(agent, body["review"]!["id"]!.GetValue<string>(), approve: true)).Status.Should().Be(HttpStatusCode.NotFound);
        (await s.DecideAsync(agent, access["id"]!.GetValue<string>(), approve: true)).Status.Should().Be(HttpStatusCode.NotFound);
        (await s.DecideAsync(s.Reviewer, body["review"]!["id"]!.GetValue<string>(), approve: true)).Status.Should().Be(HttpStatusCode.OK, "the reviewer's unrestricted token may");
    }
}
