using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;
using Vigil.Identity;
using Vigil.Identity.Authentication;

namespace Vigil.Guardrails;

/// <summary>
/// <c>/api/guardrails</c>: create (<c>POST</c>), list (<c>GET</c>, paged, <c>connection</c> filter), show, replace
/// (<c>PUT</c>, may rename) and delete by name or id. Admins write; admins and auditors read; others get 403. Bad
/// input is a 400 naming the field (an unknown connection too), a taken name a 409. Every write is in the audit log
/// (resource type <c>guardrails</c>, by the <c>/api</c> group's filter). Changes apply to the next command and result
/// of every open session.
/// </summary>
public static class GuardrailEndpoints
{
    private const string ReadDenied = "only admins and auditors may read guardrails";
    private const string WriteDenied = "only admins may change guardrails";

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapGuardrailEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/guardrails");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", List);
        group.MapGet("/{key}", Show);
        group.MapPut("/{key}", ReplaceAsync);
        group.MapDelete("/{key}", DeleteAsync);
    }

    private static Task<Results<Created<GuardrailView>, Ok<GuardrailView>, ProblemHttpResult>> CreateAsync(
        HttpContext http, GuardrailRepository repository, GuardrailSet guardrails, TimeProvider time, CancellationToken cancellationToken) =>
        SaveAsync(null, http, repository, guardrails, time, cancellationToken);

    private static Task<Results<Created<GuardrailView>, Ok<GuardrailView>, ProblemHttpResult>> ReplaceAsync(
        string key, HttpContext http, GuardrailRepository repository, GuardrailSet guardrails, TimeProvider time, CancellationToken cancellationToken) =>
        SaveAsync(key, http, repository, guardrails, time, cancellationToken);

    /// <summary>POST (<paramref name="key"/> null) and PUT: read the body, then <see cref="SaveGuardrailAsync"/>.</summary>
    private static async Task<Results<Created<GuardrailView>, Ok<GuardrailView>, ProblemHttpResult>> SaveAsync(
        string? key, HttpContext http, GuardrailRepository repository, GuardrailSet guardrails, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = ApiAuthentication.Caller(http);
        if (!caller.IsAdmin)
        {
            return Api.Problem(403, WriteDenied);
        }
        var (request, error) = await Api.ReadBodyAsync<GuardrailRequest>(http.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var (view, problem) = await SaveGuardrailAsync(caller, key, request!, repository, guardrails, time, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        return key is null ? TypedResults.Created($"/api/guardrails/{Uri.EscapeDataString(view!.Name)}", view) : TypedResults.Ok(view!);
    }

    /// <summary>
    /// Creates (<paramref name="key"/> null) or replaces guardrail <paramref name="key"/> (name or id), for the API and
    /// the console: validate, store, reload the compiled set. 403 for a non-admin, 404 for an unknown guardrail, 400
    /// naming a bad field or an unknown connection, 409 when the name is taken.
    /// </summary>
    public static async Task<(GuardrailView? View, ProblemHttpResult? Problem)> SaveGuardrailAsync(
        CallerIdentity caller, string? key, GuardrailRequest request, GuardrailRepository repository, GuardrailSet guardrails, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!caller.IsAdmin)
        {
            return (null, Api.Problem(403, WriteDenied));
        }
        Guardrail? existing = null;
        if (key is not null && (existing = guardrails.Find(key)) is null)
        {
            return (null, Api.Problem(404, $"guardrail '{key}' not found"));
        }
        // A PUT without a name keeps the stored one; with another name it renames.
        var (guardrail, invalid) = request.ToGuardrail(
            existing?.Id ?? Guid.NewGuid().ToString(), request.Name is null ? existing?.Name : null, time.GetUtcNow(), existing?.CreatedAt);
        if (guardrail is null)
        {
            return (null, Api.Problem(400, invalid!));
        }
        var (outcome, connection) = await repository.SaveAsync(guardrail, replace: existing is not null, cancellationToken);
        switch (outcome)
        {
            case GuardrailWrite.NotFound:
                return (null, Api.Problem(404, $"guardrail '{key}' not found"));
            case GuardrailWrite.NameTaken:
                return (null, Api.Problem(409, $"guardrail '{guardrail.Name}' already exists"));
            case GuardrailWrite.UnknownConnection:
                return (null, Api.Problem(400, $"field 'connection_names': connection '{connection}' not found"));
        }
        await guardrails.ReloadAsync(cancellationToken);
        return (GuardrailView.From(guardrails.Find(guardrail.Id)!), null);
    }

    private static Results<Ok<Paged<GuardrailView>>, ProblemHttpResult> List(HttpContext http, GuardrailSet guardrails)
    {
        if (!ApiAuthentication.Caller(http).CanAudit)
        {
            return Api.Problem(403, ReadDenied);
        }
        var connection = Api.Query(http.Request, "connection");
        var (page, size) = Api.Paging(http.Request);
        var matching = guardrails.All.Where(g => connection is null || g.ConnectionNames.Contains(connection, StringComparer.Ordinal)).ToList();
        var items = matching.Skip((page - 1) * size).Take(size).Select(GuardrailView.From).ToList();
        return TypedResults.Ok(new Paged<GuardrailView>(items, new PageInfo(matching.Count, page, size)));
    }

    private static Results<Ok<GuardrailView>, ProblemHttpResult> Show(string key, HttpContext http, GuardrailSet guardrails)
    {
        if (!ApiAuthentication.Caller(http).CanAudit)
        {
            return Api.Problem(403, ReadDenied);
        }
        return guardrails.Find(key) is { } guardrail ? TypedResults.Ok(GuardrailView.From(guardrail)) : Api.Problem(404, $"guardrail '{key}' not found");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string key, HttpContext http, GuardrailRepository repository, GuardrailSet guardrails, CancellationToken cancellationToken) =>
        await DeleteGuardrailAsync(ApiAuthentication.Caller(http), key, repository, guardrails, cancellationToken) is { } problem ? problem : TypedResults.NoContent();

    /// <summary>Deletes guardrail <paramref name="key"/> (the API and the console): null when done, else 403 for a non-admin or 404.</summary>
    public static async Task<ProblemHttpResult?> DeleteGuardrailAsync(
        CallerIdentity caller, string key, GuardrailRepository repository, GuardrailSet guardrails, CancellationToken cancellationToken)
    {
        if (!caller.IsAdmin)
        {
            return Api.Problem(403, WriteDenied);
        }
        if (guardrails.Find(key) is not { } guardrail || !await repository.DeleteAsync(guardrail.Id, cancellationToken))
        {
            return Api.Problem(404, $"guardrail '{key}' not found");
        }
        await guardrails.ReloadAsync(cancellationToken);
        return null;
    }
}
