using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Analysis.Cache;
using Vigil.Analysis.Providers;
using Vigil.Analysis.Rules;
using Vigil.Connections;
using Vigil.Hosting;
using Vigil.Identity.Authentication;

namespace Vigil.Analysis;

/// <summary>
/// The analyzer's own routes under <c>/api/ai/session-analyzer</c>: <c>POST /analyze</c> classifies a command without
/// running it (what <c>vigil analyze</c> calls), <c>GET /system-prompt</c> shows the prompt the provider gets,
/// <c>GET /cache</c> the verdict cache's counters and <c>DELETE /cache</c> empties it.
/// </summary>
public static class AnalyzerEndpoints
{
    /// <summary>Longest input <c>/analyze</c> accepts, characters.</summary>
    public const int MaxInput = 1 << 20;

    /// <summary>
    /// Body of <c>POST /analyze</c>: <c>{type?, input, connection?, offline?}</c>. <c>type</c> is an
    /// <see cref="InputType"/> (default: the connection's type, else postgres); with <c>connection</c> its rule chooses
    /// the action and the caller must be allowed to use it; <c>offline</c> keeps the provider out of it.
    /// </summary>
    public sealed record AnalyzeRequest(string? Type, string? Input, string? Connection, bool? Offline);

    /// <summary>The system prompt: <c>{system_prompt, rule, sha256}</c>.</summary>
    public sealed record SystemPromptView(string SystemPrompt, string? Rule, string Sha256);

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapAnalyzerEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/ai/session-analyzer");
        group.MapPost("/analyze", AnalyzeAsync);
        group.MapGet("/system-prompt", ShowPrompt);
        group.MapGet("/cache", ShowCache);
        group.MapDelete("/cache", ClearCache);
    }

    private static async Task<Results<Ok<AiAnalysis>, ProblemHttpResult>> AnalyzeAsync(
        HttpContext http, RiskAnalyzer analyzer, RuleSet rules, ConnectionRepository connections, CancellationToken cancellationToken)
    {
        var (request, error) = await Api.ReadBodyAsync<AnalyzeRequest>(http.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var (verdict, problem) = await TryAnalyzeAsync(ApiAuthentication.Caller(http), request!, analyzer, rules, connections, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        return TypedResults.Ok(verdict!);
    }

    /// <summary>
    /// Classifies <paramref name="request"/>'s input for <paramref name="caller"/> without running it (<c>POST /analyze</c>
    /// and the console's "try it"): the verdict, or a 400 naming the bad field or a 404 for a connection the caller may
    /// not see.
    /// </summary>
    public static async Task<(AiAnalysis? Verdict, ProblemHttpResult? Problem)> TryAnalyzeAsync(
        Identity.CallerIdentity caller, AnalyzeRequest request, RiskAnalyzer analyzer, RuleSet rules, ConnectionRepository connections, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Input))
        {
            return (null, Api.Problem(400, "missing field 'input'"));
        }
        if (request.Input.Length > MaxInput)
        {
            return (null, Api.Problem(400, $"field 'input' is longer than {MaxInput} characters"));
        }
        Connection? connection = null;
        if (request.Connection is not null)
        {
            connection = await connections.FindAsync(request.Connection, cancellationToken);
            if (connection is null || !ConnectionAccess.CanSee(caller, connection))
            {
                return (null, Api.Problem(404, $"connection '{request.Connection}' not found"));
            }
        }
        var type = request.Type ?? (connection is null ? null : InputType.ForConnection(connection.Type)) ?? InputType.Postgres;
        if (!InputType.All.Contains(type))
        {
            return (null, Api.Problem(400, $"field 'type' must be one of {string.Join(", ", InputType.All)}"));
        }
        var rule = connection is null ? null : rules.ForConnection(connection.Name);
        var depth = request.Offline == true ? AnalysisDepth.Static : AnalysisDepth.Provider;
        return (await analyzer.AnalyzeAsync(type, connection?.Name ?? "", request.Input, rule, depth, null, null, cancellationToken), null);
    }

    private static Results<Ok<SystemPromptView>, ProblemHttpResult> ShowPrompt(HttpContext http, RuleSet rules)
    {
        if (!ApiAuthentication.Caller(http).CanAudit)
        {
            return Api.Problem(403, "only admins and auditors may read the system prompt");
        }
        var name = Api.Query(http.Request, "rule");
        var rule = name is null ? null : rules.All.FirstOrDefault(r => r.Name == name);
        if (name is not null && rule is null)
        {
            return Api.Problem(404, $"rule '{name}' not found");
        }
        return TypedResults.Ok(new SystemPromptView(SystemPrompt.Build(rule?.CustomPrompt), rule?.Name, SystemPrompt.Hash(rule?.CustomPrompt)));
    }

    private static Results<Ok<VerdictCache.Stats>, ProblemHttpResult> ShowCache(HttpContext http, VerdictCache cache) =>
        ApiAuthentication.Caller(http).CanAudit ? TypedResults.Ok(cache.Read()) : Api.Problem(403, "only admins and auditors may read the verdict cache's counters");

    private static Results<NoContent, ProblemHttpResult> ClearCache(HttpContext http, VerdictCache cache)
    {
        if (!ApiAuthentication.Caller(http).IsAdmin)
        {
            return Api.Problem(403, "only admins may empty the verdict cache");
        }
        cache.Clear();
        return TypedResults.NoContent();
    }
}
