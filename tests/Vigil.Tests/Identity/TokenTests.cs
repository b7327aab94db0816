using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Identity;

/// <summary>API tokens: format, shown once, expiry, revocation, narrowing, owners that are deactivated — over HTTP and the proxy.</summary>
[Collection(GatewayCollection.Name)]
public sealed class TokenTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Token_is_prefixed_shown_once_listed_without_secret_and_tracks_last_use()
    {
        var user = await gateway.CreateUserAsync([]);
        user.Token.Should().MatchRegex("^vgl_[A-Za-z0-9_-]{43}$");
        using var client = gateway.ClientFor(user.Token);
        (await client.GetAsync("/api/userinfo")).StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await client.GetStringAsync("/api/tokens");
        body.Should().NotContain(user.Token);
        var listed = JsonNode.Parse(body)!["data"]!.AsArray().Single()!;
        listed["id"]!.GetValue<string>().Should().Be(user.TokenId);
        listed["owner"]!.GetValue<string>().Should().Be(user.Name);
        listed["owner_type"]!.GetValue<string>().Should().Be("user");
        listed["expires_at"].Should().BeNull();
        listed["last_used_at"]!.GetValue<string>().Should().NotBeNullOrEmpty();
        listed.AsObject().ContainsKey("token").Should().BeFalse();
    }

    [Fact]
    public async Task Expired_token_is_401_on_the_api_and_28P01_on_the_proxy()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var user = await gateway.CreateUserAsync([group]);
        var (token, _) = await gateway.CreateTokenAsync(new { user = user.Name, expires_in = "1s" });
        await Task.Delay(1500);
        using var client = gateway.ClientFor(token);
        var response = await client.GetAsync("/api/userinfo");
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>().Should().Be("invalid, expired or revoked credentials");
        var act = async () => { await using var c = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, token)); await c.OpenAsync(); };
        (await act.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("28P01");
    }

    [Theory]
    [InlineData("expires_in", "tomorrow")]
    [InlineData("expires_in", "0s")]
    [InlineData("expires_in", "-1h")]
    [InlineData("connections", "no-such-connection")]
    public async Task Bad_token_requests_are_400(string field, string value)
    {
        var body = new JsonObject { [field] = field == "connections" ? new JsonArray(value) : value };
        var response = await gateway.Http.PostAsJsonAsync("/api/tokens", body);
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>().Should().Contain(field);
    }

    [Theory]
    [InlineData("")]
    [InlineData("vgl_")]
    [InlineData("vgl_tooshort")]
    [InlineData("Bearer")]
    [InlineData("vgl_test_admin_token_0123456789abcdefghijklmno")] // the admin token with its last character cut
    [InlineData("vgl_test_admin_token_0123456789abcdefghijklmnopX")]
    [InlineData("VGL_TEST_ADMIN_TOKEN_0123456789ABCDEFGHIJKLMNOP")]
    public async Task Malformed_and_truncated_tokens_are_401_with_one_message(string token)
    {
        using var client = new HttpClient { BaseAddress = new Uri(gateway.HttpAddress) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/userinfo");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        var response = await client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var detail = (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>();
        detail.Should().BeOneOf("invalid, expired or revoked credentials", "missing credentials: send Authorization: Bearer TOKEN");
    }

    [Fact]
    public async Task Oversized_token_is_refused_without_a_lookup()
    {
        using var client = gateway.ClientFor("vgl_" + new string('a', 5000));
        (await client.GetAsync("/api/userinfo")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Revoked_token_is_401_next_time_and_its_open_proxy_session_is_closed()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var user = await gateway.CreateUserAsync([group]);
        await using var open = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, user.Token));
        await open.OpenAsync();
        await using (var ok = new NpgsqlCommand("SELECT 1", open))
        {
            (await ok.ExecuteScalarAsync()).Should().Be(1);
        }

        using var client = gateway.ClientFor(user.Token);
        (await client.DeleteAsync($"/api/tokens/{user.TokenId}")).StatusCode.Should().Be(HttpStatusCode.NoContent, "owners revoke their own tokens");
        (await client.GetAsync("/api/userinfo")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await gateway.Http.DeleteAsync($"/api/tokens/{user.TokenId}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "revoking twice finds nothing");

        var terminated = await ExpectTerminatedAsync(open);
        terminated.SqlState.Should().Be("57P01");
        terminated.MessageText.Should().Contain("the token was revoked");
        var act = async () => { await using var c = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, user.Token)); await c.OpenAsync(); };
        (await act.Should().ThrowAsync<PostgresException>()).Which.SqlState.Should().Be("28P01");

        var session = await gateway.LatestSessionAsync(connection);
        session.Status.Should().Be("failed");
        session.Reason.Should().Contain("the token was revoked");
    }

    [Fact]
    public async Task Deactivating_a_user_invalidates_tokens_and_closes_open_sessions_at_once()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var user = await gateway.CreateUserAsync([group]);
        await using var open = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, user.Token));
        await open.OpenAsync();

        (await gateway.Http.PatchAsJsonAsync($"/api/users/{user.Id}", new { status = "inactive" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ExpectTerminatedAsync(open)).MessageText.Should().Contain("deactivated");
        using var client = gateway.ClientFor(user.Token);
        (await client.GetAsync("/api/userinfo")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await gateway.Http.PostAsJsonAsync("/api/tokens", new { user = user.Name })).StatusCode.Should().Be(HttpStatusCode.Conflict, "no new tokens for an inactive user");

        (await gateway.Http.PatchAsJsonAsync($"/api/users/{user.Id}", new { status = "active" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetAsync("/api/userinfo")).StatusCode.Should().Be(HttpStatusCode.OK, "reactivation restores unrevoked tokens");
    }

    [Fact]
    public async Task Removing_the_users_group_closes_sessions_on_connections_it_no_longer_reaches()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var user = await gateway.CreateUserAsync([group]);
        await using var open = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, user.Token));
        await open.OpenAsync();
        (await gateway.Http.PatchAsJsonAsync($"/api/users/{user.Id}", new { groups = Array.Empty<string>() })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await ExpectTerminatedAsync(open)).MessageText.Should().Contain("lost access");
    }

    [Fact]
    public async Task A_session_ends_when_its_token_expires()
    {
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var user = await gateway.CreateUserAsync([group]);
        var (token, _) = await gateway.CreateTokenAsync(new { user = user.Name, expires_in = "2s" });
        await using var open = new NpgsqlConnection(gateway.ProxyConnectionStringFor(connection, token));
        await open.OpenAsync();
        await Task.Delay(2500);
        (await ExpectTerminatedAsync(open)).MessageText.Should().Contain("expired");
    }

    [Fact]
    public async Task Only_admins_name_other_identities_and_narrowed_tokens_cannot_widen()
    {
        var group = await gateway.CreateGroupAsync();
        var user = await gateway.CreateUserAsync([group]);
        var other = await gateway.CreateUserAsync([]);
        using var client = gateway.ClientFor(user.Token);
        (await client.PostAsJsonAsync("/api/tokens", new { user = other.Name })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await client.PostAsJsonAsync("/api/tokens", new { serviceaccount = "anything" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await client.PostAsJsonAsync("/api/tokens", new { user = user.Name, name = "mine" })).StatusCode.Should().Be(HttpStatusCode.Created);

        var agent = await gateway.CreateServiceAccountAsync([group], ["pg"]);
        using var narrowed = gateway.ClientFor(agent.Token);
        (await narrowed.PostAsJsonAsync("/api/tokens", new { connections = new[] { "pg", "pg-md5" } })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var inherited = await narrowed.PostAsJsonAsync("/api/tokens", new { name = "child" });
        inherited.StatusCode.Should().Be(HttpStatusCode.Created);
        (await inherited.Content.ReadFromJsonAsync<JsonObject>())!["connections"]!.AsArray().Select(c => c!.GetValue<string>())
            .Should().Equal(["pg"], "a child token inherits the narrowing");
    }

    /// <summary>The next query on a session the gateway terminated fails with its FATAL (or the connection is simply gone).</summary>
    private static async Task<PostgresException> ExpectTerminatedAsync(NpgsqlConnection open)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT 1", open);
                await command.ExecuteScalarAsync();
            }
            catch (PostgresException e)
            {
                return e;
            }
            catch (NpgsqlException e) when (e.InnerException is PostgresException inner)
            {
                return inner;
            }
            DateTime.UtcNow.Should().BeBefore(deadline, "the session should have been terminated");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Token_expiring_in_ten_years_opens_a_psql_and_an_exec_session()
    {
        // A session is terminated when its credential expires, by a timer; a due time over 2^32-2 ms (49.7 days) used
        // to throw, after the session had joined the open set: every long-lived token failed and leaked a session.
        var group = await gateway.CreateGroupAsync();
        var connection = await gateway.CreateConnectionAsync([group]);
        var user = await gateway.CreateUserAsync([group]);
        var (token, _) = await gateway.CreateTokenAsync(new { user = user.Name, expires_in = "3650d" });

        var psql = await Processes.RunAsync("psql",
            [$"postgresql://someone:{token}@127.0.0.1:{gateway.PgPort}/{connection}?sslmode=disable", "-X", "-At", "-c", "SELECT 'ten years'"]);
        psql.ExitCode.Should().Be(0, psql.Stderr);
        psql.Stdout.Should().Contain("ten years");

        using var client = gateway.ClientFor(token);
        var exec = await client.PostAsJsonAsync("/api/sessions", new { connection, script = "select 1" });
        exec.StatusCode.Should().Be(HttpStatusCode.OK, await exec.Content.ReadAsStringAsync());
        (await exec.Content.ReadFromJsonAsync<JsonObject>())!["status"]!.GetValue<string>().Should().Be("done");
        (await gateway.LatestSessionAsync(connection)).Status.Should().Be("done");
    }

    [Fact]
    public async Task A_session_of_a_ten_year_token_ends_when_the_token_expires_and_not_before()
    {
        var connection = (await gateway.App.Services.GetRequiredService<Vigil.Connections.ConnectionRepository>().FindAsync("pg", CancellationToken.None))!;
        var clock = new SteppingClock();
        using var session = new Vigil.Pipeline.SessionContext(
            "s", new Vigil.Identity.CallerIdentity("u", "u", Vigil.Identity.IdentityKind.User, []), connection, Vigil.Pipeline.SessionType.Connect, null, null, clock.GetUtcNow());
        var expiry = clock.GetUtcNow().AddDays(3650);

        session.TerminateAt(expiry, "the credential expired", clock);

        var steps = 0;
        while (clock.Fire())
        {
            steps++;
            if (clock.GetUtcNow() < expiry)
            {
                session.TerminationReason.Should().BeNull($"after {clock.GetUtcNow() - expiry} the token is still valid");
            }
        }
        clock.GetUtcNow().Should().Be(expiry);
        session.TerminationReason.Should().Be("the credential expired");
        steps.Should().Be(74, "3650 days in steps of at most 2^32-2 ms, the longest due time a timer takes");
    }

    /// <summary>
    /// A clock whose one timer is fired by the test: <see cref="Fire"/> moves the time to the timer's due time and runs
    /// it. Due times are checked against the limit of System.Threading.Timer, which throws above 2^32-2 ms.
    /// </summary>
    private sealed class SteppingClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private Timer? _timer;

        public override DateTimeOffset GetUtcNow() => _now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            _timer = new Timer(this, callback, state, dueTime);

        /// <summary>Runs the armed timer at its due time; false when none is armed.</summary>
        public bool Fire()
        {
            if (_timer?.Due is not { } due)
            {
                return false;
            }
            _now += due;
            _timer.Due = null;
            _timer.Callback(_timer.State);
            return true;
        }

        private sealed class Timer(SteppingClock clock, TimerCallback callback, object? state, TimeSpan due) : ITimer
        {
            public TimerCallback Callback { get; } = callback;
            public object? State { get; } = state;
            public TimeSpan? Due { get; set; } = Check(due);

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                Due = Check(dueTime);
                return true;
            }

            public void Dispose() => clock._timer = null;

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }

            private static TimeSpan Check(TimeSpan due) =>
                due.TotalMilliseconds is >= 0 and <= uint.MaxValue - 1 ? due : throw new ArgumentOutOfRangeException(nameof(due), due, "a timer's due time must be at most 2^32-2 ms");
        }
    }
}
