using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Analysis.Rules;
using Vigil.Guardrails;
using Vigil.Hosting;
using Vigil.Identity;
using Vigil.Identity.Groups;
using Vigil.Pipeline;
using Vigil.Identity.Authentication;

namespace Vigil.Connections;

/// <summary>
/// <c>/api/connections</c>: register, list (only what the caller may use), show, replace (PUT), change (PATCH) and delete
/// targets, and test whether the gateway reaches one (<c>POST /api/connections/{name}/test</c>). Output never carries
/// secrets. Changing or deleting a connection ends open sessions that lose access.
/// </summary>
public static class ConnectionEndpoints
{
    /// <summary>Maps the routes on <paramref name="api"/> (the authenticated <c>/api</c> group).</summary>
    public static void MapConnectionEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/connections");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{name}", ShowAsync);
        group.MapPut("/{name}", ReplaceAsync);
        group.MapPatch("/{name}", PatchAsync);
        group.MapDelete("/{name}", DeleteAsync);
        group.MapPost("/{name}/test", TestAsync);
    }

    private static async Task<Results<Ok<ConnectivityResult>, ProblemHttpResult>> TestAsync(
        string name, HttpContext http, ConnectionRepository repository, ConnectivityTester tester, CancellationToken cancellationToken)
    {
        var (result, problem) = await TestConnectionAsync(http, ApiAuthentication.Caller(http), name, repository, tester, cancellationToken);
        return problem is not null ? problem : TypedResults.Ok(result!);
    }

    /// <summary>
    /// Tests connection <paramref name="name"/> (<c>POST /api/connections/{name}/test</c> and the console's button) with
    /// <see cref="ConnectivityTester"/>: 403 for a non-admin (a management action: it makes the gateway contact the
    /// target with the connection's credentials), 404 for an unknown name; otherwise the result, reachable or not. The
    /// request's audit entry (action <c>test</c>) gets outcome <c>failure</c> when the target was not reached, and the
    /// result (without secrets) as its request.
    /// </summary>
    public static async Task<(ConnectivityResult? Result, ProblemHttpResult? Problem)> TestConnectionAsync(
        HttpContext http, CallerIdentity caller, string name, ConnectionRepository repository, ConnectivityTester tester, CancellationToken cancellationToken)
    {
        if (!ConnectionAccess.CanManage(caller))
        {
            return (null, Api.Problem(403, "only admins may test connections"));
        }
        var connection = await repository.FindAsync(name, cancellationToken);
        if (connection is null)
        {
            return (null, Api.Problem(404, $"connection '{name}' not found"));
        }
        var result = await tester.TestAsync(connection, cancellationToken);
        Audit.AuditRecorder.Annotate(http, result.Ok, result);
        return (result, null);
    }

    private static async Task<Results<Created<ConnectionView>, ProblemHttpResult>> CreateAsync(
        HttpContext http, ConnectionRepository repository, GroupRepository groups, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!ConnectionAccess.CanManage(ApiAuthentication.Caller(http)))
        {
            return Api.Problem(403, "only admins may register connections");
        }
        var (request, error) = await Api.ReadBodyAsync<ConnectionRequest>(http.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var (view, problem) = await CreateConnectionAsync(ApiAuthentication.Caller(http), request!, repository, groups, time, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        return TypedResults.Created($"/api/connections/{view!.Name}", view);
    }

    /// <summary>
    /// Registers the connection <paramref name="request"/> describes (<c>POST /api/connections</c> and the console's
    /// form): 403 for a non-admin, 400 naming a bad field or unknown group, 409 when the name is taken.
    /// </summary>
    public static async Task<(ConnectionView? View, ProblemHttpResult? Problem)> CreateConnectionAsync(
        CallerIdentity caller, ConnectionRequest request, ConnectionRepository repository, GroupRepository groups, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!ConnectionAccess.CanManage(caller))
        {
            return (null, Api.Problem(403, "only admins may register connections"));
        }
        var (connection, invalid) = request.ToConnection(null, time.GetUtcNow());
        if (connection is null)
        {
            return (null, Api.Problem(400, invalid!));
        }
        if (await UnknownGroupsAsync(connection, groups, cancellationToken) is { } unknown)
        {
            return (null, unknown);
        }
        if (!await repository.CreateAsync(connection, cancellationToken))
        {
            return (null, Api.Problem(409, $"connection '{connection.Name}' already exists"));
        }
        return (ConnectionView.From(connection), null);
    }

    private static async Task<Ok<Paged<ConnectionView>>> ListAsync(HttpContext http, ConnectionRepository repository, CancellationToken cancellationToken)
    {
        var caller = ApiAuthentication.Caller(http);
        var (page, size) = Api.Paging(http.Request);
        var visible = (await repository.ListAllAsync(cancellationToken)).Where(c => ConnectionAccess.CanSee(caller, c)).ToList();
        var items = visible.Skip((page - 1) * size).Take(size).Select(ConnectionView.From).ToList();
        return TypedResults.Ok(new Paged<ConnectionView>(items, new PageInfo(visible.Count, page, size)));
    }

    private static async Task<Results<Ok<ConnectionView>, ProblemHttpResult>> ShowAsync(
        string name, HttpContext http, ConnectionRepository repository, CancellationToken cancellationToken)
    {
        var connection = await repository.FindAsync(name, cancellationToken);
        if (connection is null || !ConnectionAccess.CanSee(ApiAuthentication.Caller(http), connection))
        {
            return Api.Problem(404, $"connection '{name}' not found");
        }
        return TypedResults.Ok(ConnectionView.From(connection));
    }

    private static Task<Results<Ok<ConnectionView>, ProblemHttpResult>> ReplaceAsync(
        string name, HttpContext http, ConnectionRepository repository, GroupRepository groups, CommandPipeline pipeline, TimeProvider time,
        CancellationToken cancellationToken) =>
        // A PUT without a secret keeps the stored one, so clients never need to read a secret back to update.
        ChangeAsync(name, http, repository, groups, pipeline, time, (request, existing) => request.KeepingSecretsOf(existing), cancellationToken);

    private static Task<Results<Ok<ConnectionView>, ProblemHttpResult>> PatchAsync(
        string name, HttpContext http, ConnectionRepository repository, GroupRepository groups, CommandPipeline pipeline, TimeProvider time,
        CancellationToken cancellationToken) =>
        ChangeAsync(name, http, repository, groups, pipeline, time, (request, existing) => request.MergeOver(existing), cancellationToken);

    /// <summary>PUT and PATCH: read, merge with <paramref name="merge"/>, validate, store, then end open sessions that lost access.</summary>
    private static async Task<Results<Ok<ConnectionView>, ProblemHttpResult>> ChangeAsync(
        string name, HttpContext http, ConnectionRepository repository, GroupRepository groups, CommandPipeline pipeline, TimeProvider time,
        Func<ConnectionRequest, Connection, ConnectionRequest> merge, CancellationToken cancellationToken)
    {
        if (!ConnectionAccess.CanManage(ApiAuthentication.Caller(http)))
        {
            return Api.Problem(403, "only admins may change connections");
        }
        if (await repository.FindAsync(name, cancellationToken) is null)
        {
            return Api.Problem(404, $"connection '{name}' not found");
        }
        var (request, error) = await Api.ReadBodyAsync<ConnectionRequest>(http.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var (view, problem) = await ChangeConnectionAsync(ApiAuthentication.Caller(http), name, request!, merge, repository, groups, pipeline, time, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        return TypedResults.Ok(view!);
    }

    /// <summary>
    /// Changes connection <paramref name="name"/> (PUT, PATCH and the console's form): <paramref name="merge"/> combines
    /// the request with the stored connection, the result is validated and stored, and open sessions that lost access
    /// end. 403 for a non-admin, 404 for an unknown name, 400 naming a bad field.
    /// </summary>
    public static async Task<(ConnectionView? View, ProblemHttpResult? Problem)> ChangeConnectionAsync(
        CallerIdentity caller, string name, ConnectionRequest request, Func<ConnectionRequest, Connection, ConnectionRequest> merge,
        ConnectionRepository repository, GroupRepository groups, CommandPipeline pipeline, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!ConnectionAccess.CanManage(caller))
        {
            return (null, Api.Problem(403, "only admins may change connections"));
        }
        var existing = await repository.FindAsync(name, cancellationToken);
        if (existing is null)
        {
            return (null, Api.Problem(404, $"connection '{name}' not found"));
        }
        if (request.Name is not null && request.Name != name)
        {
            return (null, Api.Problem(400, "field 'name' cannot change; create a new connection instead"));
        }
        var (connection, invalid) = merge(request, existing).ToConnection(name, time.GetUtcNow(), existing.CreatedAt);
        if (connection is null)
        {
            return (null, Api.Problem(400, invalid!));
        }
        if (await UnknownGroupsAsync(connection, groups, cancellationToken) is { } unknown)
        {
            return (null, unknown);
        }
        await repository.UpdateAsync(connection, cancellationToken);
        pipeline.TerminateSessions(
            s => s.Connection.Name == name && !(ConnectionAccess.CanSee(s.Identity, connection) && ConnectionAccess.AllowsMode(connection, s.Type)),
            $"access to connection '{name}' was withdrawn");
        pipeline.TerminateSessions(
            s => s.Connection.Name == name && s.Type == SessionType.Connect && connection.Reviews.RequireJitForConnect && s.AccessUntil is null,
            $"connection '{name}' now requires just-in-time access");
        return (ConnectionView.From(connection), null);
    }

    private static async Task<ProblemHttpResult?> UnknownGroupsAsync(Connection connection, GroupRepository groups, CancellationToken cancellationToken)
    {
        foreach (var (field, names) in new[] { ("access_groups", connection.AccessGroups), ("review_groups", connection.Reviews.ReviewGroups) })
        {
            if (await groups.MissingAsync(names, cancellationToken) is { Count: > 0 } missing)
            {
                return Api.Problem(400, $"field '{field}': unknown group(s) {string.Join(", ", missing.Select(g => $"'{g}'"))}; create them with POST /api/groups");
            }
        }
        return null;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name, HttpContext http, ConnectionRepository repository, CommandPipeline pipeline, RuleSet rules, GuardrailSet guardrails, Masking.MaskingSet masking, CancellationToken cancellationToken)
    {
        if (!ConnectionAccess.CanManage(ApiAuthentication.Caller(http)))
        {
            return Api.Problem(403, "only admins may delete connections");
        }
        if (!await repository.DeleteAsync(name, cancellationToken))
        {
            return Api.Problem(404, $"connection '{name}' not found");
        }
        // The store dropped the connection from its analyzer rule; a later connection of that name starts without one.
        await rules.ReloadAsync(cancellationToken);
        // Likewise from its guardrails.
        await guardrails.ReloadAsync(cancellationToken);
        // Likewise from its masking rules.
        await masking.ReloadAsync(cancellationToken);
        pipeline.TerminateSessions(s => s.Connection.Name == name, $"connection '{name}' was deleted");
        return TypedResults.NoContent();
    }
}
