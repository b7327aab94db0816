using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;
using Vigil.Identity;

namespace Vigil.Connections;

/// <summary><c>/api/connections</c>: register, list, show, replace and delete targets. Output never carries secrets.</summary>
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
        group.MapDelete("/{name}", DeleteAsync);
    }

    private static async Task<Results<Created<ConnectionView>, ProblemHttpResult>> CreateAsync(
        HttpContext http, ConnectionRepository repository, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!ConnectionAccess.CanManage(BearerAuthentication.Caller(http)))
        {
            return Api.Problem(403, "only admins may register connections");
        }
        var (request, error) = await Api.ReadBodyAsync<ConnectionRequest>(http.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var (connection, invalid) = request!.ToConnection(null, time.GetUtcNow());
        if (connection is null)
        {
            return Api.Problem(400, invalid!);
        }
        if (!await repository.CreateAsync(connection, cancellationToken))
        {
            return Api.Problem(409, $"connection '{connection.Name}' already exists");
        }
        return TypedResults.Created($"/api/connections/{connection.Name}", ConnectionView.From(connection));
    }

    private static async Task<Ok<Paged<ConnectionView>>> ListAsync(HttpContext http, ConnectionRepository repository, CancellationToken cancellationToken)
    {
        var caller = BearerAuthentication.Caller(http);
        var (page, size) = Api.Paging(http.Request);
        var (items, total) = await repository.ListAsync(page, size, cancellationToken);
        var visible = items.Where(c => ConnectionAccess.CanUse(caller, c)).Select(ConnectionView.From).ToList();
        return TypedResults.Ok(new Paged<ConnectionView>(visible, new PageInfo(caller.IsAdmin ? total : visible.Count, page, size)));
    }

    private static async Task<Results<Ok<ConnectionView>, ProblemHttpResult>> ShowAsync(
        string name, HttpContext http, ConnectionRepository repository, CancellationToken cancellationToken)
    {
        var connection = await repository.FindAsync(name, cancellationToken);
        if (connection is null || !ConnectionAccess.CanUse(BearerAuthentication.Caller(http), connection))
        {
            return Api.Problem(404, $"connection '{name}' not found");
        }
        return TypedResults.Ok(ConnectionView.From(connection));
    }

    private static async Task<Results<Ok<ConnectionView>, ProblemHttpResult>> ReplaceAsync(
        string name, HttpContext http, ConnectionRepository repository, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!ConnectionAccess.CanManage(BearerAuthentication.Caller(http)))
        {
            return Api.Problem(403, "only admins may change connections");
        }
        var existing = await repository.FindAsync(name, cancellationToken);
        if (existing is null)
        {
            return Api.Problem(404, $"connection '{name}' not found");
        }
        var (request, error) = await Api.ReadBodyAsync<ConnectionRequest>(http.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        if (request!.Name is not null && request.Name != name)
        {
            return Api.Problem(400, "field 'name' cannot change; create a new connection instead");
        }
        // A PUT without a password keeps the stored one, so clients never need to read a secret back to update.
        var (connection, invalid) = (request with { Password = request.Password ?? existing.Password })
            .ToConnection(name, time.GetUtcNow(), existing.CreatedAt);
        if (connection is null)
        {
            return Api.Problem(400, invalid!);
        }
        await repository.UpdateAsync(connection, cancellationToken);
        return TypedResults.Ok(ConnectionView.From(connection));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name, HttpContext http, ConnectionRepository repository, CancellationToken cancellationToken)
    {
        if (!ConnectionAccess.CanManage(BearerAuthentication.Caller(http)))
        {
            return Api.Problem(403, "only admins may delete connections");
        }
        return await repository.DeleteAsync(name, cancellationToken)
            ? TypedResults.NoContent()
            : Api.Problem(404, $"connection '{name}' not found");
    }
}
