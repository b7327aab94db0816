using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Npgsql;
using Vigil.Tests.Cli;
using Vigil.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace Vigil.Tests.WebConsole;

/// <summary>
/// Reviews in a real browser: a reviewer follows the review link <c>vigil exec</c> printed, signs in, and approves
/// while the requester's <c>vigil exec</c> waits and then completes; an auditor sees the review but gets no buttons and
/// a forged decision is refused; the review link answers browsers with the console and API clients with JSON.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ConsoleReviewTests(GatewayFixture gateway, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IDisposable
{
    private const string Table = "console_reviewed";
    private readonly CliRunner _cli = new(gateway);

    private async Task<(string Script, string Marker)> InsertAsync()
    {
        await using (var direct = new NpgsqlConnection(gateway.DirectConnectionString()))
        {
            await direct.OpenAsync();
            await new NpgsqlCommand($"CREATE TABLE IF NOT EXISTS {Table} (id int PRIMARY KEY, name text NOT NULL); GRANT ALL ON {Table} TO app", direct).ExecuteNonQueryAsync();
        }
        var id = Random.Shared.Next(1, int.MaxValue);
        var marker = $"approved-in-console-{id}";
        return ($"INSERT INTO {Table} (id, name) VALUES ({id}, '{marker}') RETURNING name", marker);
    }

    [Fact]
    public async Task A_reviewer_approves_from_the_review_link_while_vigil_exec_waits_and_it_completes()
    {
        var scenario = await ReviewScenario.CreateAsync(gateway);
        await gateway.SetPasswordAsync(scenario.Reviewer);
        var (script, marker) = await InsertAsync();
        using var exec = _cli.Start(["exec", scenario.Connection, "-i", script], scenario.Requester.Token);
        var waiting = await exec.WaitForStderrAsync(@"vigil: review (\S+): .*?(http\S+/api/reviews/\S+)");
        var (id, url) = (waiting.Groups[1].Value, waiting.Groups[2].Value);

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var queue = await context.SignInAsync(scenario.Reviewer.Name, "/reviews");
        var card = queue.Locator("section[aria-labelledby='mine-title'] article.review").Filter(new() { HasText = marker });
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card).ToContainTextAsync(scenario.Requester.Name);
        await Expect(card).ToContainTextAsync(scenario.Connection);
        await Expect(card.Locator(".badge.risk-medium")).ToBeVisibleAsync();
        await queue.ScreenshotAsync("reviews");

        // The link from the terminal (or a Slack card) opens the review's page in the browser.
        var page = await context.NewPageAsync();
        await page.GotoAsync(url);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/reviews/{id}$"));
        await Expect(page.Locator("pre.statement")).ToContainTextAsync(marker);
        await page.ScreenshotAsync("review");
        await page.GetByLabel("Reason (optional)").FillAsync("looks fine");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Expect(page.Locator("article.review .review-head .status")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("approved|executed"));
        await Expect(page.Locator(".decisions")).ToContainTextAsync("looks fine");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);

        var result = await exec.WaitAsync(TimeSpan.FromSeconds(60));
        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Contain(marker);
        var review = await scenario.ReviewAsync(id);
        review["decisions"]![0]!["by"]!.GetValue<string>().Should().Be(scenario.Reviewer.Name);
    }

    [Fact]
    public async Task An_auditor_sees_reviews_and_sessions_but_cannot_decide_even_with_a_forged_post()
    {
        var scenario = await ReviewScenario.CreateAsync(gateway);
        await gateway.SetPasswordAsync(scenario.Auditor);
        var (status, body) = await scenario.ExecAsync(scenario.Requester, ReviewScenario.MediumInsert(Random.Shared.Next(1_000_000, int.MaxValue)));
        status.Should().Be(HttpStatusCode.Accepted, body.ToJsonString());
        var id = body["review"]!["id"]!.GetValue<string>();

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(scenario.Auditor.Name, $"/reviews/{id}");
        await Expect(page.Locator(".who .role")).ToHaveTextAsync("auditor");
        await Expect(page.Locator("pre.statement")).ToContainTextAsync("INSERT INTO items");
        await Expect(page.Locator("form.decide")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        await page.GotoAsync("/reviews");
        await Expect(page.Locator("section[aria-labelledby='mine-title'] article.review")).ToHaveCountAsync(0);
        await Expect(page.Locator("table a[href='/reviews/" + id + "']")).ToHaveCountAsync(1);
        await page.GotoAsync($"/sessions/{body["id"]!.GetValue<string>()}");
        await Expect(page.Locator("#review-title")).ToBeVisibleAsync();

        // A hand-made decision with the auditor's own valid CSRF token: the review rules refuse it.
        var csrf = (await context.CookiesAsync()).Single(c => c.Name == "vigil_csrf").Value;
        var forged = await page.APIRequest.PostAsync($"/reviews/{id}/approve", new() { Form = FormOf(page.APIRequest, ("csrf_token", csrf), ("reason", "auditor says yes")) });
        forged.Status.Should().Be(403);
        (await forged.TextAsync()).Should().Contain("may decide this review");
        // Without the token (a cross-site form): refused before the review is even looked at.
        var noToken = await page.APIRequest.PostAsync($"/reviews/{id}/approve", new() { Form = FormOf(page.APIRequest, ("reason", "x")) });
        noToken.Status.Should().Be(403);
        (await scenario.ReviewAsync(id))["status"]!.GetValue<string>().Should().Be("pending");
        (await scenario.ReviewAsync(id))["decisions"]!.AsArray().Should().BeEmpty();

        // Both refused posts are in the audit log, which the auditor may read.
        await page.GotoAsync($"/audit?resource_type=reviews&action=approve&resource={id}");
        var records = page.Locator("table.audit tbody tr");
        await Expect(records).ToHaveCountAsync(2);
        await Expect(records.First).ToContainTextAsync(scenario.Auditor.Name);
        await Expect(records.First).ToContainTextAsync("failure 403");
        await page.ScreenshotAsync("audit");
        // A standard user may not open it.
        await using var requesterContext = await chromium.NewContextAsync(gateway.HttpAddress);
        await gateway.SetPasswordAsync(scenario.Requester);
        var requesterPage = await requesterContext.SignInAsync(scenario.Requester.Name);
        await Expect(requesterPage.GetByRole(AriaRole.Link, new() { Name = "Audit log" })).ToHaveCountAsync(0);
        (await requesterPage.GotoAsync("/audit"))!.Status.Should().Be(403);
    }

    [Fact]
    public async Task The_review_link_sends_browsers_to_the_console_and_api_clients_get_json()
    {
        var scenario = await ReviewScenario.CreateAsync(gateway);
        var (_, body) = await scenario.ExecAsync(scenario.Requester, ReviewScenario.MediumInsert(Random.Shared.Next(1_000_000, int.MaxValue)));
        var url = body["review"]!["url"]!.GetValue<string>();
        var id = body["review"]!["id"]!.GetValue<string>();

        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        async Task<HttpResponseMessage> GetAsync(string? accept, bool authenticated = false)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (accept is not null)
            {
                request.Headers.Accept.ParseAdd(accept);
            }
            if (authenticated)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", scenario.Reviewer.Token);
            }
            return await client.SendAsync(request);
        }

        var browser = await GetAsync("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8");
        browser.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        browser.Headers.Location!.OriginalString.Should().Be($"/reviews/{id}");
        foreach (var accept in new[] { "application/json", "*/*", null, "application/json, text/html;q=0.5", "text/html, application/json" })
        {
            var api = await GetAsync(accept, authenticated: true);
            api.StatusCode.Should().Be(HttpStatusCode.OK, $"Accept: {accept}");
            api.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
            JsonNode.Parse(await api.Content.ReadAsStringAsync())!["id"]!.GetValue<string>().Should().Be(id);
        }
        // A bare text/html (a chat client fetching a preview) is a browser too; an API write is never redirected.
        (await GetAsync("text/html")).StatusCode.Should().Be(HttpStatusCode.SeeOther);
        using var approve = new HttpRequestMessage(HttpMethod.Post, url + "/approve");
        approve.Headers.Accept.ParseAdd("text/html");
        (await client.SendAsync(approve)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Pages_carry_a_strict_content_security_policy_and_their_script_runs_under_it()
    {
        var user = await gateway.CreateUserAsync([]);
        await gateway.SetPasswordAsync(user);
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var violations = new List<string>();
        context.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };
        var page = await context.SignInAsync(user.Name, "/reviews");
        var response = await page.ReloadAsync();
        var csp = response!.Headers["content-security-policy"];
        csp.Should().Contain("default-src 'none'").And.Contain("script-src 'self'").And.Contain("frame-ancestors 'none'").And.NotContain("unsafe");
        response.Headers["x-content-type-options"].Should().Be("nosniff");
        // The console's own script ran (it opened the live event stream) and the stylesheet applied: both allowed.
        await Expect(page.Locator("html.live")).ToHaveCountAsync(1);
        (await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('header.top')).display")).Should().Be("flex");
        // An injected inline script is refused by the policy.
        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.injected = true'; document.body.appendChild(s); }");
        (await page.EvaluateAsync<bool>("() => window.injected === true")).Should().BeFalse();
        for (var i = 0; i < 50 && violations.Count == 0; i++)
        {
            await Task.Delay(100);
        }
        violations.Should().NotBeEmpty("Chromium reports the refused inline script");

        var login = await context.APIRequest.GetAsync("/login");
        login.Headers["content-security-policy"].Should().Be(csp);
    }

    private static IFormData FormOf(IAPIRequestContext request, params (string Name, string Value)[] fields)
    {
        var form = request.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }
        return form;
    }

    public void Dispose() => _cli.Dispose();
}
