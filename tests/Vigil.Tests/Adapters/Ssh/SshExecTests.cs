using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using Vigil.Connections;
using Vigil.Tests.Cli;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Ssh;

/// <summary>
/// <c>vigil exec</c>, <c>POST /api/sessions</c> and MCP <c>exec</c> on <c>ssh</c> connections against a real sshd: one
/// command per exec through the pipeline (shell analyzer, rule action, review), output through the result stages, host
/// key pinning and an unreachable target.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SshExecTests(GatewayFixture gateway) : IAsyncLifetime
{
    private SshdTarget _sshd = null!;

    public async Task InitializeAsync() => _sshd = await SshdTarget.StartAsync();

    public async Task DisposeAsync() => await _sshd.DisposeAsync();

    private static JsonNode Json(Processes.Result result) => JsonNode.Parse(result.Stdout)!;

    [Fact]
    public async Task Vigil_exec_runs_the_script_as_one_command_with_stdout_stderr_and_exit_status()
    {
        var connection = await _sshd.RegisterAsync(gateway);
        using var cli = new CliRunner(gateway);

        // cat reads stdin: it must see EOF at once rather than hold the command until the statement timeout.
        var ok = await cli.RunAsync(["exec", connection, "-i", "echo out-line; echo err-line >&2; cat; whoami"]);
        var failed = await cli.RunAsync(["exec", connection, "--json", "-i", "echo before-exit; exit 3"]);

        ok.ExitCode.Should().Be(0, ok.Stderr);
        ok.Stdout.Should().Contain("out-line\n").And.Contain("err-line\n").And.Contain(_sshd.Server.User + "\n");
        failed.ExitCode.Should().Be(1, failed.Stderr);
        var json = Json(failed);
        json["status"]!.GetValue<string>().Should().Be("failed");
        json["reason"]!.GetValue<string>().Should().Be("exit status 3");
        json["output"]!.GetValue<string>().Should().Be("before-exit\n");

        var session = await gateway.LatestSessionAsync(connection, "exec");
        session.ConnectionType.Should().Be("ssh");
        session.Status.Should().Be("failed");
        session.Reason.Should().Be("exit status 3");
        session.Events!.Select(e => e.Kind).Should().Equal("input", "statement", "output");
        session.Events![0].Text.Should().Be("echo before-exit; exit 3");
        session.Events[1].CommandTag.Should().Be("exit status 3");
        session.Events[1].AiAnalysis!.Source.Should().Be("static");
        session.Events[2].Text.Should().Be("before-exit\n");
    }

    [Fact]
    public async Task Rm_rf_of_the_postgres_data_directory_is_blocked_with_the_analyzers_reason_and_never_runs()
    {
        var connection = await _sshd.RegisterWithRuleAsync(gateway);
        var marker = Path.Combine(_sshd.Scratch, "ran-" + Guid.NewGuid().ToString("N")[..8]);
        using var cli = new CliRunner(gateway);

        var result = await cli.RunAsync(["exec", connection, "-i", $"touch {marker}; rm -rf /var/lib/postgresql"]);

        result.ExitCode.Should().Be(2, result.Stdout + result.Stderr);
        result.Stderr.Should().Contain("vigil: ").And.Contain("Data directory delete");
        File.Exists(marker).Should().BeFalse("a blocked command never reaches the host");
        var session = await gateway.LatestSessionAsync(connection, "exec");
        session.Status.Should().Be("blocked");
        session.ExitCode.Should().Be(2);
        session.Reason.Should().Contain("Data directory delete");
        session.Events!.Select(e => e.Kind).Should().Equal("input", "blocked");
        session.Events![1].AiAnalysis!.RiskLevel.Should().Be("high");
    }

    [Fact]
    public async Task A_medium_risk_command_waits_for_a_reviewer_and_runs_once_when_approved()
    {
        var dev = await gateway.CreateGroupAsync();
        var reviewers = await gateway.CreateGroupAsync();
        var connection = await _sshd.RegisterWithRuleAsync(gateway, [dev], [reviewers]);
        var requester = await gateway.CreateUserAsync([dev]);
        var reviewer = await gateway.CreateUserAsync([reviewers]);
        var copy = Path.Combine(_sshd.Scratch, "copied-" + Guid.NewGuid().ToString("N")[..8]);
        var script = $"cp /etc/hostname {copy}; echo copied";
        using var asRequester = gateway.ClientFor(requester.Token);
        using var asReviewer = gateway.ClientFor(reviewer.Token);

        var waiting = await asRequester.PostAsJsonAsync("/api/sessions", new { connection, script });
        var body = JsonNode.Parse(await waiting.Content.ReadAsStringAsync())!;
        waiting.StatusCode.Should().Be(HttpStatusCode.Accepted, body.ToJsonString());
        body["ai_analysis"]!["risk_level"]!.GetValue<string>().Should().Be("medium");
        File.Exists(copy).Should().BeFalse("nothing runs before a reviewer approves");
        var reviewId = body["review"]!["id"]!.GetValue<string>();

        (await asReviewer.PostAsJsonAsync($"/api/reviews/{reviewId}/approve", new { reason = "fine" })).StatusCode.Should().Be(HttpStatusCode.OK);
        File.Exists(copy).Should().BeFalse("approval alone runs nothing");
        var executed = await asRequester.PostAsync($"/api/reviews/{reviewId}/execute", null);
        var result = JsonNode.Parse(await executed.Content.ReadAsStringAsync())!;
        var again = await asRequester.PostAsync($"/api/reviews/{reviewId}/execute", null);

        executed.StatusCode.Should().Be(HttpStatusCode.OK, result.ToJsonString());
        result["status"]!.GetValue<string>().Should().Be("done");
        result["output"]!.GetValue<string>().Should().Be("copied\n");
        File.Exists(copy).Should().BeTrue();
        again.StatusCode.Should().Be(HttpStatusCode.Conflict, "an approval runs its command once");
        var session = await gateway.LatestSessionAsync(connection, "exec");
        session.Status.Should().Be("done");
        session.Events!.Select(e => e.Kind).Should().Equal("input", "blocked", "approved", "statement", "output");
    }

    [Fact]
    public async Task A_target_presenting_another_host_key_is_refused_and_the_session_marked_failed()
    {
        var (_, otherKey) = await _sshd.GenerateKeyAsync("-t", "ed25519");
        var connection = await _sshd.RegisterAsync(gateway, new() { ["host_key"] = otherKey });
        var marker = Path.Combine(_sshd.Scratch, "ran-" + Guid.NewGuid().ToString("N")[..8]);
        using var cli = new CliRunner(gateway);

        var result = await cli.RunAsync(["exec", connection, "--json", "-i", $"touch {marker}"]);

        result.ExitCode.Should().Be(1, result.Stderr);
        var expected = Pin(otherKey);
        var presented = Pin(_sshd.Server.HostKeyLine);
        var json = Json(result);
        json["output"]!.GetValue<string>().Should().Be($"vigil: host key mismatch for connection {connection}: expected {expected}, got {presented}\n");
        File.Exists(marker).Should().BeFalse();
        var session = await gateway.LatestSessionAsync(connection, "exec");
        session.Status.Should().Be("failed");
        session.Reason.Should().Be($"host key mismatch for connection {connection}: expected {expected}, got {presented}");
    }

    [Fact]
    public async Task A_bare_fingerprint_pin_finds_the_pinned_key_among_the_targets_host_keys()
    {
        // The gateway asks for ed25519 first; the pin names the server's ecdsa key, so the key exchange is retried for it.
        var connection = await _sshd.RegisterAsync(gateway, new() { ["host_key"] = Pin(_sshd.Server.EcdsaHostKeyLine) });
        using var cli = new CliRunner(gateway);

        var result = await cli.RunAsync(["exec", connection, "-i", "echo pinned-by-fingerprint"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Be("pinned-by-fingerprint\n");
    }

    [Fact]
    public async Task A_target_that_is_down_fails_with_a_clear_error()
    {
        var port = FreePort();
        var connection = await _sshd.RegisterAsync(gateway, new() { ["port"] = port });
        using var cli = new CliRunner(gateway);

        var result = await cli.RunAsync(["exec", connection, "-i", "echo never"]);

        result.ExitCode.Should().Be(1);
        result.Stderr.Should().StartWith($"vigil: cannot reach connection '{connection}' (127.0.0.1:{port}): ").And.Contain("refused");
        (await gateway.LatestSessionAsync(connection, "exec")).Status.Should().Be("failed");
    }

    [Fact]
    public async Task An_email_in_the_output_is_masked_for_the_client_and_the_recording()
    {
        var connection = await _sshd.RegisterAsync(gateway);
        var rule = await gateway.Http.PostAsJsonAsync("/api/datamasking-rules", new
        {
            name = Identities.Unique("mask"), connection_names = new[] { connection },
            supported_entity_types = new[] { new { name = "PII", entity_types = new[] { "EMAIL_ADDRESS" } } },
        });
        rule.EnsureSuccessStatusCode();
        using var cli = new CliRunner(gateway);

        var result = await cli.RunAsync(["exec", connection, "-i", "echo contact: jane.doe@example.com; echo jane.doe@example.com >&2"]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().NotContain("jane.doe@example.com").And.Contain("contact: ");
        var session = await gateway.LatestSessionAsync(connection, "exec");
        session.Output.Should().NotContain("jane.doe@example.com");
        session.MaskingInfo.Should().ContainKey("EMAIL_ADDRESS");
    }

    [Fact]
    public async Task Password_rsa_pem_and_ecdsa_logins_work()
    {
        var (rsa, rsaPublic) = await _sshd.GenerateKeyAsync("-t", "rsa", "-b", "2048", "-m", "PEM");
        var (ecdsa, ecdsaPublic) = await _sshd.GenerateKeyAsync("-t", "ecdsa");
        await _sshd.Server.AuthorizeAsync(rsaPublic, CancellationToken.None);
        await _sshd.Server.AuthorizeAsync(ecdsaPublic, CancellationToken.None);
        rsa.Should().StartWith("-----BEGIN RSA PRIVATE KEY-----");
        List<string> connections =
        [
            await _sshd.RegisterAsync(gateway, new() { ["private_key"] = rsa }),
            await _sshd.RegisterAsync(gateway, new() { ["private_key"] = ecdsa }),
        ];
        if (_sshd.PasswordWorks)
        {
            connections.Add(await _sshd.RegisterAsync(gateway, new() { ["private_key"] = null, ["password"] = SshdTarget.Password }));
        }
        using var cli = new CliRunner(gateway);

        foreach (var connection in connections)
        {
            var result = await cli.RunAsync(["exec", connection, "-i", "echo logged-in"]);
            result.ExitCode.Should().Be(0, $"{connection}: {result.Stderr}");
            result.Stdout.Should().Be("logged-in\n");
        }
    }

    [Fact]
    public async Task Mcp_exec_runs_a_command_on_an_ssh_connection_and_is_recorded_as_an_mcp_session()
    {
        var connection = await _sshd.RegisterWithRuleAsync(gateway);
        await using var client = await gateway.ConnectHttpAsync(GatewayFixture.Token);

        var ran = await client.CallToolAsync("exec", new Dictionary<string, object?> { ["connection"] = connection, ["script"] = "echo from-mcp" });
        var blocked = await client.CallToolAsync("exec", new Dictionary<string, object?> { ["connection"] = connection, ["script"] = "rm -rf /var/lib/postgresql" });

        ran.IsError.Should().NotBe(true);
        string.Join("\n", ran.Content.OfType<TextContentBlock>().Select(c => c.Text)).Should().Contain("from-mcp");
        string.Join("\n", blocked.Content.OfType<TextContentBlock>().Select(c => c.Text)).Should().Contain("Data directory delete");
        var session = await gateway.LatestSessionAsync(connection, "mcp");
        session.Status.Should().Be("blocked");
    }

    [Fact]
    public async Task The_analyzer_reads_an_ssh_connections_input_as_shell_and_input_guardrails_apply()
    {
        var connection = await _sshd.RegisterWithRuleAsync(gateway);
        var guardrail = await gateway.Http.PostAsJsonAsync("/api/guardrails", new
        {
            name = Identities.Unique("guard"), connection_names = new[] { connection },
            input = new { rules = new[] { new { type = "deny_words_list", words = new[] { "forbidden-word" } } } },
        });
        guardrail.EnsureSuccessStatusCode();
        using var cli = new CliRunner(gateway);

        var analyzed = await gateway.Http.PostAsJsonAsync("/api/ai/session-analyzer/analyze", new { connection, input = "rm -rf /var/lib/postgresql", offline = true });
        var refused = await cli.RunAsync(["exec", connection, "-i", "echo forbidden-word"]);

        var verdict = JsonNode.Parse(await analyzed.Content.ReadAsStringAsync())!;
        analyzed.StatusCode.Should().Be(HttpStatusCode.OK, verdict.ToJsonString());
        verdict["risk_level"]!.GetValue<string>().Should().Be("high");
        verdict["title"]!.GetValue<string>().Should().Be("Data directory delete");
        verdict["action"]!.GetValue<string>().Should().Be("block");
        refused.ExitCode.Should().Be(2, refused.Stdout + refused.Stderr);
        refused.Stderr.Should().Contain("guardrail");
    }

    private static string Pin(string keyLine) => SshHostKey.TryParse(keyLine, out var pin, out _) ? pin!.Fingerprint : throw new ArgumentException(keyLine);

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
