using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;
using Vigil.Identity;
using Vigil.Identity.Authentication;

namespace Vigil.Masking.Rules;

/// <summary>
/// <c>/api/datamasking-rules</c>: create (<c>POST</c>), list (<c>GET</c>, paged, <c>connection</c> filter), show,
/// replace (<c>PUT</c>) and delete by name or id. Admins write; admins and auditors read; others get 403. A bad field
/// is a 400 naming it, an unknown connection a 400, a name another rule has a 409. Changes apply to the next result of
/// every open session; every write is in the audit log (resource type <c>datamasking-rules</c>).
/// </summary>
public static class MaskingRuleEndpoints
{
    private const string Path = "/datamasking-rules";
    private const string WriteDenied = "only admins may change data masking rules";

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapMaskingRuleEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup(Path);
        group.MapPost("/", CreateAsync);
        group.MapGet("/", List);
        group.MapGet("/{nameOrId}", Show);
        group.MapPut("/{nameOrId}", ReplaceAsync);
        group.MapDelete("/{nameOrId}", DeleteAsync);
    }

    private static Task<Results<Created<MaskingRuleView>, Ok<MaskingRuleView>, ProblemHttpResult>> CreateAsync(
        HttpContext http, MaskingRuleRepository repository, MaskingSet rules, TimeProvider time, CancellationToken cancellationToken) =>
        SaveAsync(null, http, repository, rules, time, cancellationToken);

    private static Task<Results<Created<MaskingRuleView>, Ok<MaskingRuleView>, ProblemHttpResult>> ReplaceAsync(
        string nameOrId, HttpContext http, MaskingRuleRepository repository, MaskingSet rules, TimeProvider time, CancellationToken cancellationToken) =>
        SaveAsync(nameOrId, http, repository, rules, time, cancellationToken);

    /// <summary>POST (<paramref name="nameOrId"/> null) and PUT: read the body, then <see cref="SaveRuleAsync"/>.</summary>
    private static async Task<Results<Created<MaskingRuleView>, Ok<MaskingRuleView>, ProblemHttpResult>> SaveAsync(
        string? nameOrId, HttpContext http, MaskingRuleRepository repository, MaskingSet rules, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = ApiAuthentication.Caller(http);
        if (!caller.IsAdmin)
        {
            return Api.Problem(403, WriteDenied);
        }
        var (request, error) = await Api.ReadBodyAsync<MaskingRuleRequest>(http.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var (view, problem) = await SaveRuleAsync(caller, nameOrId, request!, repository, rules, time, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        return nameOrId is null ? TypedResults.Created($"/api{Path}/{view!.Id}", view) : TypedResults.Ok(view!);
    }

    /// <summary>
    /// Creates (<paramref name="nameOrId"/> null) or wholly replaces (which may rename) a rule, for the API and the
    /// console: validate, store, reload. 403 for a non-admin, 404 for an unknown rule, 400 naming a bad field or an
    /// unknown connection, 409 when the name is taken.
    /// </summary>
    public static async Task<(MaskingRuleView? View, ProblemHttpResult? Problem)> SaveRuleAsync(
        CallerIdentity caller, string? nameOrId, MaskingRuleRequest request, MaskingRuleRepository repository, MaskingSet rules, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!caller.IsAdmin)
        {
            return (null, Api.Problem(403, WriteDenied));
        }
        MaskingRule? existing = null;
        if (nameOrId is not null && (existing = rules.Find(nameOrId)) is null)
        {
            return (null, Api.Problem(404, $"data masking rule '{nameOrId}' not found"));
        }
        // A PUT without a name keeps the rule's.
        if (existing is not null && request.Name is null)
        {
            request = request with { Name = existing.Name };
        }
        var (rule, invalid) = request.ToRule(existing?.Id ?? Guid.NewGuid().ToString(), time.GetUtcNow(), existing?.CreatedAt);
        if (rule is null)
        {
            return (null, Api.Problem(400, invalid!));
        }
        var (outcome, connection) = await repository.SaveAsync(rule, replace: existing is not null, cancellationToken);
        switch (outcome)
        {
            case MaskingRuleWrite.NotFound:
                return (null, Api.Problem(404, $"data masking rule '{nameOrId}' not found"));
            case MaskingRuleWrite.NameTaken:
                return (null, Api.Problem(409, $"field 'name': a data masking rule named '{rule.Name}' already exists"));
            case MaskingRuleWrite.UnknownConnection:
                var field = request.ConnectionNames?.Contains(connection) == true ? "connection_names" : "connection_ids";
                return (null, Api.Problem(400, $"field '{field}': connection '{connection}' not found"));
        }
        await rules.ReloadAsync(cancellationToken);
        return (MaskingRuleView.From(rules.Find(rule.Id)!), null);
    }

    private static Results<Ok<Paged<MaskingRuleView>>, ProblemHttpResult> List(HttpContext http, MaskingSet rules)
    {
        if (!ApiAuthentication.Caller(http).CanAudit)
        {
            return Api.Problem(403, "only admins and auditors may read data masking rules");
        }
        var connection = Api.Query(http.Request, "connection");
        var (page, size) = Api.Paging(http.Request);
        var matching = rules.All.Where(r => connection is null || r.ConnectionNames.Contains(connection, StringComparer.Ordinal)).ToList();
        var items = matching.Skip((page - 1) * size).Take(size).Select(MaskingRuleView.From).ToList();
        return TypedResults.Ok(new Paged<MaskingRuleView>(items, new PageInfo(matching.Count, page, size)));
    }

    private static Results<Ok<MaskingRuleView>, ProblemHttpResult> Show(string nameOrId, HttpContext http, MaskingSet rules)
    {
        if (!ApiAuthentication.Caller(http).CanAudit)
        {
            return Api.Problem(403, "only admins and auditors may read data masking rules");
        }
        return rules.Find(nameOrId) is { } rule ? TypedResults.Ok(MaskingRuleView.From(rule)) : Api.Problem(404, $"data masking rule '{nameOrId}' not found");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string nameOrId, HttpContext http, MaskingRuleRepository repository, MaskingSet rules, CancellationToken cancellationToken) =>
        await DeleteRuleAsync(ApiAuthentication.Caller(http), nameOrId, repository, rules, cancellationToken) is { } problem ? problem : TypedResults.NoContent();

    /// <summary>Deletes a rule (the API and the console): null when done, else 403 for a non-admin or 404.</summary>
    public static async Task<ProblemHttpResult?> DeleteRuleAsync(
        CallerIdentity caller, string nameOrId, MaskingRuleRepository repository, MaskingSet rules, CancellationToken cancellationToken)
    {
        if (!caller.IsAdmin)
        {
            return Api.Problem(403, WriteDenied);
        }
        if (rules.Find(nameOrId) is not { } rule || !await repository.DeleteAsync(rule.Id, cancellationToken))
        {
            return Api.Problem(404, $"data masking rule '{nameOrId}' not found");
        }
        await rules.ReloadAsync(cancellationToken);
        return null;
    }
}
