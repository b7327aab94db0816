using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Connections;
using Vigil.Hosting;
using Vigil.Identity.Authentication;
using Vigil.Pipeline;

namespace Vigil.Identity.Groups;

/// <summary>
/// <c>/api/groups</c> (admin only): <c>POST {name, description?}</c>, list, show with members,
/// <c>PUT {description}</c>, delete. The built-in <c>admin</c> and <c>auditor</c> groups cannot be deleted.
/// Membership is set on the user or service account (<c>groups</c>).
/// </summary>
public static class GroupEndpoints
{
    /// <summary>Body of <c>POST</c> and <c>PUT</c>.</summary>
    public sealed record GroupRequest(string? Name, string? Description);

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapGroupEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/groups");
        group.MapPost("/", async Task<Results<Created<GroupView>, ProblemHttpResult>> (HttpContext http, GroupRepository groups, CancellationToken ct) =>
        {
            if (Forbidden(http, "create groups") is { } forbidden)
            {
                return forbidden;
            }
            var (request, error) = await Api.ReadBodyAsync<GroupRequest>(http.Request, ct);
            if (error is not null)
            {
                return error;
            }
            var (created, problem) = await CreateGroupAsync(ApiAuthentication.Caller(http), request!, groups, ct);
            return problem ?? (Results<Created<GroupView>, ProblemHttpResult>)TypedResults.Created($"/api/groups/{created!.Name}", created);
        });
        group.MapGet("/", async Task<Results<Ok<Paged<GroupView>>, ProblemHttpResult>> (HttpContext http, GroupRepository groups, CancellationToken ct) =>
        {
            if (Forbidden(http, "list groups") is { } forbidden)
            {
                return forbidden;
            }
            var (page, size) = Api.Paging(http.Request);
            var all = await groups.ListAsync(ct);
            return TypedResults.Ok(new Paged<GroupView>(all.Skip((page - 1) * size).Take(size).ToList(), new PageInfo(all.Count, page, size)));
        });
        group.MapGet("/{name}", async Task<Results<Ok<GroupView>, ProblemHttpResult>> (string name, HttpContext http, GroupRepository groups, CancellationToken ct) =>
        {
            if (Forbidden(http, "read groups") is { } forbidden)
            {
                return forbidden;
            }
            return await groups.FindAsync(name, ct) is { } found ? TypedResults.Ok(found) : Api.Problem(404, $"group '{name}' not found");
        });
        group.MapPut("/{name}", async Task<Results<Ok<GroupView>, ProblemHttpResult>> (string name, HttpContext http, GroupRepository groups, CancellationToken ct) =>
        {
            if (Forbidden(http, "change groups") is { } forbidden)
            {
                return forbidden;
            }
            var (request, error) = await Api.ReadBodyAsync<GroupRequest>(http.Request, ct);
            if (error is not null)
            {
                return error;
            }
            if (request!.Name is not null && request.Name != name)
            {
                return Api.Problem(400, "field 'name' cannot change; create a new group instead");
            }
            if (!await groups.UpdateAsync(name, request.Description ?? "", ct))
            {
                return Api.Problem(404, $"group '{name}' not found");
            }
            return TypedResults.Ok((await groups.FindAsync(name, ct))!);
        });
        group.MapDelete("/{name}", async Task<Results<NoContent, ProblemHttpResult>> (string name, HttpContext http, GroupRepository groups, CommandPipeline pipeline, CancellationToken ct) =>
        {
            if (Forbidden(http, "delete groups") is { } forbidden)
            {
                return forbidden;
            }
            if (name is BuiltInGroups.Admin or BuiltInGroups.Auditor)
            {
                return Api.Problem(409, $"group '{name}' is built in and cannot be deleted");
            }
            if (!await groups.DeleteAsync(name, ct))
            {
                return Api.Problem(404, $"group '{name}' not found");
            }
            pipeline.TerminateSessions(
                s => s.Identity.Groups.Contains(name) && !ConnectionAccess.CanSee(s.Identity with { Groups = [.. s.Identity.Groups.Where(g => g != name)] }, s.Connection),
                $"group '{name}' was deleted");
            return TypedResults.NoContent();
        });
    }

    /// <summary>Creates a group (<c>POST</c> and the console): 403 for a non-admin, 400 naming a bad field, 409 when it exists.</summary>
    public static async Task<(GroupView? Group, ProblemHttpResult? Problem)> CreateGroupAsync(
        CallerIdentity caller, GroupRequest request, GroupRepository groups, CancellationToken ct)
    {
        if (!caller.IsAdmin)
        {
            return (null, Api.Problem(403, "only admins may create groups"));
        }
        if (!GroupNames.IsValid(request.Name))
        {
            return (null, Api.Problem(400, request.Name is null ? "missing field 'name'" : "field 'name' must be 1-63 lower-case letters, digits, '_', '-' or '.', starting with a letter or digit"));
        }
        if ((request.Description?.Length ?? 0) > 1000)
        {
            return (null, Api.Problem(400, "field 'description' must be at most 1000 characters"));
        }
        if (!await groups.CreateAsync(request.Name!, request.Description ?? "", ct))
        {
            return (null, Api.Problem(409, $"group '{request.Name}' already exists"));
        }
        return (await groups.FindAsync(request.Name!, ct), null);
    }

    private static ProblemHttpResult? Forbidden(HttpContext http, string what) =>
        ApiAuthentication.Caller(http).IsAdmin ? null : Api.Problem(403, $"only admins may {what}");
}
