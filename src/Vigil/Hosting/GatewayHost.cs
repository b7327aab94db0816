using System.Text.Json;
using Vigil.Analysis;
using Vigil.Analysis.Cache;
using Vigil.Analysis.Providers;
using Vigil.Analysis.Rules;
using Vigil.Analytics;
using Vigil.Connections;
using Vigil.Adapters.Exec;
using Vigil.Adapters.Mcp;
using Vigil.Adapters.Http;
using Vigil.Guardrails;
using Vigil.Audit;
using Vigil.Identity;
using Vigil.Identity.Authentication;
using Vigil.Identity.Groups;
using Vigil.Identity.Oidc;
using Vigil.Identity.Passwords;
using Vigil.Identity.Tokens;
using Vigil.Identity.Users;
using Vigil.Masking;
using Vigil.Masking.Rules;
using Vigil.Pipeline;
using Vigil.Adapters.Postgres;
using Vigil.Adapters.Ssh.Server;
using Vigil.Reviews;
using Vigil.Security;
using Vigil.Sessions;
using Vigil.Sessions.Terminal;
using Vigil.Storage;
using Vigil.Webhooks;
using Vigil.WebConsole;

namespace Vigil.Hosting;

/// <summary>Builds the gateway: services, the HTTP API and the protocol listeners, from <see cref="GatewayOptions"/>.</summary>
public static class GatewayHost
{
    /// <summary>
    /// Creates the application. <paramref name="configure"/> may add services (e.g. pipeline stages) before the
    /// container is built.
    /// </summary>
    /// <exception cref="InvalidOperationException">Unsupported store, unusable master key or listen address.</exception>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The HTTPS listener's certificate or key cannot be read.</exception>
    public static WebApplication Build(GatewayOptions options, Action<IServiceCollection>? configure = null)
    {
        if (options.Store != "sqlite")
        {
            throw new InvalidOperationException($"store '{options.Store}' is not supported; this build keeps its data in the embedded SQLite store (--store sqlite)");
        }
        DataDirectory.Prepare(options.DataDirectory);
        // The content root is the binary's folder, not the data directory: configuration file watchers on a directory
        // the store writes to continuously would fire on every write.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        var https = HttpsListener.Configure(options, builder.WebHost);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        });
        builder.Services.AddProblemDetails();
        var services = builder.Services;
        services.AddSingleton(options);
        if (https is not null)
        {
            services.AddSingleton(https);
        }
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Readiness>();
        services.AddSingleton(new SqliteStore(Path.Combine(options.DataDirectory, "vigil.db")));
        services.AddSingleton(new SecretProtector(MasterKey.Load(options.DataDirectory, options.MasterKey)));
        services.AddSingleton(sp => new TokenCache(options.TokenCacheTtl, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<TokenService>();
        services.AddSingleton<UserRepository>();
        services.AddSingleton<Identity.SshKeys.SshKeyRepository>();
        services.AddSingleton<GroupRepository>();
        services.AddSingleton<BrowserSessions>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AccountChanges>();
        services.AddSingleton<LoginRateLimiter>();
        services.AddSingleton<LocalLogin>();
        services.AddSingleton<PendingLogins>();
        if (options.Oidc is { } oidc)
        {
            services.AddSingleton(sp => new OidcClient(oidc, new HttpClient { Timeout = TimeSpan.FromSeconds(15) }, sp.GetRequiredService<TimeProvider>()));
        }
        // Webhooks before the features that publish: the outbox loads its subscriptions when it starts, and stops
        // (draining its queue to disk) after them; the dispatcher stops last.
        services.AddSingleton<WebhookRepository>();
        services.AddSingleton<DeliveryRepository>();
        services.AddSingleton<WebhookSubscriptions>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<IEventPublisher>(sp => sp.GetRequiredService<WebhookOutbox>());
        services.AddHostedService(sp => sp.GetRequiredService<WebhookOutbox>());
        // The console's live updates tap the events published to the outbox (it wraps the publisher registered above).
        services.AddConsole();
        services.AddSingleton<ConnectionRepository>();
        services.AddSingleton<ConnectivityTester>();
        services.AddSingleton<SessionRepository>();
        services.AddSingleton<GatewayInstance>();
        services.AddSingleton<SessionRecorder>();
        // Recovery after the recorder: it starts before the listeners open sessions and stops after the recorder drained.
        services.AddSingleton<SessionRecovery>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionRecovery>());
        services.AddHostedService(sp => sp.GetRequiredService<SessionRecorder>());
        services.AddSingleton<AnalyticsLog>();
        services.AddSingleton<ReviewRepository>();
        services.AddSingleton<ReviewSignals>();
        services.AddSingleton<ReviewService>();
        services.AddHostedService<ReviewExpiry>();
        services.AddSingleton<GatewayLinks>();
        services.AddSingleton<RuleRepository>();
        services.AddSingleton<RuleSet>();
        services.AddHostedService(sp => sp.GetRequiredService<RuleSet>());
        services.AddGuardrails();
        services.AddMasking();
        services.AddSingleton<ProviderRepository>();
        services.AddSingleton<ActiveProvider>();
        services.AddHostedService(sp => sp.GetRequiredService<ActiveProvider>());
        services.AddSingleton(sp => new VerdictCache(options.AnalysisCacheTtl, options.AnalysisCacheEntries, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(new StatementLimits(options.AnalysisMaxInput, options.RecordingMaxText));
        services.AddSingleton<RiskAnalyzer>();
        services.AddSingleton<IAnalysisStage, AnalysisStage>();
        services.AddSingleton<IDecisionStage, DecisionStage>();
        services.AddSingleton<SessionCloser>();
        services.AddSingleton<CommandPipeline>();
        services.AddSingleton<IExecExecutor, PostgresExecutor>();
        services.AddSingleton<IConnectivityProbe, PostgresProbe>();
        services.AddSingleton<IExecExecutor, Adapters.Ssh.SshExecutor>();
        services.AddSingleton<ExecService>();
        services.AddSingleton<CancelRegistry>();
        services.AddSingleton<ClientAuthentication>();
        services.AddSingleton<PgListener>();
        services.AddHostedService(sp => sp.GetRequiredService<PgListener>());
        services.AddSshAdapter();
        services.AddMcpAdapter();
        services.AddHttpAdapter();
        services.AddTerminalRecording(new TerminalOptions { MaxBytes = options.TerminalMaxBytes });
        configure?.Invoke(services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // 200 {status: ok} only when ready (Readiness); 503 {status: starting|stopping, waiting_for} before and after.
        app.MapGet("/healthz", (Readiness readiness) => readiness.Status == "ok"
            ? Results.Ok(new { status = "ok" })
            : Results.Json(new { status = readiness.Status, waiting_for = readiness.WaitingFor }, statusCode: 503));
        app.MapConsole();
        var api = app.MapGroup("/api").AddEndpointFilter<AuditRecorder>().AddEndpointFilter<ApiAuthentication>();
        api.MapConnectionEndpoints();
        api.MapSessionEndpoints();
        api.MapAuditEndpoints();
        api.MapAccountEndpoints();
        api.MapGroupEndpoints();
        api.MapTokenEndpoints();
        Identity.SshKeys.SshKeyEndpoints.MapSshKeyEndpoints(api);
        api.MapUserInfoEndpoints();
        api.MapLocalPasswordEndpoints();
        api.MapProviderEndpoints();
        api.MapRuleEndpoints();
        api.MapGuardrailEndpoints();
        api.MapMaskingRuleEndpoints();
        api.MapAnalyzerEndpoints();
        api.MapAnalyticsEndpoints();
        api.MapReviewEndpoints();
        api.MapAccessRequestEndpoints();
        api.MapWebhookEndpoints();
        api.MapServerInfoEndpoints();
        var anonymous = app.MapGroup("/api");
        anonymous.MapLocalLoginEndpoints();
        anonymous.MapAuthMethodEndpoints();
        anonymous.MapOidcLoginEndpoints();
        app.MapMcpAdapter();
        app.MapHttpAdapter();
        return app;
    }

    /// <summary>
    /// First-start setup: creates the bootstrap admin (<see cref="GatewayOptions.AdminEmail"/>, group <c>admin</c>) with
    /// its API token and, when configured, its password. Returns the token when it was created now, else null.
    /// </summary>
    public static async Task<string?> BootstrapAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var options = app.Services.GetRequiredService<GatewayOptions>();
        var token = await app.Services.GetRequiredService<TokenService>().BootstrapAdminAsync(options.AdminToken, options.AdminEmail, cancellationToken);
        if (token is not null && options.AdminPassword is { } password)
        {
            if (PasswordHasher.Problem(password) is { } problem)
            {
                throw new InvalidOperationException($"VIGIL_ADMIN_PASSWORD: {problem}");
            }
            var users = app.Services.GetRequiredService<UserRepository>();
            var admin = await users.FindAsync(Identity.IdentityKind.User, options.AdminEmail, cancellationToken);
            await users.SetPasswordHashAsync(admin!.Id, PasswordHasher.Hash(password), app.Services.GetRequiredService<TimeProvider>().GetUtcNow(), cancellationToken);
        }
        return token;
    }

    /// <summary>The first HTTP address the server actually bound (useful with port 0).</summary>
    public static string HttpAddress(WebApplication app) =>
        app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First(a => a.StartsWith("http://", StringComparison.Ordinal));

    /// <summary>The address the HTTPS listener bound, or null without one (<see cref="GatewayOptions.HttpsListen"/>).</summary>
    public static string? HttpsAddress(WebApplication app) =>
        HttpsListener.Address(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>());
}
