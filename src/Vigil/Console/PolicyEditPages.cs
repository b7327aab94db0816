using Vigil.Analysis.Cache;
using Vigil.Analysis.Providers;
using Vigil.Analytics;
using Vigil.WebConsole.Pages;

namespace Vigil.WebConsole;

/// <summary>
/// Editing policies in the console, admins only: for each <see cref="PolicyKind"/> (<c>analyzer-rules</c>,
/// <c>masking-rules</c>, <c>guardrails</c>) <c>GET /policies/KIND/new</c> and <c>GET /policies/KIND/{name}</c> show
/// the form (read-only for auditors), <c>POST /policies/KIND</c> creates, <c>POST /policies/KIND/{name}</c> saves and
/// <c>POST /policies/KIND/{name}/delete</c> deletes; <c>/policies/provider</c> sets the AI provider (the key is
/// write-only: the page says whether one is set, never shows it, and an empty key field keeps the stored key) and
/// <c>POST /policies/provider/delete</c> removes it. Writes go through the API's own save and delete (its validation;
/// a refusal is shown next to the field it names, with the API's status); a non-admin's post answers 403.
/// </summary>
public static class PolicyEditPages
{
    private static readonly FormField[] s_providerFields =
    [
        new("provider", "Provider", FieldKind.Choice, Choices: RiskProviderFactory.Providers),
        new("model", "Model", FieldKind.Text),
        new("api_url", "API URL", FieldKind.Text, "Required for azure-openai and custom; empty: the provider's own."),
        new("api_key", "API key", FieldKind.Secret),
    ];

    /// <summary>Maps the form pages and their posts.</summary>
    public static void MapPolicyEditPages(this RouteGroupBuilder signedIn)
    {
        signedIn.MapGet("/policies/provider", ShowProviderAsync);
        signedIn.MapPost("/policies/provider", SetProviderAsync);
        signedIn.MapPost("/policies/provider/delete", DeleteProviderAsync);
        foreach (var kind in PolicyKind.All)
        {
            var path = "/policies/" + kind.Slug;
            signedIn.MapGet(path + "/new", (HttpContext http) => ConsoleContext.Of(http) is var context && context.Caller.IsAdmin
                ? Form(context, kind, null, kind.New)
                : NotFoundPage.Forbidden(context, $"Only admins may create a {kind.Singular}."));
            signedIn.MapGet(path + "/{name}", (string name, HttpContext http, IServiceProvider services) =>
            {
                var context = ConsoleContext.Of(http);
                return context.Caller.CanAudit && kind.Find(services, name) is { } view
                    ? Form(context, kind, name, PolicyForm.From(view, kind.Fields), saved: http.Request.Query["saved"] == "1")
                    : NotFoundPage.Render(context, $"No {kind.Singular} '{name}'.");
            });
            signedIn.MapPost(path, (HttpContext http, IServiceProvider services, CancellationToken ct) => SaveAsync(kind, null, http, services, ct));
            signedIn.MapPost(path + "/{name}", (string name, HttpContext http, IServiceProvider services, CancellationToken ct) => SaveAsync(kind, name, http, services, ct));
            signedIn.MapPost(path + "/{name}/delete", async (string name, HttpContext http, IServiceProvider services, CancellationToken ct) =>
            {
                var context = ConsoleContext.Of(http);
                if (await kind.Delete(services, context.Caller, name, ct) is not { } problem)
                {
                    return TypedResults.Redirect("/policies?deleted=" + Uri.EscapeDataString($"{kind.Singular} {name}"));
                }
                return problem.StatusCode == StatusCodes.Status403Forbidden
                    ? NotFoundPage.Forbidden(context, $"Only admins may delete a {kind.Singular}.")
                    : NotFoundPage.Render(context, problem.ProblemDetails.Detail ?? $"No {kind.Singular} '{name}'.");
            });
        }
    }

    private static async Task<IResult> SaveAsync(PolicyKind kind, string? name, HttpContext http, IServiceProvider services, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        if (!context.Caller.IsAdmin)
        {
            return NotFoundPage.Forbidden(context, $"Only admins may change a {kind.Singular}.");
        }
        var form = PolicyForm.Read(await http.Request.ReadFormAsync(ct), kind.Fields);
        var (saved, refused, status) = await kind.Save(services, context.Caller, name, form, ct);
        return saved is not null
            ? TypedResults.Redirect($"/policies/{kind.Slug}/{Uri.EscapeDataString(saved)}?saved=1")
            : Form(context, kind, name, refused!, status);
    }

