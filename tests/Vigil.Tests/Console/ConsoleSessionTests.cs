using System.Diagnostics;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Playwright;
using Npgsql;
using Vigil.Storage;
using Vigil.Tests.Fixtures;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Vigil.Tests.WebConsole;

/// <summary>
/// The sessions pages in a real browser against the shared gateway: sign in, find a session by the text of its
/// statement, open it and read the recorded result; live updates; who sees which session; a 100,000-statement timeline.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ConsoleSessionTests(GatewayFixture gateway, ChromiumFixture chromium, ITestOutputHelper output) : IClassFixture<ChromiumFixture>
{
    /// <summary>A connection the group may use, and a member with a console password.</summary>
    private async Task<(string Connection, Identities.Created User, string Group)> SetupAsync()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var user = await gateway.CreateUserAsync([group]);
        await gateway.SetPasswordAsync(user);
        return (connection, user, group);
    }

    /// <summary>Runs <paramref name="sql"/> through the PostgreSQL proxy as <paramref name="user"/> and waits until the session is recorded closed.</summary>
    private async Task QueryAsync(string connection, Identities.Created user, string sql)
    {
        await using (var db = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, user.Token)))
        {
            await db.OpenAsync();
            await using var command = new NpgsqlCommand(sql, db);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
            }
        }
        await gateway.LatestSessionAsync(connection);
    }

    [Fact]
    public async Task Signs_in_finds_a_session_by_its_text_and_shows_the_statement_result()
    {
        var (connection, user, _) = await SetupAsync();
        var marker = Identities.Unique("find-me");
        await QueryAsync(connection, user, $"SELECT id, name FROM items WHERE id = 42 AND '{marker}' <> ''");
        await QueryAsync(connection, user, "SELECT 1 AS other_session");

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var login = await context.NewPageAsync();
        await login.GotoAsync("/sessions");
        await Expect(login).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/login\\?return_to=%2Fsessions$"));
        await Expect(login.GetByRole(AriaRole.Link, new() { Name = "Sign in with single sign-on" })).ToHaveCountAsync(0, new() { Timeout = 1000 });
        await login.ScreenshotAsync("login");
        await login.CloseAsync();
        var page = await context.SignInAsync(user.Name);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/sessions$"));
        await Expect(page.Locator(".who .user")).ToHaveTextAsync(user.Name);

        await page.GetByLabel("Connection").FillAsync(connection);
        await page.GetByLabel("Text in commands").FillAsync(marker);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var rows = page.Locator("table.sessions tbody tr");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToContainTextAsync(connection);
        await Expect(rows.First).ToContainTextAsync("done");
        await Expect(rows.First.Locator(".badge.risk-low")).ToBeVisibleAsync();

        await rows.First.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/sessions/[^/?]+$"));
        await Expect(page.Locator("pre.statement").Filter(new() { HasText = marker })).ToHaveCountAsync(1);
        var result = page.Locator("table.result").Filter(new() { HasText = "item 42" });
        await Expect(result).ToHaveCountAsync(1);
        await Expect(result.Locator("thead th")).ToHaveTextAsync(["id", "name"]);
        await Expect(result.Locator("tbody td")).ToHaveTextAsync(["42", "item 42"]);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "CSV" })).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("/api/sessions/.+/export\\?format=csv"));
        await page.ScreenshotAsync("session-detail");

        // The export link works with the console's cookie (the API accepts the browser session).
        var export = await page.APIRequest.GetAsync((await page.GetByRole(AriaRole.Link, new() { Name = "JSON" }).GetAttributeAsync("href"))!);
        export.Status.Should().Be(200);
        (await export.TextAsync()).Should().Contain(marker);
    }

    [Fact]
    public async Task A_new_session_appears_in_the_open_list_without_a_reload()
    {
        var (connection, user, _) = await SetupAsync();
        var marker = Identities.Unique("live");
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(user.Name, $"/sessions?text={marker}");
        await Expect(page.Locator("table.sessions tbody tr")).ToHaveCountAsync(0);
        await Expect(page.Locator("html.live")).ToHaveCountAsync(1); // the event stream is open
        await page.EvaluateAsync("() => { window.vigilNotReloaded = true; }");

        await QueryAsync(connection, user, $"SELECT '{marker}' AS live");

        await Expect(page.Locator("table.sessions tbody tr")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        (await page.EvaluateAsync<bool>("() => window.vigilNotReloaded === true")).Should().BeTrue("the list updates in place");
        await Expect(page.Locator(".live-status")).ToContainTextAsync("Updated");
    }

    [Fact]
    public async Task A_statement_appears_live_on_an_open_session_and_joins_the_player()
    {
        var (connection, user, _) = await SetupAsync();
        var marker = Identities.Unique("live-statement");
        await using var db = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, user.Token));
        await db.OpenAsync();
        await using (var first = new NpgsqlCommand("SELECT 1 AS first_statement", db))
        {
            await first.ExecuteScalarAsync();
        }
        await gateway.FlushRecordingAsync();
        var page1 = await gateway.Http.GetFromJsonAsync<Vigil.Hosting.Paged<Vigil.Sessions.SessionView>>($"/api/sessions?connection={connection}&page_size=1", Vigil.Hosting.Api.Json);
        var id = page1!.Data.Single().Id;

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(user.Name, $"/sessions/{id}");
        await Expect(page.Locator("pre.statement").Filter(new() { HasText = "first_statement" })).ToHaveCountAsync(1);
        await Expect(page.Locator("html.live")).ToHaveCountAsync(1);
        var before = await page.Locator(".events > li.event").CountAsync();
        await Expect(page.GetByLabel("Position")).ToHaveAttributeAsync("max", before.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.EvaluateAsync("() => { window.vigilNotReloaded = true; }");

        await using (var second = new NpgsqlCommand($"SELECT '{marker}' AS live", db))
        {
            await second.ExecuteScalarAsync();
        }

        await Expect(page.Locator("pre.statement").Filter(new() { HasText = marker })).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        (await page.EvaluateAsync<bool>("() => window.vigilNotReloaded === true")).Should().BeTrue("the timeline grows in place");
        // The player knows the new statement: it can step back to the first and forward to the live one.
        await Expect(page.GetByLabel("Position")).ToHaveAttributeAsync("max", (before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(page.Locator(".events > li.event")).ToHaveCountAsync(before + 1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Previous statement" }).ClickAsync();
        await Expect(page.Locator(".events > li.current")).Not.ToContainTextAsync(marker);
        await page.GetByRole(AriaRole.Button, new() { Name = "Next statement" }).ClickAsync();
        await Expect(page.Locator(".events > li.current")).ToContainTextAsync(marker);
    }

    [Fact]
    public async Task A_standard_user_sees_only_their_own_sessions_and_an_auditor_sees_all()
    {
        var (connection, owner, group) = await SetupAsync();
        var other = await gateway.CreateUserAsync([group]);
        await gateway.SetPasswordAsync(other);
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        await gateway.SetPasswordAsync(auditor);
        var marker = Identities.Unique("private");
        await QueryAsync(connection, owner, $"SELECT '{marker}' AS mine");
        var id = (await gateway.LatestSessionAsync(connection)).Id;

        await using (var context = await chromium.NewContextAsync(gateway.HttpAddress))
        {
            var page = await context.SignInAsync(other.Name, $"/sessions?text={marker}");
            await Expect(page.Locator("table.sessions tbody tr")).ToHaveCountAsync(0);
            await Expect(page.Locator(".summary")).ToContainTextAsync("0 sessions");
            // The user filter is an auditor's: a standard user asking for someone else's sessions still gets only their own.
            await page.GotoAsync($"/sessions?user={Uri.EscapeDataString(owner.Name)}");
            await Expect(page.Locator("table.sessions tbody tr")).ToHaveCountAsync(0);
            var direct = await page.GotoAsync($"/sessions/{id}");
            direct!.Status.Should().Be(404);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
            (await page.ContentAsync()).Should().NotContain(marker);
        }
        await using (var context = await chromium.NewContextAsync(gateway.HttpAddress))
        {
            var page = await context.SignInAsync(auditor.Name, $"/sessions?text={marker}");
            await Expect(page.Locator("table.sessions tbody tr")).ToHaveCountAsync(1);
            await page.GotoAsync("/sessions");
            await page.ScreenshotAsync("sessions");
            var direct = await page.GotoAsync($"/sessions/{id}");
            direct!.Status.Should().Be(200);
            await Expect(page.Locator("pre.statement").Filter(new() { HasText = marker })).ToHaveCountAsync(1);
        }
    }

    [Fact]
    public async Task The_overview_charts_the_callers_activity_per_connection()
    {
        var (connection, user, _) = await SetupAsync();
        var (elsewhere, someoneElse, _) = await SetupAsync();
        using (var client = gateway.ClientFor(user.Token))
        {
            (await client.PostAsJsonAsync("/api/sessions", new { connection, script = "SELECT 1" })).EnsureSuccessStatusCode();
            (await client.PostAsJsonAsync("/api/sessions", new { connection, script = "SELECT 2" })).EnsureSuccessStatusCode();
            await client.PostAsJsonAsync("/api/sessions", new { connection, script = $"SELECT '{MarkerBlockStage.Marker}'" });
        }
        using (var client = gateway.ClientFor(someoneElse.Token))
        {
            (await client.PostAsJsonAsync("/api/sessions", new { connection = elsewhere, script = "SELECT 1" })).EnsureSuccessStatusCode();
        }
        await gateway.FlushRecordingAsync();

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(user.Name, "/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview" })).ToBeVisibleAsync();
        var row = page.Locator("table.activity tbody tr").Filter(new() { HasText = connection });
        await Expect(row.Locator("td")).ToHaveTextAsync(["3", "1", "0", "0"]);
        await Expect(page.Locator("table.activity")).Not.ToContainTextAsync(elsewhere);
        // The chart: per connection, four bars for each of the 7 days; today's carry today's counts.
        var bars = page.Locator(".bar-row").Filter(new() { HasText = connection });
        await Expect(bars.Locator("rect")).ToHaveCountAsync(4 * 7);
        var today = DateTime.UtcNow.ToString("ddd d", System.Globalization.CultureInfo.InvariantCulture);
        await Expect(bars.Locator("rect title")).ToContainTextAsync([$"Sessions on {today}: 3", $"Blocked on {today}: 1", $"High risk on {today}: 0", $"Reviews on {today}: 0"]);
        (await bars.Locator("rect.bar-sessions").Last.GetAttributeAsync("height")).Should().NotBe("0");
        await Expect(bars).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex($"^{System.Text.RegularExpressions.Regex.Escape(connection)}: 3 sessions, 1 blocked, 0 high risk, 0 reviews in 7 days"));
        var perDay = page.Locator("table.activity-days tbody tr").Filter(new() { HasText = connection });
        await Expect(perDay.Locator("td")).ToHaveTextAsync([today, "3", "1", "0", "0"]);
        await page.ScreenshotAsync("overview");
    }

    [Fact]
    public async Task The_player_replays_the_statements_with_pause_step_and_seek()
    {
        var (connection, user, _) = await SetupAsync();
        await using (var db = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, user.Token)))
        {
            await db.OpenAsync();
            // Gaps of a second or more at 1×, so the player is still playing when the test looks for Pause on a loaded machine.
            foreach (var sql in new[] { "SELECT 1 AS first", "SELECT pg_sleep(1), 2 AS second", "SELECT pg_sleep(1), 3 AS third" })
            {
                await new NpgsqlCommand(sql, db).ExecuteScalarAsync();
            }
        }
        var session = await gateway.LatestSessionAsync(connection);
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(user.Name, $"/sessions/{session.Id}");
        var player = page.Locator(".player");
        await Expect(player).ToBeVisibleAsync();
        var count = await page.Locator("li.event").CountAsync();
        count.Should().BeGreaterThanOrEqualTo(3);

        await page.GetByLabel("Speed").SelectOptionAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Play" }).ClickAsync();
        await Expect(page.Locator("li.event.current")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Pause" })).ToBeVisibleAsync();
        await page.ScreenshotAsync("session-replay");
        // It plays to the end of the page at the recorded pace and stops there.
        await Expect(player.Locator(".player-status")).ToContainTextAsync($"({count} of {count} on this page)", new() { Timeout = 15_000 });
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Play" })).ToBeVisibleAsync();
        await Expect(page.Locator("li.event.future")).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Button, new() { Name = "Previous statement" }).ClickAsync();
        await Expect(page.Locator("li.event.current")).ToHaveIdAsync($"event-{count - 1}");
        await Expect(page.Locator("li.event.future")).ToHaveCountAsync(1);
        await page.GetByLabel("Position").FillAsync("1");
        await Expect(page.Locator("li.event.current")).ToHaveIdAsync("event-1");
        await Expect(page.Locator("li.event.future")).ToHaveCountAsync(count - 1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Next statement" }).ClickAsync();
        await Expect(page.Locator("li.event.current")).ToHaveIdAsync("event-2");
    }

    [Fact]
    public async Task The_list_and_a_session_fit_a_phone_screen()
    {
        var (connection, user, _) = await SetupAsync();
        await QueryAsync(connection, user, "SELECT id, name, payload FROM items ORDER BY id LIMIT 3");
        var id = (await gateway.LatestSessionAsync(connection)).Id;
        await using var context = await chromium.NewContextAsync(gateway.HttpAddress, width: 390, height: 844);
        var page = await context.SignInAsync(user.Name);
        await Expect(page.Locator("table.sessions tbody tr")).Not.ToHaveCountAsync(0);
        await page.ScreenshotAsync("sessions-phone");
        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).Should().BeTrue("the page itself never scrolls sideways; wide tables scroll inside their frame");
        await page.GotoAsync($"/sessions/{id}");
        await Expect(page.Locator("table.result")).Not.ToHaveCountAsync(0);
        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).Should().BeTrue();
        // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.Locator(":focus")).ToHaveTextAsync("Skip to content");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("main:focus")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task A_session_of_100000_statements_opens_one_page_at_a_time()
    {
        const int statements = 100_000;
        var auditor = await gateway.CreateUserAsync(["auditor"]);
        await gateway.SetPasswordAsync(auditor);
        var id = Guid.NewGuid().ToString();
        var insert = Stopwatch.StartNew();
        await RecordLongSessionAsync(id, statements);
        insert.Stop();

        await using var context = await chromium.NewContextAsync(gateway.HttpAddress);
        var page = await context.SignInAsync(auditor.Name);
        var first = Stopwatch.StartNew();
        var response = await page.GotoAsync($"/sessions/{id}");
        first.Stop();
        response!.Status.Should().Be(200);
        await Expect(page.Locator("li.event")).ToHaveCountAsync(50);
        await Expect(page.Locator(".timeline .summary")).ToHaveTextAsync("Events 1 to 50 of 100,000");
        await page.ScreenshotAsync("session-timeline");

        var last = Stopwatch.StartNew();
        await page.GetByRole(AriaRole.Link, new() { Name = "Last »" }).ClickAsync();
        await Expect(page.Locator(".timeline .summary")).ToHaveTextAsync("Events 99,951 to 100,000 of 100,000");
        last.Stop();
        await Expect(page.Locator($"#event-{statements} pre.statement")).ToHaveTextAsync($"SELECT {statements}");
        await Expect(page.Locator("li.event")).ToHaveCountAsync(50);
        output.WriteLine($"100,000-statement session: recorded in {insert.ElapsedMilliseconds} ms; first page {first.ElapsedMilliseconds} ms; last page {last.ElapsedMilliseconds} ms");
    }

    /// <summary>Writes a closed session with <paramref name="count"/> statements straight into the store (as the recorder's batches do, in one transaction).</summary>
    private async Task RecordLongSessionAsync(string id, int count)
    {
        var start = DateTimeOffset.UtcNow.AddHours(-1);
        await using var db = await gateway.App.Services.GetRequiredService<SqliteStore>().OpenAsync(CancellationToken.None);
        await using var transaction = await db.BeginTransactionAsync();
        await db.ExecuteAsync(
            """
            INSERT INTO sessions (id, type, connection, connection_type, user_id, user_name, status, events_lost, started_at, ended_at)
            VALUES (@id, 'connect', 'pg', 'postgres', 'long-session-user', 'long@example.com', 'done', 0, @start, @end)
            """,
            new { id, start = Rfc3339.Format(start), end = Rfc3339.Format(start.AddSeconds(count / 100.0)) }, transaction);
        await using var command = db.CreateCommand();
        command.Transaction = (Microsoft.Data.Sqlite.SqliteTransaction)transaction;
        command.CommandText =
            "INSERT INTO session_events (session_id, seq, at, kind, text, duration_us, command_tag, rows) VALUES ($id, $seq, $at, 'statement', $text, 250, 'SELECT 1', 1)";
        var seq = command.Parameters.Add("$seq", Microsoft.Data.Sqlite.SqliteType.Integer);
        var at = command.Parameters.Add("$at", Microsoft.Data.Sqlite.SqliteType.Text);
        var text = command.Parameters.Add("$text", Microsoft.Data.Sqlite.SqliteType.Text);
        command.Parameters.AddWithValue("$id", id);
        for (var i = 1; i <= count; i++)
        {
            seq.Value = i;
            at.Value = Rfc3339.Format(start.AddMilliseconds(i * 10));
            text.Value = $"SELECT {i}";
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }
}
