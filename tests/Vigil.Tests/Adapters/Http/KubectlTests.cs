using System.Net.Http.Json;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// The real kubectl through the gateway to a server that speaks the Kubernetes API (<see cref="FakeKubernetesApi"/>),
/// configured by <c>vigil kubeconfig --merge</c> behind a TLS front (kubectl sends its token only over TLS): reads work, the cluster sees the connection's token (never the
/// caller's), a namespace delete is refused with the analyzer's reason as kubectl prints RBAC denials, a watch
/// delivers events as they happen, and exec (WebSocket v5, and the older SPDY/3.1 upgrade with
/// <c>KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false</c>) has its command analyzed as a shell command and its terminal recorded.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class KubectlTests(GatewayFixture gateway) : IAsyncLifetime
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "vigil-kube-" + Guid.NewGuid().ToString("N")[..8]);
    private FakeKubernetesApi _cluster = null!;
    private TlsFront _front = null!;
    private string _connection = "";

    private string KubeconfigPath => Path.Combine(_home, "config");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_home);
        _cluster = await FakeKubernetesApi.StartAsync();
        _front = await TlsFront.StartAsync(gateway.HttpAddress);
        var authority = Path.Combine(_home, "front-ca.pem");
        await File.WriteAllTextAsync(authority, _front.CertificatePem);
        _connection = await _cluster.RegisterAsync(gateway);
        await gateway.CreateRuleAsync(_connection);
        // A file kubectl already uses: the merge must keep its other context.
        await File.WriteAllTextAsync(KubeconfigPath, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: other
              cluster:
                server: https://other.example.com
            users:
            - name: other
              user:
                token: other-token
            contexts:
            - name: other
              context:
                cluster: other
                user: other
            current-context: other
            """);
        var written = await Processes.RunAsync("dotnet", [Processes.VigilDll, "kubeconfig", _connection, "--merge", "--namespace", "default", "--server", _front.Url, "--certificate-authority", authority], new Dictionary<string, string>
        {
            ["VIGIL_GATEWAY_URL"] = gateway.HttpAddress,
            ["VIGIL_TOKEN"] = GatewayFixture.Token,
            ["KUBECONFIG"] = KubeconfigPath,
        });
        if (written.ExitCode != 0)
        {
            throw new InvalidOperationException(written.Stderr);
        }
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _front.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    private Task<Processes.Result> KubectlAsync(params string[] arguments) => KubectlAsync(Environment(), arguments);

    private Task<Processes.Result> KubectlAsync(Dictionary<string, string> environment, params string[] arguments) =>
        Processes.RunAsync("kubectl", ["--cache-dir", Path.Combine(_home, "cache"), "--request-timeout", "20s", .. arguments], environment, timeout: TimeSpan.FromSeconds(60));

    /// <summary>kubectl's environment; with <paramref name="spdy"/>, exec uses the older SPDY/3.1 upgrade instead of WebSocket.</summary>
    private Dictionary<string, string> Environment(bool spdy = false)
    {
        var environment = new Dictionary<string, string> { ["KUBECONFIG"] = KubeconfigPath, ["HOME"] = _home };
        if (spdy)
        {
            environment["KUBECTL_REMOTE_COMMAND_WEBSOCKETS"] = "false";
        }
        return environment;
    }

    [Fact]
    public async Task Kubeconfig_merge_keeps_the_other_context_and_makes_the_gateway_current()
    {
        var contexts = await KubectlAsync("config", "get-contexts", "-o", "name");
        var current = await KubectlAsync("config", "current-context");

        contexts.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().BeEquivalentTo("other", $"vigil-{_connection}");
        current.Stdout.Trim().Should().Be($"vigil-{_connection}");
        File.GetUnixFileMode(KubeconfigPath).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task Kubectl_get_pods_works_through_the_gateway_with_the_connections_token()
    {
        var result = await KubectlAsync("get", "pods");

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Contain("web-1").And.Contain("Running");
        const string List = "GET /api/v1/namespaces/default/pods?limit=500&timeout=20s";
        _cluster.Requests.Should().Contain(List);
        var session = await gateway.RecordedSessionAsync(_connection);
        session.Events("statement").Select(e => e["text"]!.GetValue<string>()).Should().Contain(List);
        session.ToJsonString().Should().NotContain(FakeKubernetesApi.ClusterToken);
    }

    [Fact]
    public async Task Kubectl_delete_namespace_is_blocked_and_kubectl_prints_the_analyzers_reason()
    {
        var result = await KubectlAsync("delete", "namespace", "prod");

        result.ExitCode.Should().NotBe(0);
        result.Stderr.Should().Contain("Error from server (Forbidden): vigil: blocked by AI session analyzer: Namespace deletion: Deletes a namespace and every resource in it.");
        _cluster.Requests.Should().NotContain(r => r.StartsWith("DELETE", StringComparison.Ordinal));
        var session = await gateway.RecordedSessionAsync(_connection);
        session["ai_analysis"]!["risk_level"]!.GetValue<string>().Should().Be("high");
        session.Events("blocked").Single()["text"]!.GetValue<string>().Should().StartWith("DELETE /api/v1/namespaces/prod");
    }

    /// <summary>A connection of its own to the cluster (its own session: exec tests do not share one with the others), and its --server.</summary>
    private async Task<(string Connection, string Server)> ExecConnectionAsync()
    {
        var connection = await _cluster.RegisterAsync(gateway);
        await gateway.CreateRuleAsync(connection);
        return (connection, $"{_front.Url}/proxy/{connection}");
    }

    /// <summary>The newest session's terminal cast once <paramref name="done"/> holds for it (the gateway completes it as the stream ends).</summary>
    private async Task<(string SessionId, string Cast)> CastAsync(string connection, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var session = await gateway.RecordedSessionAsync(connection);
            var id = session["id"]!.GetValue<string>();
            var response = await gateway.Http.GetAsync($"/api/sessions/{id}/terminal");
            var cast = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : "";
            if (done(cast) || DateTime.UtcNow > deadline)
            {
                response.Content.Headers.ContentType?.MediaType.Should().Be("application/x-asciicast");
                return (id, cast);
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The data of the cast's events of <paramref name="kind"/> ("o", "i", "r"), concatenated.</summary>
    private static string Events(string cast, string kind) => string.Concat(cast.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
        .Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsArray()).Where(e => e[1]!.GetValue<string>() == kind).Select(e => e[2]!.GetValue<string>()));

    [Fact]
    public Task Kubectl_exec_runs_through_the_gateway_and_its_output_is_recorded_as_a_terminal() => ExecLsAsync(spdy: false);

    [Fact]
    public Task Kubectl_exec_over_spdy_runs_through_the_gateway_and_its_output_is_recorded_as_a_terminal() => ExecLsAsync(spdy: true);

    /// <summary><c>kubectl exec web-1 -- ls</c>, over WebSocket or over SPDY.</summary>
    private async Task ExecLsAsync(bool spdy)
    {
        var (connection, server) = await ExecConnectionAsync();

        var result = await KubectlAsync(Environment(spdy), "--server", server, "exec", "web-1", "--", "ls");

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Be(FakeKubernetesExec.Listing);
        // kubectl upgrades a GET to a WebSocket and a POST to SPDY; the API server authorizes them as verbs get and create.
        var method = spdy ? "POST" : "GET";
        _cluster.Requests.Should().Contain(r => r.StartsWith($"{method} /api/v1/namespaces/default/pods/web-1/exec?command=ls", StringComparison.Ordinal));
        _cluster.ExecTransports.Should().Equal(spdy ? "SPDY/3.1" : "websocket");
        var (_, cast) = await CastAsync(connection, c => Events(c, "o").Contains("usr", StringComparison.Ordinal));
        Events(cast, "o").Should().Be(FakeKubernetesExec.Listing);
        var header = System.Text.Json.Nodes.JsonNode.Parse(cast.Split('\n')[0])!;
        header["version"]!.GetValue<int>().Should().Be(2);
        header["command"]!.GetValue<string>().Should().Be("ls");
        (await gateway.RecordedSessionAsync(connection))["has_terminal"]!.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public async Task Kubectl_exec_of_a_destructive_command_is_refused_before_the_stream_opens()
    {
        var (connection, server) = await ExecConnectionAsync();

        var result = await KubectlAsync("--server", server, "exec", "web-1", "--", "sh", "-c", "rm -rf /var/lib/postgresql");

        result.ExitCode.Should().NotBe(0);
        result.Stderr.Should().Contain("vigil: blocked by AI session analyzer");
        _cluster.Requests.Should().NotContain(r => r.Contains("/exec", StringComparison.Ordinal));
        var session = await gateway.RecordedSessionAsync(connection);
        session.Events("blocked").Select(e => e["text"]!.GetValue<string>()).Should().Contain("sh -c 'rm -rf /var/lib/postgresql'");
        session["ai_analysis"]!["risk_level"]!.GetValue<string>().Should().Be("high");
    }

    [Fact]
    public Task Kubectl_exec_it_on_a_terminal_records_keystrokes_output_and_resizes() => ExecInteractiveAsync(spdy: false);

    [Fact]
    public Task Kubectl_exec_it_over_spdy_records_keystrokes_output_and_resizes() => ExecInteractiveAsync(spdy: true);

    /// <summary><c>kubectl exec -it web-1 -- sh</c> on a pty of 100x30: a line typed with a Backspace, then <c>exit</c>.</summary>
    private async Task ExecInteractiveAsync(bool spdy)
    {
        var (connection, server) = await ExecConnectionAsync();
        var start = new System.Diagnostics.ProcessStartInfo("script")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // A pty of 100x30 for kubectl: stty on the pty script allocates, then kubectl in raw mode on it (-e: kubectl's exit code).
        start.ArgumentList.Add("-qefc");
        start.ArgumentList.Add($"stty cols 100 rows 30; exec kubectl --cache-dir {_home}/cache --server {server} exec -it web-1 -- sh");
        start.ArgumentList.Add("/dev/null");
        foreach (var (key, value) in Environment(spdy))
        {
            start.Environment[key] = value;
        }
        using var kubectl = System.Diagnostics.Process.Start(start)!;
        var screen = new System.Text.StringBuilder();
        var reading = Task.Run(async () =>
        {
            var buffer = new char[1024];
            int read;
            while ((read = await kubectl.StandardOutput.ReadAsync(buffer)) > 0)
            {
                lock (screen)
                {
                    screen.Append(buffer, 0, read);
                }
            }
        });
        async Task WaitForAsync(string text)
        {
            for (var i = 0; i < 300; i++)
            {
                lock (screen)
                {
                    if (screen.ToString().Contains(text, StringComparison.Ordinal))
                    {
                        return;
                    }
                }
                await Task.Delay(50);
            }
            lock (screen)
            {
                throw new TimeoutException($"kubectl never showed '{text}': {screen}");
            }
        }

        await WaitForAsync("$ ");
        await kubectl.StandardInput.WriteAsync("echo hix\x7f\r");
        await kubectl.StandardInput.FlushAsync();
        await WaitForAsync("you ran: echo hi");
        await kubectl.StandardInput.WriteAsync("exit\r");
        await kubectl.StandardInput.FlushAsync();
        (await Task.WhenAny(kubectl.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(30)))).Should().NotBeNull();
        kubectl.HasExited.Should().BeTrue();
        await reading;
        lock (screen)
        {
            kubectl.ExitCode.Should().Be(0, screen.ToString());
        }
        _cluster.ExecTransports.Should().Equal(spdy ? "SPDY/3.1" : "websocket");

        var (_, cast) = await CastAsync(connection, c => Events(c, "i").Contains("exit\r", StringComparison.Ordinal) && Events(c, "o").Contains("exit", StringComparison.Ordinal));
        Events(cast, "i").Should().Be("echo hix\x7f\rexit\r");
        Events(cast, "o").Should().Be("$ echo hix\b \b\r\nyou ran: echo hi\r\n$ exit\r\nexit\r\n");
        Events(cast, "r").Should().StartWith("100x30");
        _cluster.Resizes.Select(r => r.TrimEnd('\n')).Should().Contain("{\"Width\":100,\"Height\":30}");
    }

    [Fact]
    public async Task Kubectl_get_watch_delivers_each_event_as_it_happens()
    {
        // kubectl writes the events to stdout; sh sends them to stderr, which Processes reads as it comes.
        using var watch = Processes.Start("sh", ["-c", "exec kubectl \"$@\" 1>&2", "sh", "--cache-dir", Path.Combine(_home, "cache"), "get", "pods", "-w", "-o", "name"], Environment());

        await watch.WaitForStderrAsync("pod/web-2", TimeSpan.FromSeconds(30));
        watch.Stderr.Should().NotContain("pod/web-3", "the second event has not happened yet");
        _cluster.SendNextWatchEvent();
        await watch.WaitForStderrAsync("pod/web-3", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Kubectl_logs_follow_delivers_each_line_as_it_is_written()
    {
        using var logs = Processes.Start("sh", ["-c", "exec kubectl \"$@\" 1>&2", "sh", "--cache-dir", Path.Combine(_home, "cache"), "logs", "-f", "web-1"], Environment());

        await logs.WaitForStderrAsync("started web-1", TimeSpan.FromSeconds(30));
        logs.Stderr.Should().NotContain("ready web-1", "the second line has not been written yet");
        _cluster.SendNextLogLine();
        await logs.WaitForStderrAsync("ready web-1", TimeSpan.FromSeconds(30));
        _cluster.Requests.Should().Contain("GET /api/v1/namespaces/default/pods/web-1/log?container=app&follow=true");
    }

    [Fact]
    public async Task Kubectl_scale_to_zero_waits_for_a_review_and_runs_once_when_approved()
    {
        var guarded = await _cluster.RegisterAsync(gateway);
        var rule = await gateway.Http.PostAsJsonAsync("/api/ai/session-analyzer/rules", new
        {
            name = Identities.Unique("rule"), connection_names = new[] { guarded },
            risk_evaluation = new { low_risk_action = "allow", medium_risk_action = "allow", high_risk_action = "require_approval" },
        });
        rule.EnsureSuccessStatusCode();
        // A member asks; the admin reviews (nobody approves their own request).
        var member = await gateway.CreateMemberAsync(guarded);
        Task<Processes.Result> ScaleAsync() => KubectlAsync("--server", $"{_front.Url}/proxy/{guarded}", "--token", member.Token, "scale", "rc", "web", "--replicas=0");
        const string Scale = "PATCH /api/v1/namespaces/default/replicationcontrollers/web/scale";

        var held = await ScaleAsync();

        held.ExitCode.Should().NotBe(0);
        held.Stderr.Should().Contain("Error from server (Forbidden): vigil: approval required by AI session analyzer: Scale to zero");
        _cluster.Requests.Should().NotContain(r => r.StartsWith(Scale, StringComparison.Ordinal));
        var reviewId = System.Text.RegularExpressions.Regex.Match(held.Stderr, "review ([0-9a-f-]{36})").Groups[1].Value;
        (await gateway.Http.PostAsJsonAsync($"/api/reviews/{reviewId}/approve", new { })).EnsureSuccessStatusCode();

        var approved = await ScaleAsync();
        var again = await ScaleAsync();

        approved.ExitCode.Should().Be(0, approved.Stderr);
        approved.Stdout.Should().Contain("replicationcontroller/web scaled");
        again.Stderr.Should().Contain("approval required", "an approval lets the request through once");
        _cluster.Requests.Count(r => r.StartsWith(Scale, StringComparison.Ordinal)).Should().Be(1);
        var session = await gateway.RecordedSessionAsync(guarded);
        session.Events("statement").Select(e => e["text"]!.GetValue<string>()).Should().Contain(t => t.StartsWith(Scale, StringComparison.Ordinal) && t.Contains("\"replicas\":0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_caller_without_a_valid_token_gets_kubectls_unauthorized_error()
    {
        var result = await KubectlAsync("--token", "vgl_not_a_token", "get", "pods");

        result.ExitCode.Should().NotBe(0);
        result.Stderr.Should().Contain("error: You must be logged in to the server");
        _cluster.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Kubectl_get_secret_shows_its_keys_with_the_values_redacted_in_the_output_and_the_recording()
    {
        // Reading secrets is high risk: this connection has no rule, so the read is allowed and only redaction stands.
        var open = await _cluster.RegisterAsync(gateway);
        const string RealValue = "aHVudGVyMi1kYi1wYXNzd29yZA=="; // base64 of the fake cluster's password

        var result = await KubectlAsync("--server", $"{_front.Url}/proxy/{open}", "get", "secret", "db", "-o", "yaml");

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Contain("password: dmlnaWw6cmVkYWN0ZWQ=").And.NotContain(RealValue);
        var session = await gateway.RecordedSessionAsync(open);
        session.ToJsonString().Should().NotContain(RealValue).And.Contain("dmlnaWw6cmVkYWN0ZWQ=");
    }

    [Fact]
    public async Task A_reveal_rule_shows_kubectl_the_secret_on_its_connection_only_the_recording_keeps_it_redacted_and_deleting_the_rule_redacts_again()
    {
        var guarded = await _cluster.RegisterAsync(gateway);
        var elsewhere = await _cluster.RegisterAsync(gateway);
        // The value without its base64 padding (a JSON encoder may escape '='), and what it decodes to.
        const string RealValue = "aHVudGVyMi1kYi1wYXNzd29yZA", Plain = "hunter2-db-password", Redacted = "dmlnaWw6cmVkYWN0ZWQ=";
        async Task<string> RevealAsync(string connection)
        {
            var name = Identities.Unique("reveal");
            var created = await gateway.Http.PostAsJsonAsync("/api/datamasking-rules", new { name, connection_names = new[] { connection }, kubernetes_secrets = "reveal" });
            created.StatusCode.Should().Be(System.Net.HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            return name;
        }
        Task<Processes.Result> GetSecretAsync(string connection) => KubectlAsync("--server", $"{_front.Url}/proxy/{connection}", "get", "secret", "db", "-o", "yaml");
        await RevealAsync(elsewhere);

        var notHere = await GetSecretAsync(guarded);
        var there = await GetSecretAsync(elsewhere);
        var rule = await RevealAsync(guarded);
        var revealed = await GetSecretAsync(guarded);
        var session = await gateway.RecordedSessionAsync(guarded);
        var id = session["id"]!.GetValue<string>();
        var raw = await gateway.Http.GetStringAsync($"/api/sessions/{id}");
        var csv = await gateway.Http.GetStringAsync($"/api/sessions/{id}/export?format=csv");
        var terminal = await gateway.Http.GetAsync($"/api/sessions/{id}/terminal");
        (await gateway.Http.DeleteAsync($"/api/datamasking-rules/{rule}")).EnsureSuccessStatusCode();
        var again = await GetSecretAsync(guarded);

        notHere.ExitCode.Should().Be(0, notHere.Stderr);
        notHere.Stdout.Should().Contain("password: " + Redacted, "the rule on another connection reveals nothing here").And.NotContain(RealValue);
        there.Stdout.Should().Contain("password: " + RealValue);
        revealed.ExitCode.Should().Be(0, revealed.Stderr);
        revealed.Stdout.Should().Contain("password: " + RealValue + "==");
        raw.Should().NotContain(RealValue).And.NotContain(Plain).And.Contain(Redacted);
        csv.Should().NotContain(RealValue).And.NotContain(Plain);
        terminal.IsSuccessStatusCode.Should().BeFalse("a get records no terminal");
        var statements = session.Events("statement").Where(e => e["text"]!.GetValue<string>().StartsWith("GET /api/v1/namespaces/default/secrets/db", StringComparison.Ordinal)).ToList();
        statements.Should().NotBeEmpty();
        var notice = statements[^1]["notices"]!.AsArray().Single()!;
        notice["severity"]!.GetValue<string>().Should().Be("NOTICE");
        notice["message"]!.GetValue<string>().Should().Be($"vigil: 1 Kubernetes Secret value was revealed to the client by data masking rule '{rule}'; the recording keeps them redacted");
        statements.SkipLast(1).Should().OnlyContain(e => e["notices"] == null, "the earlier read was redacted, so it revealed nothing");
        again.ExitCode.Should().Be(0, again.Stderr);
        again.Stdout.Should().Contain("password: " + Redacted, "the deleted rule reveals nothing from the next request on").And.NotContain(RealValue);
    }
}
