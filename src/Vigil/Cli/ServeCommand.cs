using Vigil.Adapters.Ssh.Server;
using System.CommandLine;
using Vigil.Connections;
using Vigil.Demo;
using Vigil.Hosting;
using Vigil.Identity.Oidc;
using Vigil.Identity.Passwords;
using Vigil.Adapters.Postgres;
using Vigil.Security;

namespace Vigil.Cli;

/// <summary><c>vigil serve</c>: runs the gateway on the embedded defaults, optionally with a demo PostgreSQL.</summary>
public static class ServeCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Data directory (VIGIL_DATA_DIR; default ./.vigil)" };
        var http = new Option<string?>("--http-listen") { Description = "HTTP API address HOST:PORT (VIGIL_HTTP_LISTEN; default 127.0.0.1:8009)" };
        var https = new Option<string?>("--https-listen") { Description = "HTTPS address HOST:PORT for the same endpoints over TLS (VIGIL_HTTPS_LISTEN; default none)" };
        var pg = new Option<string?>("--pg-listen") { Description = "PostgreSQL listener HOST:PORT (VIGIL_PG_LISTEN; default 127.0.0.1:15432)" };
        var ssh = new Option<string?>("--ssh-listen") { Description = "Native SSH listener HOST:PORT, or off (VIGIL_SSH_LISTEN; default 127.0.0.1:2222)" };
        var store = new Option<string?>("--store") { Description = "Store: sqlite (VIGIL_STORE; default embedded SQLite in the data directory)" };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate for the PostgreSQL and HTTPS listeners (VIGIL_TLS_CERT; default self-signed)" };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key for --tls-cert (VIGIL_TLS_KEY)" };
        var maxMessage = new Option<int?>("--max-message-size") { Description = "Largest frontend message in bytes (VIGIL_PG_MAX_MESSAGE_SIZE; default 67108864)" };
        var demo = new Option<bool>("--demo") { Description = "Also run a throwaway PostgreSQL with sample data as connection 'demo'" };
        var allowCleartext = new Option<bool>("--allow-cleartext-password")
        {
            Description = "Accept tokens sent in cleartext over unencrypted connections from non-loopback addresses (VIGIL_ALLOW_CLEARTEXT_PASSWORD=true; default: refuse, use sslmode=require or SCRAM)",
        };
        var command = new Command("serve", "Run the gateway (HTTP API and PostgreSQL proxy)") { data, http, https, pg, ssh, store, tlsCert, tlsKey, maxMessage, demo, allowCleartext };
        GatewayOptions ReadOptions(ParseResult parse)
        {
            string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
            var options = new GatewayOptions();
            TimeSpan? Duration(string name, string example) => Env(name) is not { } text ? null
                : DurationText.TryParse(text, out var d) ? d : throw new FormatException($"{name}: '{text}' is not a duration such as {example}");
            int? Count(string name) => Env(name) is not { } text ? null
                : int.TryParse(text, out var n) && n >= 1 ? n : throw new FormatException($"{name}: '{text}' is not a positive whole number");
            options.DataDirectory = Path.GetFullPath(parse.GetValue(data) ?? Env("VIGIL_DATA_DIR") ?? options.DataDirectory);
            options.HttpListen = parse.GetValue(http) ?? Env("VIGIL_HTTP_LISTEN") ?? options.HttpListen;
            options.HttpsListen = parse.GetValue(https) ?? Env("VIGIL_HTTPS_LISTEN");
            options.PgListen = parse.GetValue(pg) ?? Env("VIGIL_PG_LISTEN") ?? options.PgListen;
            options.SshListen = parse.GetValue(ssh) ?? Env("VIGIL_SSH_LISTEN") ?? options.SshListen;
            options.Store = parse.GetValue(store) ?? Env("VIGIL_STORE") ?? options.Store;
            options.TlsCertificatePath = parse.GetValue(tlsCert) ?? Env("VIGIL_TLS_CERT");
            options.TlsKeyPath = parse.GetValue(tlsKey) ?? Env("VIGIL_TLS_KEY");
            options.MaxMessageSize = parse.GetValue(maxMessage) ?? (int.TryParse(Env("VIGIL_PG_MAX_MESSAGE_SIZE"), out var m) ? m : options.MaxMessageSize);
            if (int.TryParse(Env("VIGIL_PG_STARTUP_TIMEOUT"), out var startup))
            {
                options.StartupTimeout = TimeSpan.FromSeconds(startup);
            }
            if (int.TryParse(Env("VIGIL_EXEC_STATEMENT_TIMEOUT"), out var statement))
            {
                options.ExecStatementTimeout = TimeSpan.FromSeconds(statement);
            }
            options.AdminToken = Env("VIGIL_ADMIN_TOKEN");
            options.AdminEmail = Env("VIGIL_ADMIN_EMAIL") ?? options.AdminEmail;
            options.AdminPassword = Env("VIGIL_ADMIN_PASSWORD");
            options.PublicUrl = Env("VIGIL_PUBLIC_URL");
            if (Env("VIGIL_SESSION_LIFETIME") is { } lifetime)
            {
                options.BrowserSessionLifetime = DurationText.TryParse(lifetime, out var l) ? l : throw new FormatException($"VIGIL_SESSION_LIFETIME: '{lifetime}' is not a duration such as 8h");
            }
            options.Oidc = OidcSettings.FromEnvironment(Env);
            options.OidcGroupMap = OidcSettings.GroupMap(Env("VIGIL_OIDC_GROUP_MAP"));
            if (int.TryParse(Env("VIGIL_LOGIN_ATTEMPTS_PER_USER"), out var perUser))
            {
                options.LoginAttemptsPerUser = perUser;
            }
            if (int.TryParse(Env("VIGIL_LOGIN_ATTEMPTS_PER_ADDRESS"), out var perAddress))
            {
                options.LoginAttemptsPerAddress = perAddress;
            }
            if (Env("VIGIL_ANALYSIS_CACHE_TTL") is { } cacheTtl)
            {
                options.AnalysisCacheTtl = cacheTtl == "0" ? TimeSpan.Zero
                    : DurationText.TryParse(cacheTtl, out var t) ? t : throw new FormatException($"VIGIL_ANALYSIS_CACHE_TTL: '{cacheTtl}' is not a duration such as 1h");
            }
            if (Env("VIGIL_TOKEN_CACHE_TTL") is { } tokenTtl)
            {
                options.TokenCacheTtl = tokenTtl == "0" ? TimeSpan.Zero
                    : DurationText.TryParse(tokenTtl, out var t) ? t : throw new FormatException($"VIGIL_TOKEN_CACHE_TTL: '{tokenTtl}' is not a duration such as 10s");
            }
            if (int.TryParse(Env("VIGIL_ANALYSIS_CACHE_ENTRIES"), out var cacheEntries))
            {
                options.AnalysisCacheEntries = cacheEntries;
            }
            options.AnalysisMaxInput = Count("VIGIL_ANALYSIS_MAX_INPUT") ?? options.AnalysisMaxInput;
            options.RecordingMaxText = Count("VIGIL_RECORDING_MAX_TEXT") ?? options.RecordingMaxText;
            options.TerminalMaxBytes = Count("VIGIL_TERMINAL_MAX_BYTES") ?? options.TerminalMaxBytes;
            options.WebhookRetryBase = Duration("VIGIL_WEBHOOK_RETRY_BASE", "5s") ?? options.WebhookRetryBase;
            options.WebhookRetryCap = Duration("VIGIL_WEBHOOK_RETRY_CAP", "1h") ?? options.WebhookRetryCap;
            options.WebhookTimeout = Duration("VIGIL_WEBHOOK_TIMEOUT", "10s") ?? options.WebhookTimeout;
            options.WebhookMaxAttempts = Count("VIGIL_WEBHOOK_MAX_ATTEMPTS") ?? options.WebhookMaxAttempts;
            options.WebhookConcurrency = Count("VIGIL_WEBHOOK_CONCURRENCY") ?? options.WebhookConcurrency;
            options.MaxTokenLifetime = Duration("VIGIL_MAX_TOKEN_LIFETIME", "90d") ?? options.MaxTokenLifetime;
            options.AllowCleartextPassword = parse.GetValue(allowCleartext)
                || (Env("VIGIL_ALLOW_CLEARTEXT_PASSWORD") is { } cleartext && (bool.TryParse(cleartext, out var on) ? on : cleartext == "1"));
            options.MasterKey = Env(MasterKey.EnvironmentVariable);
            options.Proxy = Adapters.Http.ProxyLimits.FromEnvironment(Env);
            options.Demo = parse.GetValue(demo);
            return options;
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            GatewayOptions options;
            try
            {
                options = ReadOptions(parse);
            }
            catch (FormatException e)
            {
                await Console.Error.WriteLineAsync($"vigil: {e.Message}");
                return 1;
            }
            return await RunAsync(options, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(GatewayOptions options, CancellationToken cancellationToken)
    {
        WebApplication app;
        try
        {
            app = GatewayHost.Build(options);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or IOException or UnauthorizedAccessException
            or System.Security.Cryptography.CryptographicException)
        {
            await Console.Error.WriteLineAsync($"vigil: {e.Message}");
            return 1;
        }
        await using (app)
        {
            string? token;
            // Like the admin token, a console password is made on first start unless the operator gives one, so the
            // printed console address can be signed in to at once; it is used only if this start bootstraps the admin.
            var generatedPassword = options.AdminPassword is null ? AdminPassword.Generate() : null;
            options.AdminPassword ??= generatedPassword;
            try
            {
                token = await GatewayHost.BootstrapAsync(app, cancellationToken);
            }
            catch (InvalidOperationException e)
            {
                await Console.Error.WriteLineAsync($"vigil: {e.Message}");
                return 1;
            }
            var tokenFile = Path.Combine(options.DataDirectory, "admin-token");
            if (token is not null && options.AdminToken is null)
            {
                SecretFile.Write(tokenFile, token + "\n");
            }
            var passwordFile = Path.Combine(options.DataDirectory, "admin-password");
            var newPassword = token is not null ? generatedPassword : null;
            if (newPassword is not null)
            {
                SecretFile.Write(passwordFile, newPassword + "\n");
            }
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                // Typically a port already in use: say which listener, not a stack trace.
                await Console.Error.WriteLineAsync(
                    $"vigil: cannot listen on {options.HttpListen} (HTTP){(options.HttpsListen is { } tls ? $", {tls} (HTTPS)" : "")}, {options.PgListen} (PostgreSQL) and {options.SshListen} (SSH): {e.Message}");
                return 1;
            }
            LocalPostgres? demo = null;
            LocalSshd? demoShell = null;
            WebApplication? demoHttp = null;
            // The demo cluster lives outside the 0700 data directory: as root it runs as the postgres user, who must reach it.
            var demoDirectory = Path.Combine(Path.GetTempPath(), "vigil-demo-" + Guid.NewGuid().ToString("N")[..12]);
            try
            {
                if (options.Demo)
                {
                    demoHttp = await DemoHttpService.StartAsync(app.Services.GetRequiredService<ConnectionRepository>(), app.Services.GetRequiredService<TimeProvider>(), cancellationToken);
                    demo = await StartDemoAsync(app, demoDirectory, cancellationToken);
                    demoShell = await StartDemoShellAsync(app, options.DataDirectory, cancellationToken);
                    app.Services.GetRequiredService<Readiness>().Completed(Readiness.DemoConnection);
                }
                var pg = app.Services.GetRequiredService<PgListener>().Endpoint!;
                Console.WriteLine($"vigil: HTTP API on {GatewayHost.HttpAddress(app)}");
                if (app.Services.GetService<HttpsListener>() is { } tls)
                {
                    Console.WriteLine(tls.SelfSigned
                        ? $"vigil: HTTPS on {GatewayHost.HttpsAddress(app)} (self-signed certificate {Path.Combine(options.DataDirectory, "tls", "server.crt")}, SHA-256 fingerprint {tls.Fingerprint})"
                        : $"vigil: HTTPS on {GatewayHost.HttpsAddress(app)} (certificate {options.TlsCertificatePath}, SHA-256 fingerprint {tls.Fingerprint})");
                }
                Console.WriteLine($"vigil: web console on {app.Services.GetRequiredService<GatewayLinks>().Base}/ (sign in as {options.AdminEmail} " + (
                    newPassword is not null ? $"with the password shown once, also in {passwordFile}: {newPassword})"
                    : generatedPassword is null ? "with VIGIL_ADMIN_PASSWORD)"
                    : File.Exists(passwordFile) ? $"with the first-start password in {passwordFile})"
                    : "with the password VIGIL_ADMIN_PASSWORD gave on first start)"));
                Console.WriteLine($"vigil: PostgreSQL proxy on {pg}");
                var sshListener = app.Services.GetRequiredService<SshGatewayListener>();
                Console.WriteLine(sshListener.Endpoint is { } sshAt
                    ? $"vigil: SSH gateway on {sshAt}, host key {sshListener.HostKeyFingerprint} (ssh -p {sshAt.Port} CONNECTION@{sshAt.Address}, your token as the password)"
                    : "vigil: SSH gateway off (--ssh-listen off)");
                // A token the operator supplied is theirs already: never echo it into a terminal, log or CI output.
                Console.WriteLine(token is null ? $"vigil: admin token: see {(File.Exists(tokenFile) ? tokenFile : "VIGIL_ADMIN_TOKEN")}"
                    : options.AdminToken is not null ? "vigil: bootstrap admin token: the one in VIGIL_ADMIN_TOKEN (not shown)"
                    : $"vigil: bootstrap admin token (shown once, also in {tokenFile}): {token}");
                var shown = options.AdminToken is not null ? "$VIGIL_ADMIN_TOKEN" : token ?? (File.Exists(tokenFile) ? $"$(cat {tokenFile})" : "TOKEN");
                if (demo is not null)
                {
                    Console.WriteLine($"vigil: demo connection ready: psql \"postgresql://me:{shown}@{pg.Address}:{pg.Port}/{DemoDatabase.ConnectionName}\"");
                }
                if (demoShell is not null)
                {
                    Console.WriteLine($"vigil: demo shell ready: vigil exec {DemoShell.ConnectionName} -i 'uname -a' (sshd on 127.0.0.1:{demoShell.Port} as {demoShell.User})");
                    if (sshListener.Endpoint is { } shellAt)
                    {
                        Console.WriteLine($"vigil: demo shell over SSH: ssh -p {shellAt.Port} {DemoShell.ConnectionName}@{shellAt.Address} (password: your token)");
                    }
                }
                if (demoHttp is not null)
                {
                    Console.WriteLine($"vigil: demo HTTP service ready: curl -H \"Authorization: Bearer {shown}\" {GatewayHost.HttpAddress(app).TrimEnd('/')}/proxy/{DemoHttpService.ConnectionName}/customers");
                }
                await app.WaitForShutdownAsync(cancellationToken);
            }
            finally
            {
                await app.StopAsync(CancellationToken.None);
                if (demoHttp is not null)
                {
                    await demoHttp.DisposeAsync();
                }
                if (demo is not null)
                {
                    await demo.DisposeAsync();
                }
                if (demoShell is not null)
                {
                    await demoShell.DisposeAsync();
                }
                try
                {
                    if (Directory.Exists(demoDirectory))
                    {
                        Directory.Delete(demoDirectory, recursive: true);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"vigil: could not remove the demo cluster {demoDirectory}: {e.Message}");
                }
            }
        }
        return 0;
    }

    /// <summary>The demo's shell target, when sshd is installed; says plainly why there is none otherwise.</summary>
    private static async Task<LocalSshd?> StartDemoShellAsync(WebApplication app, string dataDirectory, CancellationToken cancellationToken)
    {
        if (!LocalSshd.IsInstalled)
        {
            Console.WriteLine($"vigil: demo shell skipped: {LocalSshd.SshdPath} not found; install the openssh-server package for the {DemoShell.ConnectionName} connection");
            return null;
        }
        try
        {
            return await DemoShell.StartAsync(
                dataDirectory, app.Services.GetRequiredService<ConnectionRepository>(), app.Services.GetRequiredService<Analysis.Rules.RuleRepository>(),
                app.Services.GetRequiredService<Analysis.Rules.RuleSet>(), app.Services.GetRequiredService<TimeProvider>(), cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Console.WriteLine($"vigil: demo shell failed: {e.Message}");
            return null;
        }
    }

    private static async Task<LocalPostgres?> StartDemoAsync(WebApplication app, string clusterDirectory, CancellationToken cancellationToken)
    {
        if (LocalPostgres.FindBinDirectory() is null)
        {
            Console.WriteLine("vigil: --demo skipped: PostgreSQL server binaries (initdb, postgres) not found; install the postgresql package");
            return null;
        }
        try
        {
            return await DemoDatabase.StartAsync(clusterDirectory, app.Services.GetRequiredService<ConnectionRepository>(), app.Services.GetRequiredService<TimeProvider>(), cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or Npgsql.NpgsqlException or IOException)
        {
            Console.WriteLine($"vigil: --demo failed: {e.Message}");
            return null;
        }
    }
}
