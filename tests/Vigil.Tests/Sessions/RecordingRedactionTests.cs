using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vigil.Tests.Fixtures;
using Vigil.Tests.Webhooks;

namespace Vigil.Tests.Sessions;

/// <summary>
/// Passwords inside statements never reach a recording, an export, a webhook payload or the audit log, while the
/// pipeline (analyzer, policy stages) and the target still get the statement as the client sent it.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RecordingRedactionTests(GatewayFixture gateway)
{
    private static readonly string Run = Guid.NewGuid().ToString("N")[..6];

    /// <summary>One statement per form; each secret is unique so a leak names its form.</summary>
    private static readonly (string Sql, string Secret)[] Forms =
    [
        ($"CREATE ROLE vigil_redact_{Run} LOGIN PASSWORD 'pw-create-role-{Run}'", $"pw-create-role-{Run}"),
        ($"ALTER ROLE vigil_redact_{Run} WITH ENCRYPTED PASSWORD 'pw-encrypted-{Run}'", $"pw-encrypted-{Run}"),
        ($"CREATE USER vigil_redact_u_{Run} PASSWORD E'pw-escape-\\'{Run}'", $"pw-escape-\\'{Run}"),
        ($"ALTER USER vigil_redact_u_{Run} PASSWORD 'SCRAM-SHA-256$4096:{Run}c2FsdA==$c3RvcmVk{Run}:c2VydmVy{Run}'", $"c3RvcmVk{Run}"),
        ($"SELECT dblink_connect('c', 'host=127.0.0.1 dbname=app user=app password=pw-dblink-{Run}')", $"pw-dblink-{Run}"),
        ($"SELECT * FROM dblink('dbname=app password=''pw quoted {Run}''', 'select 1') AS t(x int)", $"pw quoted {Run}"),
        ($"SELECT dblink_connect('postgresql://app:pw-uri-{Run}@127.0.0.1/app')", $"pw-uri-{Run}"),
        ($"CREATE USER MAPPING FOR CURRENT_USER SERVER vigil_nosuch_{Run} OPTIONS (user 'app', password 'pw-mapping-{Run}')", $"pw-mapping-{Run}"),
        ($"ALTER USER MAPPING FOR CURRENT_USER SERVER vigil_nosuch_{Run} OPTIONS (SET password 'pw-mapping-set-{Run}')", $"pw-mapping-set-{Run}"),
    ];

    private static void ShouldHoldNoSecret(string text)
    {
        foreach (var (_, secret) in Forms)
        {
            text.Should().NotContain(secret);
        }
        text.Should().NotContain($"pw-webhook-{Run}");
    }

    [Fact]
    public async Task Passwords_in_statements_are_redacted_in_the_session_its_exports_webhook_payloads_and_the_audit_log()
    {
        // Native statements through psql: each is recorded (the target refuses most, which changes nothing here).
        var connection = await gateway.CreateConnectionAsync([]);
        var url = $"postgresql://someone:{GatewayFixture.Token}@127.0.0.1:{gateway.PgPort}/{connection}?sslmode=disable";
        var psql = await Processes.RunAsync("psql", [url, "-X", .. Forms.SelectMany(f => new[] { "-c", f.Sql })]);
        psql.Stdout.Should().NotContain("vigil:", "nothing is refused by the gateway");
        var session = await gateway.LatestSessionAsync(connection);
        var texts = session.Events!.Select(e => e.Text!).ToList();
        texts.Should().HaveCount(Forms.Length);
        texts.Should().Contain($"CREATE ROLE vigil_redact_{Run} LOGIN PASSWORD '********'")
            .And.Contain("SELECT dblink_connect('c', 'host=127.0.0.1 dbname=app user=app password=********')")
            .And.Contain("SELECT dblink_connect('postgresql://app:********@127.0.0.1/app')");
        ShouldHoldNoSecret(await gateway.Http.GetStringAsync($"/api/sessions/{session.Id}"));
        ShouldHoldNoSecret(await gateway.Http.GetStringAsync($"/api/sessions/{session.Id}/export"));
        ShouldHoldNoSecret(await gateway.Http.GetStringAsync($"/api/sessions/{session.Id}/export?format=csv"));

        // An exec that needs a review: review.created (and analysis.high_risk when rated high) carry the command.
        await using var receiver = await WebhookReceiver.StartAsync();
        var hook = receiver.NewUrl();
        var created = await gateway.Http.PostAsJsonAsync("/api/webhooks", new { url = hook, event_types = new[] { "review.created", "analysis.high_risk" } });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var webhookId = (await created.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        try
        {
            var (reviewed, _) = await gateway.CreateRuleOnNewConnectionAsync(new()
            {
                ["risk_evaluation"] = new { low_risk_action = "require_approval", medium_risk_action = "require_approval", high_risk_action = "require_approval" },
            });
            var script = $"ALTER ROLE app PASSWORD 'pw-webhook-{Run}'";
            var exec = await gateway.Http.PostAsJsonAsync("/api/sessions", new { connection = reviewed, script });
            exec.StatusCode.Should().Be(HttpStatusCode.Accepted, await exec.Content.ReadAsStringAsync());
            var execId = (await exec.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();

            var deadline = DateTime.UtcNow.AddSeconds(20);
            List<ReceivedWebhook> mine;
            do
            {
                await Task.Delay(100);
                mine = receiver.RequestsTo(hook).Where(r => r.Text.Contains(reviewed, StringComparison.Ordinal)).ToList();
            }
            while (!mine.Any(r => r.Json["type"]!.GetValue<string>() == "review.created") && DateTime.UtcNow < deadline);
            var review = mine.Single(r => r.Json["type"]!.GetValue<string>() == "review.created");
            review.Json["data"]!["input"]!.GetValue<string>().Should().Be("ALTER ROLE app PASSWORD '********'");
            mine.ForEach(r => ShouldHoldNoSecret(r.Text));

            await gateway.FlushRecordingAsync();
            var execSession = await gateway.Http.GetStringAsync($"/api/sessions/{execId}");
            execSession.Should().Contain("ALTER ROLE app PASSWORD '********'");
            ShouldHoldNoSecret(execSession);
            var audit = await gateway.Http.GetStringAsync("/api/audit/logs?page_size=20");
            audit.Should().Contain("ALTER ROLE app PASSWORD '********'", "the POST /api/sessions request is audited with its script");
            ShouldHoldNoSecret(audit);
        }
        finally
        {
            await gateway.Http.DeleteAsync($"/api/webhooks/{webhookId}");
        }
    }

    [Fact]
    public async Task The_pipeline_sees_the_password_the_recording_hides()
    {
        // The test stage refuses any command containing its marker: here the marker is the password itself.
        var connection = await gateway.CreateConnectionAsync([]);
        var url = $"postgresql://someone:{GatewayFixture.Token}@127.0.0.1:{gateway.PgPort}/{connection}?sslmode=disable";
        var psql = await Processes.RunAsync("psql", [url, "-X", "-c", $"ALTER ROLE app PASSWORD '{MarkerBlockStage.Marker}'"]);

        psql.Stderr.Should().Contain("vigil: blocked by the test policy");
        var session = await gateway.LatestSessionAsync(connection);
        var blocked = session.Events!.Single();
        blocked.Kind.Should().Be("blocked");
        blocked.Text.Should().Be("ALTER ROLE app PASSWORD '********'");
    }
}
