using System.Net.Http.Json;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Ssh;

/// <summary>
/// The native SSH listener with the real OpenSSH client against a real sshd behind the gateway: token login as the
/// connection's name, exec with exit status and the analyzer's refusal (126), an interactive shell whose lines are
/// analyzed before their Enter reaches the host and whose terminal is recorded, sftp and scp with each file operation
/// decided and recorded.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class NativeSshTests(GatewayFixture gateway) : IAsyncLifetime
{
    private SshdTarget _sshd = null!;
    private readonly NativeSshClient _ssh = new(gateway);

    public async Task InitializeAsync() => _sshd = await SshdTarget.StartAsync();

    public async Task DisposeAsync() => await _sshd.DisposeAsync();

    private string Marker() => Path.Combine(_sshd.Scratch, "ran-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Ssh_runs_a_command_with_its_stdout_stderr_stdin_and_exit_status_and_records_it()
    {
        var connection = await _sshd.RegisterAsync(gateway);

        var result = await _ssh.ExecAsync(connection, "echo out-line; echo err-line >&2; tr a-z A-Z; exit 3", stdin: "from stdin\n");

        result.ExitCode.Should().Be(3, result.Stderr);
        result.Stdout.Should().Be("out-line\nFROM STDIN\n");
        result.Stderr.Should().Be("err-line\n");
        var session = await gateway.LatestSessionAsync(connection);
        session.Status.Should().Be("done");
        session.ExitCode.Should().Be(3);
        var statement = session.Events!.Single(e => e.Kind == "statement");
        statement.Text.Should().Be("echo out-line; echo err-line >&2; tr a-z A-Z; exit 3");
        statement.CommandTag.Should().Be("exit status 3");
        statement.AiAnalysis!.Source.Should().Be("static");
        var cast = await gateway.Http.GetStringAsync($"/api/sessions/{session.Id}/terminal");
        cast.Should().Contain("out-line").And.Contain("from stdin");
    }

    [Fact]
    public async Task A_dangerous_command_is_refused_with_the_analyzers_reason_and_exit_status_126_and_never_runs()
    {
        var connection = await _sshd.RegisterWithRuleAsync(gateway);
        var marker = Marker();

        var result = await _ssh.ExecAsync(connection, $"touch {marker}; rm -rf /var/lib/postgresql");

        result.ExitCode.Should().Be(126, result.Stdout + result.Stderr);
        result.Stderr.Should().StartWith("vigil: ").And.Contain("Data directory delete");
        File.Exists(marker).Should().BeFalse("a refused command never reaches the host");
        var session = await gateway.LatestSessionAsync(connection);
        session.Events!.Select(e => e.Kind).Should().Equal("blocked");
        session.Events![0].AiAnalysis!.RiskLevel.Should().Be("high");
    }

    [Fact]
    public async Task A_medium_risk_command_waits_for_a_reviewer_then_runs_once_for_that_identity()
    {
        var dev = await gateway.CreateGroupAsync();
        var reviewers = await gateway.CreateGroupAsync();
        var connection = await _sshd.RegisterWithRuleAsync(gateway, [dev], [reviewers]);
        var requester = await gateway.CreateUserAsync([dev]);
        var reviewer = await gateway.CreateUserAsync([reviewers]);
        var copy = Path.Combine(_sshd.Scratch, "copied-" + Guid.NewGuid().ToString("N")[..8]);
        var command = $"cp /etc/hostname {copy}; echo copied";
        var asRequester = new NativeSshClient(gateway, requester.Token);

        var waiting = await asRequester.ExecAsync(connection, command);
        waiting.ExitCode.Should().Be(126, waiting.Stderr);
        File.Exists(copy).Should().BeFalse("nothing runs before a reviewer approves");
        var reviewId = System.Text.RegularExpressions.Regex.Match(waiting.Stderr, @"review ([0-9a-f-]{36})").Groups[1].Value;
        reviewId.Should().NotBeEmpty(waiting.Stderr);
        using var asReviewer = gateway.ClientFor(reviewer.Token);
        (await asReviewer.PostAsJsonAsync($"/api/reviews/{reviewId}/approve", new { reason = "fine" })).EnsureSuccessStatusCode();
        var approved = await asRequester.ExecAsync(connection, command);
        var again = await asRequester.ExecAsync(connection, command);

        approved.ExitCode.Should().Be(0, approved.Stderr);
        approved.Stdout.Should().Be("copied\n");
        File.Exists(copy).Should().BeTrue();
        again.ExitCode.Should().Be(126, "an approval lets the command through once");
    }

    [Fact]
    public async Task A_target_that_is_down_or_shows_another_host_key_is_refused_with_the_reason_and_the_session_marked()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var down = await _sshd.RegisterAsync(gateway, new() { ["port"] = port });
        var (_, otherKey) = await _sshd.GenerateKeyAsync("-t", "ed25519");
        var impostor = await _sshd.RegisterAsync(gateway, new() { ["host_key"] = otherKey });
        var marker = Marker();

        var unreachable = await _ssh.ExecAsync(down, "echo never");
        var mismatch = await _ssh.ExecAsync(impostor, $"touch {marker}");

        unreachable.ExitCode.Should().Be(255);
        unreachable.Stderr.Should().StartWith($"vigil: cannot reach connection '{down}' (127.0.0.1:{port}): ");
        (await gateway.LatestSessionAsync(down)).Status.Should().Be("failed");
        mismatch.ExitCode.Should().Be(255);
        mismatch.Stderr.Should().StartWith($"vigil: host key mismatch for connection {impostor}: expected SHA256:");
        File.Exists(marker).Should().BeFalse();
        var session = await gateway.LatestSessionAsync(impostor);
        session.Status.Should().Be("failed");
        session.Reason.Should().StartWith($"host key mismatch for connection {impostor}");
    }

    [Fact]
    public async Task A_client_that_disappears_mid_command_leaves_its_session_recorded_and_marked_interrupted()
    {
        var connection = await _sshd.RegisterAsync(gateway);
        using var terminal = _ssh.OpenTerminal(connection);
        await terminal.TypeAsync("echo started-$((2*2)); sleep 60\r");
        await terminal.WaitForAsync("started-4");

        terminal.Dispose();

        var session = await gateway.LatestSessionAsync(connection);
        session.Status.Should().Be("interrupted");
        session.Reason.Should().Be("the client disconnected");
        session.Events!.Should().Contain(e => e.Kind == "statement" && e.Text == "echo started-$((2*2)); sleep 60");
        var cast = await gateway.Http.GetStringAsync($"/api/sessions/{session.Id}/terminal");
        cast.Should().Contain("started-4");
    }

    [Fact]
    public async Task A_wrong_token_is_refused_like_a_wrong_password_and_an_unknown_connection_is_named()
    {
        var connection = await _sshd.RegisterAsync(gateway);

        var wrong = await new NativeSshClient(gateway, "vgl_not_a_token").ExecAsync(connection, "true");
        var unknown = await _ssh.ExecAsync("no-such-connection", "true");

        wrong.ExitCode.Should().Be(5, "sshpass's exit status for a password the server refused");
        unknown.ExitCode.Should().Be(126, unknown.Stderr);
        unknown.Stderr.Should().Contain("vigil: connection \"no-such-connection\" does not exist");
    }

    [Fact]
    public async Task An_identity_logs_in_with_its_registered_key_and_an_unregistered_key_is_refused()
    {
        var team = await gateway.CreateGroupAsync();
        var connection = await _sshd.RegisterAsync(gateway, new() { ["access_groups"] = new[] { team } });
        var agent = await gateway.CreateUserAsync([team]);
        var keyFile = Path.Combine(_sshd.Scratch, "agent-" + Guid.NewGuid().ToString("N")[..8]);
        (await Processes.RunAsync("ssh-keygen", ["-q", "-N", "", "-t", "ed25519", "-f", keyFile])).ExitCode.Should().Be(0);
        var (_, otherPublic) = await _sshd.GenerateKeyAsync("-t", "ed25519");
        using var asAgent = gateway.ClientFor(agent.Token);
        (await asAgent.PostAsJsonAsync("/api/users/me/ssh-keys", new { public_key = (await File.ReadAllTextAsync(keyFile + ".pub")).Trim() })).EnsureSuccessStatusCode();

        var allowed = await NativeSshClient.ExecWithKeyAsync(_ssh.Port, keyFile, connection, "echo key-login");
        await File.WriteAllTextAsync(keyFile + ".other.pub", otherPublic);
        var (otherPrivate, _) = await _sshd.GenerateKeyAsync("-t", "ed25519");
        await File.WriteAllTextAsync(keyFile + ".other", otherPrivate);
        File.SetUnixFileMode(keyFile + ".other", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var refused = await NativeSshClient.ExecWithKeyAsync(_ssh.Port, keyFile + ".other", connection, "echo never");

        allowed.ExitCode.Should().Be(0, allowed.Stderr);
        allowed.Stdout.Should().Be("key-login\n");
        refused.ExitCode.Should().Be(255);
        refused.Stderr.Should().Contain("Permission denied (publickey");
        var session = await gateway.LatestSessionAsync(connection);
        session.UserId.Should().Be(agent.Id);
    }

    [Fact]
    public async Task An_interactive_shell_runs_allowed_lines_kills_a_refused_one_at_the_prompt_and_records_the_terminal()
    {
        var connection = await _sshd.RegisterWithRuleAsync(gateway);
        var marker = Marker();
        using var terminal = _ssh.OpenTerminal(connection);

        await terminal.TypeAsync("echo hello-$((6*7))\r");
        await terminal.WaitForAsync("hello-42");
        await terminal.TypeAsync($"touch {marker}; rm -rf /var/lib/postgresql\r");
        await terminal.WaitForAsync("vigil: blocked: .*Data directory delete");
        await terminal.TypeAsync("echo after-$((1+1))\r");
        await terminal.WaitForAsync("after-2");
        await terminal.TypeAsync("exit\r");

        (await terminal.ExitAsync()).Should().Be(0, terminal.Output);
        File.Exists(marker).Should().BeFalse("the refused line was killed at the prompt, never entered");
        var session = await gateway.LatestSessionAsync(connection);
        session.Status.Should().Be("done");
        session.Events!.Where(e => e.Kind is "statement" or "blocked").Select(e => (e.Kind, e.Text)).Should().Equal(
            ("statement", "echo hello-$((6*7))"), ("blocked", $"touch {marker}; rm -rf /var/lib/postgresql"),
            ("statement", "echo after-$((1+1))"), ("statement", "exit"));
        var cast = await gateway.Http.GetStringAsync($"/api/sessions/{session.Id}/terminal");
        cast.Split('\n')[0].Should().Contain("\"version\":2");
        cast.Should().Contain("hello-42").And.Contain("vigil: blocked").And.Contain("after-2");
    }

    [Fact]
    public async Task A_shell_whose_piped_input_ends_at_once_still_runs_its_lines_and_exits_with_its_own_status()
    {
        var connection = await _sshd.RegisterWithRuleAsync(gateway);

        // The client's EOF goes on to the target instead of closing the shell, so the lines already sent run first.
        var run = await _ssh.PipedShellAsync(connection, "echo piped-$((40+2))\nexit 5\n");

        run.ExitCode.Should().Be(5, run.Stdout + run.Stderr);
        run.Stdout.Should().Contain("piped-42");
        var session = await gateway.LatestSessionAsync(connection);
        session.Events!.Where(e => e.Kind == "statement").Select(e => e.Text).Should().Equal("echo piped-$((40+2))", "exit 5");
    }

    [Fact]
    public async Task Sftp_and_scp_move_files_and_each_operation_is_recorded_and_a_guardrail_blocks_a_write()
    {
        var connection = await _sshd.RegisterAsync(gateway);
        var guardrail = Identities.Unique("guard");
        (await gateway.Http.PostAsJsonAsync("/api/guardrails", new
        {
            name = guardrail,
            connection_names = new[] { connection },
            input = new { rules = new object[] { new { type = "deny_words_list", words = new[] { "forbidden-dir" }, name = "no-writes", message = "writes there are not allowed" } } },
        })).EnsureSuccessStatusCode();
        var local = Path.Combine(_sshd.Scratch, "local-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllTextAsync(local, "payload through sftp\n");
        var remote = Path.Combine(_sshd.Scratch, "up-" + Guid.NewGuid().ToString("N")[..8]);
        var back = local + ".back";
        var sftp = await _ssh.SftpAsync(connection, $"put {local} {remote}\nget {remote} {back}\nput {local} {_sshd.Scratch}/forbidden-dir-x\n");
        var scp = await _ssh.ScpAsync(connection, local, remote + ".scp");

        File.Exists(remote).Should().BeTrue($"sftp said: {sftp.Stdout} {sftp.Stderr}");
        (sftp.Stdout + sftp.Stderr).Should().Contain("Permission denied", "OpenSSH's sftp prints the status code, not the server's message");
        (await File.ReadAllTextAsync(remote)).Should().Be("payload through sftp\n");
        (await File.ReadAllTextAsync(back)).Should().Be("payload through sftp\n");
        File.Exists($"{_sshd.Scratch}/forbidden-dir-x").Should().BeFalse();
        scp.ExitCode.Should().Be(0, scp.Stderr);
        (await File.ReadAllTextAsync(remote + ".scp")).Should().Be("payload through sftp\n");
        await gateway.FlushRecordingAsync();
        var sessions = await gateway.Http.GetFromJsonAsync<Vigil.Hosting.Paged<Vigil.Sessions.SessionView>>($"/api/sessions?connection={connection}&page_size=5", Vigil.Hosting.Api.Json);
        var texts = new List<(string Kind, string? Text)>();
        foreach (var listed in sessions!.Data)
        {
            var session = (await gateway.Http.GetFromJsonAsync<Vigil.Sessions.SessionView>($"/api/sessions/{listed.Id}", Vigil.Hosting.Api.Json))!;
            texts.AddRange(session.Events!.Select(e => (e.Kind, e.Text)));
        }
        texts.Should().Contain(("statement", $"sftp open write {remote}"))
            .And.Contain(("statement", $"sftp open read {remote}"))
            .And.Contain(("blocked", $"sftp open write {_sshd.Scratch}/forbidden-dir-x"))
            .And.Contain(("statement", $"sftp open write {remote}.scp"));
        _sshd.Server.Log.Should().Contain("Starting session: subsystem 'sftp'", "the target's own sftp subsystem serves it");
    }

    [Fact]
    public async Task Sftp_works_where_the_target_names_no_sftp_subsystem()
    {
        await using var bare = await SshdTarget.StartAsync(sftpSubsystem: false);
        var connection = await bare.RegisterAsync(gateway);
        var local = Path.Combine(bare.Scratch, "local-" + Guid.NewGuid().ToString("N")[..8]);
        await File.WriteAllTextAsync(local, "through sftp-server\n");

        var sftp = await _ssh.SftpAsync(connection, $"put {local} {local}.up\n");

        (await File.ReadAllTextAsync(local + ".up")).Should().Be("through sftp-server\n", sftp.Stdout + sftp.Stderr);
        bare.Server.Log.Should().Contain("subsystem request for sftp by user").And.Contain("failed, subsystem not found", "the gateway asked for the subsystem first");
    }
}