    private static IResult Form(ConsoleContext context, PolicyKind kind, string? name, PolicyForm form, int status = StatusCodes.Status200OK, bool saved = false)
    {
        var path = $"/policies/{kind.Slug}" + (name is null ? "" : "/" + Uri.EscapeDataString(name));
        var title = name is null ? $"New {kind.Singular}" : $"{char.ToUpperInvariant(kind.Singular[0])}{kind.Singular[1..]} {name}";
        return ConsolePage.Render<PolicyFormPage>(new PolicyFormPage.FormModel(
            context, title, path, name is null ? null : path + "/delete", kind.Fields, form, saved,
            name is null ? $"Create {kind.Singular}" : "Save changes", ReadOnly: kind.Renames || name is null ? [] : ["name"]), status);
    }

    private static async Task<IResult> ShowProviderAsync(HttpContext http, ProviderRepository repository, ActiveProvider active, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        if (!context.Caller.IsAdmin)
        {
            return NotFoundPage.Forbidden(context, "Only admins may see the AI provider.");
        }
        var stored = await repository.GetAsync(ct);
        var form = stored is null ? new PolicyForm(new Dictionary<string, string>()) : PolicyForm.From(ProviderEndpoints.ProviderView.From(stored, active.Get()?.Health), s_providerFields);
        return ProviderForm(context, form, stored is not null, saved: http.Request.Query["saved"] == "1");
    }

    private static async Task<IResult> SetProviderAsync(
        HttpContext http, ProviderRepository repository, ActiveProvider active, VerdictCache cache, AnalyticsLog analytics, TimeProvider time, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        if (!context.Caller.IsAdmin)
        {
            return NotFoundPage.Forbidden(context, "Only admins may configure the AI provider.");
        }
        var form = PolicyForm.Read(await http.Request.ReadFormAsync(ct), s_providerFields);
        var stored = await repository.GetAsync(ct);
        var (request, refused) = form.ToRequest<ProviderEndpoints.ProviderRequest>(s_providerFields);
        if (refused is not null)
        {
            return ProviderForm(context, refused with { Values = WithoutKey(refused) }, stored is not null, status: StatusCodes.Status400BadRequest);
        }
        // The key is write-only: an empty field keeps the stored one.
        if (string.IsNullOrEmpty(request!.ApiKey) && stored is not null)
        {
            request = request with { ApiKey = stored.Settings.ApiKey };
        }
        var (_, _, problem) = await ProviderEndpoints.SetProviderAsync(context.Caller, request, repository, active, cache, analytics, time, ct);
        if (problem is not null)
        {
            var shown = form.Refuse(s_providerFields, problem.ProblemDetails.Detail ?? "refused");
            return ProviderForm(context, shown with { Values = WithoutKey(shown) }, stored is not null, status: problem.StatusCode);
        }
        return TypedResults.Redirect("/policies/provider?saved=1");
    }

    private static async Task<IResult> DeleteProviderAsync(
        HttpContext http, ProviderRepository repository, ActiveProvider active, VerdictCache cache, AnalyticsLog analytics, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        return await ProviderEndpoints.DeleteProviderAsync(context.Caller, repository, active, cache, analytics, ct) switch
        {
            null => TypedResults.Redirect("/policies?deleted=" + Uri.EscapeDataString("AI provider")),
            { StatusCode: StatusCodes.Status403Forbidden } => NotFoundPage.Forbidden(context, "Only admins may remove the AI provider."),
            var problem => NotFoundPage.Render(context, problem.ProblemDetails.Detail ?? "No AI provider is configured."),
        };
    }

    /// <summary>A refused form goes back without the key typed into it: a secret is never echoed into the page.</summary>
    private static Dictionary<string, string> WithoutKey(PolicyForm form) =>
        form.Values.Where(v => v.Key != "api_key").ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    private static IResult ProviderForm(ConsoleContext context, PolicyForm form, bool configured, int status = StatusCodes.Status200OK, bool saved = false) =>
        ConsolePage.Render<PolicyFormPage>(new PolicyFormPage.FormModel(
            context, "AI provider", "/policies/provider", configured ? "/policies/provider/delete" : null, s_providerFields, form, saved,
            configured ? "Save changes" : "Set provider",
            Notes: new Dictionary<string, string> { ["api_key"] = configured ? "set; leave empty to keep it" : "not set" },
            Intro: configured ? null : "No provider is configured: the analyzer works offline (static analysis only)."), status);
}
