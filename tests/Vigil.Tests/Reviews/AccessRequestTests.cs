using System.Net;
using Npgsql;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Reviews;

/// <summary>
/// Just-in-time access: a connection that requires it refuses native clients until an access request is approved,
/// admits them for the approved duration, and closes their sessions when it ends.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class AccessRequestTests(GatewayFixture gateway)
{
    private static Task<ReviewScenario> JitScenarioAsync(GatewayFixture gateway) =>
        ReviewScenario.CreateAsync(gateway, new { require_jit_for_connect = true, max_access_duration = "1h" });

    private async Task<NpgsqlConnection> OpenAsync(ReviewScenario s, Identities.Created who)
    {
        var connection = new NpgsqlConnection(gateway.ProxyConnectionStringFor(s.Connection, who.Token));
        await connection.OpenAsync();
        return connection;
    }

    [Fact]
    public async Task Native_clients_need_approved_access_which_ends_on_time()
    {
        var s = await JitScenarioAsync(gateway);
        var refused = (await FluentActions.Awaiting(() => OpenAsync(s, s.Requester)).Should().ThrowAsync<PostgresException>()).Which;
        refused.SqlState.Should().Be("42501");
        refused.MessageText.Should().Contain($"connection \"{s.Connection}\" requires just-in-time access").And.Contain("POST /api/access-requests");

        var (created, request) = await s.SendAsync(s.Requester, HttpMethod.Post, "/api/access-requests", new { connection = s.Connection, duration = "4s", reason = "incident 4711" });
        created.Should().Be(HttpStatusCode.Created, request.ToJsonString());
        request["type"]!.GetValue<string>().Should().Be("jit");
        request["status"]!.GetValue<string>().Should().Be("pending");
        request["access_duration"]!.GetValue<string>().Should().Be("4s");
        request["reason"]!.GetValue<string>().Should().Be("incident 4711");
        var reviewId = request["id"]!.GetValue<string>();
        await FluentActions.Awaiting(() => OpenAsync(s, s.Requester)).Should().ThrowAsync<PostgresException>("a pending request grants nothing");

        (await s.DecideAsync(s.Requester, reviewId, approve: true)).Status.Should().Be(HttpStatusCode.Forbidden);
        var (approvedStatus, approved) = await s.DecideAsync(s.Reviewer, reviewId, approve: true);
        approvedStatus.Should().Be(HttpStatusCode.OK);
        approved["status"]!.GetValue<string>().Should().Be("approved");
        DateTimeOffset.Parse(approved["access_expires_at"]!.GetValue<string>()).Should().BeCloseTo(DateTimeOffset.UtcNow.AddSeconds(4), TimeSpan.FromSeconds(2));

        await using var client = await OpenAsync(s, s.Requester);
        (await new NpgsqlCommand("SELECT 1", client).ExecuteScalarAsync()).Should().Be(1);
        await FluentActions.Awaiting(() => OpenAsync(s, s.Outsider)).Should().ThrowAsync<PostgresException>("the access is the requester's alone");

        await Task.Delay(TimeSpan.FromSeconds(5));
        var ended = await FluentActions.Awaiting(() => new NpgsqlCommand("SELECT 1", client).ExecuteScalarAsync()).Should().ThrowAsync<Exception>();
        var session = await gateway.LatestSessionAsync(s.Connection);
        session.Reason.Should().Contain("the just-in-time access expired");
        await FluentActions.Awaiting(() => OpenAsync(s, s.Requester)).Should().ThrowAsync<PostgresException>();
    }

    [Fact]
    public async Task Turning_the_requirement_on_closes_sessions_opened_without_access()
    {
        var s = await ReviewScenario.CreateAsync(gateway);
        await using var client = await OpenAsync(s, s.Requester);
        (await new NpgsqlCommand("SELECT 1", client).ExecuteScalarAsync()).Should().Be(1);

        await ReviewScenario.PatchConnectionAsync(gateway, s.Connection, new { require_jit_for_connect = true });

        var ended = (await FluentActions.Awaiting(() => new NpgsqlCommand("SELECT 1", client).ExecuteScalarAsync()).Should().ThrowAsync<PostgresException>()).Which;
        ended.SqlState.Should().Be("57P01");
        ended.MessageText.Should().Contain($"connection '{s.Connection}' now requires just-in-time access");
    }

    [Fact]
    public async Task Exec_is_not_gated_by_just_in_time_access()
    {
        var s = await JitScenarioAsync(gateway);
        var (status, body) = await s.ExecAsync(s.Requester, "SELECT 1");
        status.Should().Be(HttpStatusCode.OK);
        body["status"]!.GetValue<string>().Should().Be("done");
    }

    [Theory]
    [InlineData("{\"duration\":\"1h\",\"reason\":\"x\"}", 400, "missing field 'connection'")]
    [InlineData("{\"connection\":\"CONN\",\"duration\":\"1h\"}", 400, "missing field 'reason'")]
    [InlineData("{\"connection\":\"CONN\",\"duration\":\"later\",\"reason\":\"x\"}", 400, "field 'duration' must be a duration")]
    [InlineData("{\"connection\":\"CONN\",\"duration\":\"2h\",\"reason\":\"x\"}", 400, "field 'duration': at most 1h (the connection's max_access_duration)")]
    [InlineData("{\"connection\":\"no-such-connection\",\"duration\":\"1h\",\"reason\":\"x\"}", 404, "connection 'no-such-connection' not found")]
    [InlineData("{\"connection\":", 400, "invalid JSON")]
    public async Task Bad_access_requests_are_refused_clearly(string body, int status, string detail)
    {
        var s = await JitScenarioAsync(gateway);
        using var client = gateway.ClientFor(s.Requester.Token);
        var response = await client.PostAsync("/api/access-requests", new StringContent(body.Replace("CONN", s.Connection), System.Text.Encoding.UTF8, "application/json"));
        ((int)response.StatusCode).Should().Be(status);
        (await response.Content.ReadAsStringAsync()).Should().Contain(detail);
    }

    [Fact]
    public async Task Someone_without_access_to_the_connection_cannot_ask_for_it()
    {
        var s = await JitScenarioAsync(gateway);
        var (status, _) = await s.SendAsync(s.Reviewer, HttpMethod.Post, "/api/access-requests", new { connection = s.Connection, duration = "1h", reason = "curious" });
        status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_requester_lists_their_access_requests()
    {
        var s = await JitScenarioAsync(gateway);
        var (_, request) = await s.SendAsync(s.Requester, HttpMethod.Post, "/api/access-requests", new { connection = s.Connection, duration = "30m", reason = "deploy" });
        var (_, mine) = await s.SendAsync(s.Requester, HttpMethod.Get, "/api/access-requests");
        mine["data"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).Should().Contain(request["id"]!.GetValue<string>());
        var (_, theirs) = await s.SendAsync(s.Outsider, HttpMethod.Get, "/api/access-requests");
        theirs["data"]!.AsArray().Should().BeEmpty();
    }
}
