using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using Vigil.Audit;
using Vigil.Storage;

namespace Vigil.Tests.Audit;

/// <summary>
/// <see cref="AuditRecorder"/> on a small real Kestrel app with routes the gateway does not have (yet): verb routes,
/// multi-segment prefixes, an endpoint that throws, a minimal-API body parameter. Entries are read back from the store.
/// </summary>
public sealed class AuditRecorderTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "vigil-audit-" + Guid.NewGuid().ToString("N")[..8]);
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private AuditLog _log = null!;

    /// <summary>A body bound by minimal-API parameter binding, which consumes the stream before any filter runs.</summary>
    public sealed record Thing(string Name, string ApiKey, string[] Tags);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        builder.Services.AddSingleton(new SqliteStore(Path.Combine(_directory, "vigil.db")));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<AuditLog>();
        _app = builder.Build();
        _app.UseExceptionHandler(error => error.Run(context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        }));
        var api = _app.MapGroup("/api").AddEndpointFilter<AuditRecorder>();
        api.MapPost("/reviews/{id}/approve", (string id) => TypedResults.Ok(new { id, status = "approved" }));
        api.MapPost("/ai/session-analyzer/rules", () => TypedResults.Created("/api/ai/session-analyzer/rules/rule%201", new { name = "rule 1" }));
        api.MapPut("/ai/session-analyzer/rules/{name}", (string name) => TypedResults.Ok(new { name }));
        api.MapPost("/sessions", () => TypedResults.Ok(new { id = "session-7", status = "done" }));
        api.MapPost("/widgets", () => TypedResults.Created((string?)null, new { id = 42, label = "w" }));
        api.MapDelete("/widgets/{id:int}", Results<NoContent, NotFound> (int id) => id == 1 ? TypedResults.NoContent() : TypedResults.NotFound());
        api.MapPost("/boom", IResult () => throw new InvalidOperationException("boom"));
        api.MapPost("/things", (Thing thing) => TypedResults.Ok(thing.Name));
        api.MapGet("/widgets", () => TypedResults.Ok());
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
        _log = _app.Services.GetRequiredService<AuditLog>();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<AuditLogView> LatestAsync()
    {
        var (items, _) = await _log.ListAsync(new AuditQuery(PageSize: 1), CancellationToken.None);
        return items.Single();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Verb_routes_multi_segment_prefixes_exec_and_created_resources()
    {
        (await _http.PostAsync("/api/reviews/r-17/approve", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        var approve = await LatestAsync();
        (approve.Action, approve.ResourceType, approve.Resource, approve.Outcome, approve.StatusCode).Should().Be(("approve", "reviews", "r-17", "success", 200));
        approve.Actor.Should().Be(AuditRecorder.Anonymous);
        approve.ActorId.Should().BeNull();
        approve.Request.Should().BeNull();

        (await _http.PostAsync("/api/ai/session-analyzer/rules", Json("""{"name":"rule 1"}"""))).StatusCode.Should().Be(HttpStatusCode.Created);
        var created = await LatestAsync();
        (created.Action, created.ResourceType, created.Resource, created.StatusCode).Should().Be(("create", "ai/session-analyzer/rules", "rule 1", 201));

        (await _http.PutAsync("/api/ai/session-analyzer/rules/rule%201", Json("{}"))).EnsureSuccessStatusCode();
        var updated = await LatestAsync();
        (updated.Action, updated.ResourceType, updated.Resource).Should().Be(("update", "ai/session-analyzer/rules", "rule 1"));

        (await _http.PostAsync("/api/sessions", Json("""{"connection":"pg","script":"select 1"}"""))).EnsureSuccessStatusCode();
        var exec = await LatestAsync();
        (exec.Action, exec.ResourceType, exec.Resource).Should().Be(("exec", "sessions", "session-7"));

        (await _http.PostAsync("/api/widgets", Json("{}"))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await LatestAsync()).Resource.Should().Be("42", "without a Location the created value's id is used");

        (await _http.DeleteAsync("/api/widgets/2")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var missing = await LatestAsync();
        (missing.Action, missing.ResourceType, missing.Resource, missing.Outcome, missing.StatusCode).Should().Be(("delete", "widgets", "2", "failure", 404));

        var before = (await LatestAsync()).Id;
        (await _http.GetAsync("/api/widgets")).EnsureSuccessStatusCode();
        (await LatestAsync()).Id.Should().Be(before, "reads are not audited");
    }

    [Fact]
    public async Task An_endpoint_that_throws_is_recorded_as_a_500_failure()
    {
        var response = await _http.PostAsync("/api/boom", Json("""{"password":"p","keep":1}"""));
        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        var entry = await LatestAsync();
        (entry.Action, entry.ResourceType, entry.Outcome, entry.StatusCode).Should().Be(("create", "boom", "failure", 500));
        entry.Request!.Value.GetRawText().Should().Be("""{"password":"[REDACTED]","keep":1}""");
    }

    [Fact]
    public async Task A_body_bound_before_the_filter_is_recorded_from_the_bound_value()
    {
        var response = await _http.PostAsJsonAsync("/api/things", new { name = "t1", api_key = "k-Secret-1", tags = new[] { "a" } }, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var entry = await LatestAsync();
        entry.Request!.Value.GetRawText().Should().Be("""{"name":"t1","api_key":"[REDACTED]","tags":["a"]}""");

        // A required body that binds to nothing is a 400 before the endpoint runs; the recorder still sees it.
        (await _http.PostAsync("/api/things", Json("null"))).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var bad = await LatestAsync();
        (bad.Id, bad.Outcome, bad.StatusCode, bad.Request).Should().Be((entry.Id + 1, "failure", 400, (JsonElement?)null));
    }

    [Fact]
    public async Task Filters_reach_the_store_and_export_streams_past_one_batch()
    {
        for (var i = 0; i < 1_100; i++)
        {
            await _log.AppendAsync(new AuditEntry(
                DateTimeOffset.UnixEpoch.AddSeconds(i / 3), "u1", "bulk@example.com", i % 2 == 0 ? "create" : "delete", "widgets", $"w{i}",
                AuditLog.Success, 200, null, """{"n":1}"""), CancellationToken.None);
        }
        var all = new List<AuditLogView>();
        await foreach (var row in _log.ExportAsync(new AuditQuery(Actor: "bulk@example.com"), CancellationToken.None))
        {
            all.Add(row);
        }
        all.Should().HaveCount(1_100);
        all.Select(r => r.Id).Should().OnlyHaveUniqueItems().And.BeInDescendingOrder();
        var deletes = await _log.ListAsync(new AuditQuery(Actor: "bulk@example.com", Action: "delete", PageSize: 10, Page: 2), CancellationToken.None);
        deletes.Total.Should().Be(550);
        deletes.Items.Should().HaveCount(10).And.OnlyContain(r => r.Action == "delete");
        var window = await _log.ListAsync(
            new AuditQuery(StartDate: DateTimeOffset.UnixEpoch.AddSeconds(10), EndDate: DateTimeOffset.UnixEpoch.AddSeconds(11)), CancellationToken.None);
        window.Total.Should().Be(6, "three records per second, both ends inclusive");
    }

    [Fact]
    public async Task Append_redacts_whatever_a_caller_passes()
    {
        await _log.AppendAsync(new AuditEntry(
            DateTimeOffset.UtcNow, null, "anonymous", "login", "localauth", "someone@example.com", AuditLog.Failure, 401, "10.0.0.1",
            """{"email":"someone@example.com","password":"hunter2-Secret"}"""), CancellationToken.None);
        (await LatestAsync()).Request!.Value.GetRawText().Should().Be("""{"email":"someone@example.com","password":"[REDACTED]"}""");
        await _log.AppendAsync(new AuditEntry(
            DateTimeOffset.UtcNow, null, "anonymous", "login", "localauth", null, AuditLog.Failure, 401, null, "password=hunter2"), CancellationToken.None);
        (await LatestAsync()).Request!.Value.GetRawText().Should().Be("""{"unparsed":true,"length":16}""");
    }
}
