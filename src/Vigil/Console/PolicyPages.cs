using Vigil.Analysis;
using Vigil.Analysis.Rules;
using Vigil.Connections;
using Vigil.Guardrails;
using Vigil.Masking;
using Vigil.Masking.Rules;
using Vigil.WebConsole.Pages;

namespace Vigil.WebConsole;

/// <summary>
/// <c>/policies</c>: a "try it" box that runs the analyzer on a command without executing anything
/// (<see cref="AnalyzerEndpoints.TryAnalyzeAsync"/>, what <c>POST /api/ai/session-analyzer/analyze</c> runs) and, for
/// admins and auditors (who may read them through the API), the analyzer rules, data masking rules and guardrails.
/// </summary>
public static class PolicyPages
{
    /// <summary>The "try it" form's fields: <c>input</c>, <c>type</c> (empty: the connection's), <c>connection</c>, <c>offline</c>.</summary>
    public sealed record TryRequest(string? Input, string? Type, string? Connection, bool Offline);

    /// <summary>What the page shows; the rule lists are empty for a caller who may not read them.</summary>
    public sealed record PoliciesModel(
        ConsoleContext Context, TryRequest Try, AiAnalysis? Verdict, string? Error, IReadOnlyList<string> Connections,
        IReadOnlyList<RuleView> Rules, IReadOnlyList<MaskingRuleView> MaskingRules, IReadOnlyList<GuardrailView> Guardrails,
        string? Provider = null, string? Deleted = null);

    /// <summary>Maps <c>GET /policies</c> and <c>POST /policies/try</c>.</summary>
    public static void MapPolicyPages(this RouteGroupBuilder signedIn)
    {
        signedIn.MapGet("/policies", async (HttpContext http, ConnectionRepository connections, RuleSet rules, MaskingSet masking, GuardrailSet guardrails, CancellationToken ct) =>
            await RenderAsync(http, new TryRequest(null, null, null, false), null, null, StatusCodes.Status200OK, connections, rules, masking, guardrails, ct));
        // Editing (admins) is in PolicyEditPages; this page lists what there is and links to it.
        signedIn.MapPost("/policies/try", TryAsync);
    }

    private static async Task<IResult> TryAsync(
        HttpContext http, RiskAnalyzer analyzer, ConnectionRepository connections, RuleSet rules, MaskingSet masking, GuardrailSet guardrails, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        string? Field(string name) => form[name].ToString() is { Length: > 0 } v ? v : null;
        var request = new TryRequest(Field("input"), Field("type"), Field("connection"), form["offline"] == "on");
        var (verdict, problem) = await AnalyzerEndpoints.TryAnalyzeAsync(
            ConsoleContext.Of(http).Caller, new AnalyzerEndpoints.AnalyzeRequest(request.Type, request.Input, request.Connection, request.Offline), analyzer, rules, connections, ct);
        return await RenderAsync(http, request, verdict, problem?.ProblemDetails.Detail, problem?.StatusCode ?? StatusCodes.Status200OK, connections, rules, masking, guardrails, ct);
    }

    private static async Task<IResult> RenderAsync(
        HttpContext http, TryRequest request, AiAnalysis? verdict, string? error, int status,
        ConnectionRepository connections, RuleSet rules, MaskingSet masking, GuardrailSet guardrails, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        var names = (await connections.ListAllAsync(ct)).Where(c => ConnectionAccess.CanSee(context.Caller, c)).Select(c => c.Name).ToList();
        var audit = context.Caller.CanAudit;
        return ConsolePage.Render<PoliciesPage>(new PoliciesModel(
            context, request, verdict, error, names,
            audit ? rules.All.Select(RuleView.From).ToList() : [],
            audit ? masking.All.Select(MaskingRuleView.From).ToList() : [],
            audit ? guardrails.All.Select(GuardrailView.From).ToList() : [],
            // Only admins may read the provider (as through the API); the page says which one, never its key.
            context.Caller.IsAdmin ? http.RequestServices.GetRequiredService<Analysis.Providers.ActiveProvider>().Get() is { } p ? $"{p.Settings.Provider} · {p.Settings.Model}" : "" : null,
            http.Request.Query["deleted"].ToString() is { Length: > 0 } d ? d : null), status);
    }
}
