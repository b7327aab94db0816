using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Analysis.Cache;
using Vigil.Analytics;
using Vigil.Hosting;
using Vigil.Identity;
using Vigil.Identity.Authentication;

namespace Vigil.Analysis.Providers;

/// <summary>
/// <c>/api/ai/session-analyzer/providers</c> (admins only): <c>POST</c> sets the one provider (replacing any),
/// <c>GET</c> shows it with the key masked, <c>DELETE</c> removes it (the analyzer then works offline).
/// </summary>
public static class ProviderEndpoints
{
    private const string WriteDenied = "only admins may configure the analyzer's provider";

    /// <summary>Body of <c>POST</c>: <c>{provider: openai|anthropic|azure-openai|custom, model, api_key, api_url?}</c>.</summary>
    public sealed record ProviderRequest(string? Provider, string? Model, string? ApiKey, string? ApiUrl);

    /// <summary>
    /// The API shape: <c>{provider, model, api_url, api_key (masked: "****" and the last 4 characters of a key of 16 or
    /// more), created_at, updated_at, last_success_at, last_error, last_error_at}</c>. The last three say how the
    /// provider has been doing since this gateway process loaded it (<see cref="ProviderHealth"/>); null when never.
    /// </summary>
    public sealed record ProviderView(
        string Provider, string Model, string? ApiUrl, string ApiKey, string CreatedAt, string UpdatedAt, string? LastSuccessAt, string? LastError, string? LastErrorAt)
    {
        /// <summary>The view of <paramref name="stored"/> with <paramref name="health"/>; the key is never returned whole.</summary>
        public static ProviderView From(StoredProvider stored, ProviderHealth? health)
        {
            var (success, error, errorAt) = health?.Read() ?? default;
            return new(
                stored.Settings.Provider, stored.Settings.Model, stored.Settings.ApiUrl, Mask(stored.Settings.ApiKey),
                Storage.Rfc3339.Format(stored.CreatedAt), Storage.Rfc3339.Format(stored.UpdatedAt),
                success is { } s ? Storage.Rfc3339.Format(s) : null, error, errorAt is { } e ? Storage.Rfc3339.Format(e) : null);
        }

        private static string Mask(string key) => key.Length >= 16 ? "****" + key[^4..] : "****";
    }

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapProviderEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/ai/session-analyzer/providers");
        group.MapPost("/", SetAsync);
        group.MapGet("/", ShowAsync);
        group.MapDelete("/", DeleteAsync);
    }

    private static async Task<Results<Ok<ProviderView>, Created<ProviderView>, ProblemHttpResult>> SetAsync(
        HttpContext http, ProviderRepository repository, ActiveProvider active, VerdictCache cache, AnalyticsLog analytics, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = ApiAuthentication.Caller(http);
        if (!caller.IsAdmin)
        {
            return Api.Problem(403, WriteDenied);
        }
        var (request, error) = await Api.ReadBodyAsync<ProviderRequest>(http.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var (view, existed, problem) = await SetProviderAsync(caller, request!, repository, active, cache, analytics, time, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        return existed ? TypedResults.Ok(view!) : TypedResults.Created("/api/ai/session-analyzer/providers", view!);
    }

    /// <summary>
    /// Sets the one provider (replacing any), for the API and the console: validate, store (key encrypted), reload,
    /// clear the verdict cache, record the analytics event. <c>Existed</c> says whether one was replaced. 403 for a
    /// non-admin, 400 naming a bad field.
    /// </summary>
    public static async Task<(ProviderView? View, bool Existed, ProblemHttpResult? Problem)> SetProviderAsync(
        CallerIdentity caller, ProviderRequest request, ProviderRepository repository, ActiveProvider active, VerdictCache cache, AnalyticsLog analytics,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (!caller.IsAdmin)
        {
            return (null, false, Api.Problem(403, WriteDenied));
        }
        if (RiskProviderFactory.Validate(request.Provider, request.Model, request.ApiKey, request.ApiUrl) is { } invalid)
        {
            return (null, false, Api.Problem(400, invalid));
        }
        var existed = active.Get() is not null; // the in-memory copy mirrors the store; no second read and decryption
        var settings = new ProviderSettings(request.Provider!.ToLowerInvariant(), request.Model!, request.ApiKey!, string.IsNullOrWhiteSpace(request.ApiUrl) ? null : request.ApiUrl);
        var stored = await repository.SetAsync(settings, time.GetUtcNow(), cancellationToken);
        await active.ReloadAsync(cancellationToken);
        cache.Clear();
        await analytics.RecordAsync(AnalyticsEventType.ProviderUpdated, caller.Name, null, new { settings.Provider, settings.Model, settings.ApiUrl }, cancellationToken);
        return (ProviderView.From(stored, active.Get()?.Health), existed, null);
    }

    private static async Task<Results<Ok<ProviderView>, ProblemHttpResult>> ShowAsync(
        HttpContext http, ProviderRepository repository, ActiveProvider active, CancellationToken cancellationToken)
    {
        if (!ApiAuthentication.Caller(http).IsAdmin)
        {
            return Api.Problem(403, "only admins may read the analyzer's provider");
        }
        var stored = await repository.GetAsync(cancellationToken);
        return stored is null ? Api.Problem(404, "no provider is configured; the analyzer works offline (static analysis only)") : TypedResults.Ok(ProviderView.From(stored, active.Get()?.Health));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        HttpContext http, ProviderRepository repository, ActiveProvider active, VerdictCache cache, AnalyticsLog analytics, CancellationToken cancellationToken) =>
        await DeleteProviderAsync(ApiAuthentication.Caller(http), repository, active, cache, analytics, cancellationToken) is { } problem ? problem : TypedResults.NoContent();

    /// <summary>Removes the provider (the API and the console; the analyzer then works offline): null when done, else 403 for a non-admin or 404.</summary>
    public static async Task<ProblemHttpResult?> DeleteProviderAsync(
        CallerIdentity caller, ProviderRepository repository, ActiveProvider active, VerdictCache cache, AnalyticsLog analytics, CancellationToken cancellationToken)
    {
        if (!caller.IsAdmin)
        {
            return Api.Problem(403, "only admins may remove the analyzer's provider");
        }
        if (!await repository.DeleteAsync(cancellationToken))
        {
            return Api.Problem(404, "no provider is configured");
        }
        await active.ReloadAsync(cancellationToken);
        cache.Clear();
        await analytics.RecordAsync(AnalyticsEventType.ProviderDeleted, caller.Name, null, new { }, cancellationToken);
        return null;
    }
}
