using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Analytics;
using Vigil.Hosting;
using Vigil.Identity;
using Vigil.Identity.Authentication;

namespace Vigil.Analysis.Rules;

/// <summary>
/// <c>/api/ai/session-analyzer/rules</c>: create (<c>POST</c>), list (<c>GET</c>, paged, <c>connection</c> filter),
/// show, replace (<c>PUT</c>) and delete by name. Admins write; admins and auditors read. A connection named by
/// another rule is a 409; an unknown connection a 400. Changes apply to the next command of every open session.
/// </summary>
public static class RuleEndpoints
{
    private const string WriteDenied = "only admins may change analyzer rules";

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapRuleEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/ai/session-analyzer/rules");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", List);
        group.MapGet("/{name}", Show);
        group.MapPut("/{name}", ReplaceAsync);
        group.MapDelete("/{name}", DeleteAsync);
    }

    private static Task<Results<Created<RuleView>, Ok<RuleView>, ProblemHttpResult>> CreateAsync(
        HttpContext http, RuleRepository repository, RuleSet rules, AnalyticsLog analytics, TimeProvider time, CancellationToken cancellationToken) =>
        SaveAsync(null, http, repository, rules, analytics, time, cancellationToken);

    private static Task<Results<Created<RuleView>, Ok<RuleView>, ProblemHttpResult>> ReplaceAsync(
        string name, HttpContext http, RuleRepository repository, RuleSet rules, AnalyticsLog analytics, TimeProvider time, CancellationToken cancellationToken) =>
        SaveAsync(name, http, repository, rules, analytics, time, cancellationToken);

    /// <summary>POST (<paramref name="name"/> null) and PUT: read the body, then <see cref="SaveRuleAsync"/>.</summary>
    private static async Task<Results<Created<RuleView>, Ok<RuleView>, ProblemHttpResult>> SaveAsync(
        string? name, HttpContext http, RuleRepository repository, RuleSet rules, AnalyticsLog analytics, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = ApiAuthentication.Caller(http);
        if (!caller.IsAdmin)
        {
            return Api.Problem(403, WriteDenied);
        }
        var (request, error) = await Api.ReadBodyAsync<RuleRequest>(http.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var (view, problem) = await SaveRuleAsync(caller, name, request!, repository, rules, analytics, time, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        return name is null ? TypedResults.Created($"/api/ai/session-analyzer/rules/{view!.Name}", view) : TypedResults.Ok(view!);
    }

    /// <summary>
    /// Creates (<paramref name="name"/> null) or replaces rule <paramref name="name"/>, for the API and the console:
    /// validate, store, reload the in-memory rules, record the analytics event. 403 for a non-admin, 404 for an unknown
    /// rule, 400 naming a bad field or an unknown connection, 409 when the name or a connection is taken.
    /// </summary>
    public static async Task<(RuleView? View, ProblemHttpResult? Problem)> SaveRuleAsync(
        CallerIdentity caller, string? name, RuleRequest request, RuleRepository repository, RuleSet rules, AnalyticsLog analytics, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!caller.IsAdmin)
        {
            return (null, Api.Problem(403, WriteDenied));
        }
        if (name is not null && request.Name is not null && request.Name != name)
        {
            return (null, Api.Problem(400, "field 'name' cannot change; create a new rule instead"));
        }
        var existing = name is null ? null : rules.All.FirstOrDefault(r => r.Name == name);
        var (rule, invalid) = request.ToRule(name, time.GetUtcNow(), existing?.CreatedAt);
        if (rule is null)
        {
            return (null, Api.Problem(400, invalid!));
        }
        var (outcome, connection, other) = await repository.SaveAsync(rule, replace: name is not null, cancellationToken);
        switch (outcome)
        {
            case RuleWrite.NotFound:
                return (null, Api.Problem(404, $"rule '{name}' not found"));
            case RuleWrite.NameTaken:
                return (null, Api.Problem(409, $"rule '{rule.Name}' already exists"));
            case RuleWrite.UnknownConnection:
                return (null, Api.Problem(400, $"field 'connection_names': connection '{connection}' not found"));
            case RuleWrite.ConnectionTaken:
                return (null, Api.Problem(409, $"connection '{connection}' already belongs to rule '{other}'; a connection belongs to at most one rule"));
        }
        await rules.ReloadAsync(cancellationToken);
        var view = RuleView.From(rules.All.First(r => r.Name == rule.Name));
        await analytics.RecordAsync(name is null ? AnalyticsEventType.RuleCreated : AnalyticsEventType.RuleUpdated, caller.Name, null, view, cancellationToken);
        return (view, null);
    }

    private static Results<Ok<Paged<RuleView>>, ProblemHttpResult> List(HttpContext http, RuleSet rules)
    {
        if (!ApiAuthentication.Caller(http).CanAudit)
        {
            return Api.Problem(403, "only admins and auditors may read analyzer rules");
        }
        var connection = Api.Query(http.Request, "connection");
        var (page, size) = Api.Paging(http.Request);
        var matching = rules.All.Where(r => connection is null || r.ConnectionNames.Contains(connection, StringComparer.Ordinal)).ToList();
        var items = matching.Skip((page - 1) * size).Take(size).Select(RuleView.From).ToList();
        return TypedResults.Ok(new Paged<RuleView>(items, new PageInfo(matching.Count, page, size)));
    }

    private static Results<Ok<RuleView>, ProblemHttpResult> Show(string name, HttpContext http, RuleSet rules)
    {
        if (!ApiAuthentication.Caller(http).CanAudit)
        {
            return Api.Problem(403, "only admins and auditors may read analyzer rules");
        }
        var rule = rules.All.FirstOrDefault(r => r.Name == name);
        return rule is null ? Api.Problem(404, $"rule '{name}' not found") : TypedResults.Ok(RuleView.From(rule));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string name, HttpContext http, RuleRepository repository, RuleSet rules, AnalyticsLog analytics, CancellationToken cancellationToken) =>
        await DeleteRuleAsync(ApiAuthentication.Caller(http), name, repository, rules, analytics, cancellationToken) is { } problem ? problem : TypedResults.NoContent();

    /// <summary>Deletes rule <paramref name="name"/> (the API and the console): null when done, else 403 for a non-admin or 404.</summary>
    public static async Task<ProblemHttpResult?> DeleteRuleAsync(
        CallerIdentity caller, string name, RuleRepository repository, RuleSet rules, AnalyticsLog analytics, CancellationToken cancellationToken)
    {
        if (!caller.IsAdmin)
        {
            return Api.Problem(403, WriteDenied);
        }
        if (!await repository.DeleteAsync(name, cancellationToken))
        {
            return Api.Problem(404, $"rule '{name}' not found");
        }
        await rules.ReloadAsync(cancellationToken);
        await analytics.RecordAsync(AnalyticsEventType.RuleDeleted, caller.Name, null, new { name }, cancellationToken);
        return null;
    }
}
