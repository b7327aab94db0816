using System.Net;

namespace Vigil.Hosting;

/// <summary>Settings of <c>vigil serve</c>; each has a flag and an environment variable (DESIGN.md external contract).</summary>
public sealed class GatewayOptions
{
    /// <summary>Data directory (<c>--data</c>, <c>VIGIL_DATA_DIR</c>; default <c>./.vigil</c>): store, keys, certificates, demo server.</summary>
    public string DataDirectory { get; set; } = Path.GetFullPath(".vigil");

    /// <summary>HTTP API address (<c>--http-listen</c>, <c>VIGIL_HTTP_LISTEN</c>), "HOST:PORT"; port 0 picks a free one.</summary>
    public string HttpListen { get; set; } = "127.0.0.1:8009";

    /// <summary>
    /// HTTPS listener (<c>--https-listen</c>, <c>VIGIL_HTTPS_LISTEN</c>), "HOST:PORT", or null for none: the same
    /// endpoints as the HTTP listener (API, console, <c>/proxy/</c>) over TLS with the certificate of
    /// <see cref="TlsCertificatePath"/> (self-signed when absent). kubectl sends a bearer token only over TLS.
    /// </summary>
    public string? HttpsListen { get; set; }

    /// <summary>PostgreSQL listener (<c>--pg-listen</c>, <c>VIGIL_PG_LISTEN</c>), "HOST:PORT"; port 0 picks a free one.</summary>
    public string PgListen { get; set; } = "127.0.0.1:15432";

    /// <summary>Native SSH listener (<c>--ssh-listen</c>, <c>VIGIL_SSH_LISTEN</c>), "HOST:PORT"; port 0 picks a free one; <c>off</c> disables it.</summary>
    public string SshListen { get; set; } = "127.0.0.1:2222";

    /// <summary>Store (<c>--store</c>, <c>VIGIL_STORE</c>): "sqlite" (embedded, in the data directory).</summary>
    public string Store { get; set; } = "sqlite";

    /// <summary>Bootstrap admin token used on first start (<c>VIGIL_ADMIN_TOKEN</c>).</summary>
    public string? AdminToken { get; set; }

    /// <summary>Master key override (<c>VIGIL_MASTER_KEY</c>), base64 or hex of 32 bytes.</summary>
    public string? MasterKey { get; set; }

    /// <summary>PEM certificate for client TLS, PostgreSQL and HTTPS listeners (<c>--tls-cert</c>, <c>VIGIL_TLS_CERT</c>); self-signed when absent.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key for <see cref="TlsCertificatePath"/> (<c>--tls-key</c>, <c>VIGIL_TLS_KEY</c>).</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>Largest accepted frontend message in bytes (<c>--max-message-size</c>, <c>VIGIL_PG_MAX_MESSAGE_SIZE</c>; default 64 MiB).</summary>
    public int MaxMessageSize { get; set; } = 64 * 1024 * 1024;

    /// <summary>Time a client has to finish TLS, startup and authentication (<c>VIGIL_PG_STARTUP_TIMEOUT</c> seconds; default 10 s).</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Server-side statement timeout of exec sessions (<c>VIGIL_EXEC_STATEMENT_TIMEOUT</c> seconds; default 60 s).</summary>
    public TimeSpan ExecStatementTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>E-mail of the bootstrap admin user created on first start (<c>VIGIL_ADMIN_EMAIL</c>; default <c>admin@vigil.local</c>).</summary>
    public string AdminEmail { get; set; } = "admin@vigil.local";

    /// <summary>Local password given to the bootstrap admin on first start (<c>VIGIL_ADMIN_PASSWORD</c>); none by default.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>
    /// The address users reach the gateway at (<c>VIGIL_PUBLIC_URL</c>), for OIDC redirect URIs and links; default the
    /// HTTP listener's address.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>Absolute lifetime of a browser session after login (<c>VIGIL_SESSION_LIFETIME</c>, a duration such as "8h"; default 8 h).</summary>
    public TimeSpan BrowserSessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Login attempts allowed per e-mail address per <see cref="LoginWindow"/> (<c>VIGIL_LOGIN_ATTEMPTS_PER_USER</c>; default 10).</summary>
    public int LoginAttemptsPerUser { get; set; } = 10;

    /// <summary>Login attempts allowed per source address per <see cref="LoginWindow"/> (<c>VIGIL_LOGIN_ATTEMPTS_PER_ADDRESS</c>; default 50).</summary>
    public int LoginAttemptsPerAddress { get; set; } = 50;

    /// <summary>The fixed window the login limits count in (default 15 min).</summary>
    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>OpenID Connect login, or null when not configured (<c>VIGIL_OIDC_*</c>).</summary>
    public Identity.Oidc.OidcOptions? Oidc { get; set; }

    /// <summary>
    /// How the IdP's group claim values map to Vigil groups (<c>VIGIL_OIDC_GROUP_MAP</c>, "idp-group=vigil-group,…").
    /// A claim value without a mapping is used as is when a Vigil group of that name exists; others are ignored.
    /// </summary>
    public IReadOnlyDictionary<string, string> OidcGroupMap { get; set; } = new Dictionary<string, string>();

    /// <summary>Lifetime of the API token <c>vigil login</c> receives (<c>VIGIL_CLI_TOKEN_LIFETIME</c>; default 30 days).</summary>
    public TimeSpan CliTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Longest lifetime of an API token created from a browser session, which is also the lifetime of one created there
    /// without <c>expires_in</c>, and a cap on the <c>vigil login</c> token (<c>VIGIL_MAX_TOKEN_LIFETIME</c>, a duration
    /// such as "90d"; default 90 days). Tokens created with a token are capped by that token instead.
    /// </summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Ask PostgreSQL clients for their token in cleartext on unencrypted connections from non-loopback addresses
    /// (<c>--allow-cleartext-password</c>, <c>VIGIL_ALLOW_CLEARTEXT_PASSWORD=true</c>; default off: such clients must use
    /// TLS or SCRAM-SHA-256). A warning is logged at start when on.
    /// </summary>
    public bool AllowCleartextPassword { get; set; }

    /// <summary>How long a provider verdict stays in the verdict cache (<c>VIGIL_ANALYSIS_CACHE_TTL</c>; default 1 hour; 0 disables it).</summary>
    public TimeSpan AnalysisCacheTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a validated API token is reused before the store is read again (<c>VIGIL_TOKEN_CACHE_TTL</c>, a duration
    /// such as "10s"; default 10 s; 0 disables it). Revocations and account changes made through this gateway apply at
    /// once; made through another gateway sharing the store, within this time (<see cref="Identity.Tokens.TokenCache"/>).
    /// </summary>
    public TimeSpan TokenCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most verdicts the cache holds (<c>VIGIL_ANALYSIS_CACHE_ENTRIES</c>; default 100000).</summary>
    public int AnalysisCacheEntries { get; set; } = 100_000;

    /// <summary>Longest prefix of a command the analyzer reads, characters (<c>VIGIL_ANALYSIS_MAX_INPUT</c>; default 1 Mi); see <see cref="Pipeline.StatementLimits"/>.</summary>
    public int AnalysisMaxInput { get; set; } = Pipeline.StatementLimits.DefaultAnalysisMaxInput;

    /// <summary>Longest statement text a recording keeps, characters (<c>VIGIL_RECORDING_MAX_TEXT</c>; default 64 Ki); see <see cref="Pipeline.StatementLimits"/>.</summary>
    public int RecordingMaxText { get; set; } = Sessions.RecordedText.DefaultMaxLength;

    /// <summary>Most bytes of asciicast event lines a terminal recording keeps per stream (<c>VIGIL_TERMINAL_MAX_BYTES</c>; default 64 MiB); see <see cref="Sessions.Terminal.TerminalOptions"/>.</summary>
    public long TerminalMaxBytes { get; set; } = Sessions.Terminal.TerminalOptions.DefaultMaxBytes;

    /// <summary>
    /// Delay before the first retry of a failed webhook delivery (<c>VIGIL_WEBHOOK_RETRY_BASE</c>, a duration such as
    /// "5s"; default 5 s). Each further retry waits twice as long, up to <see cref="WebhookRetryCap"/>, plus up to 25 % jitter.
    /// </summary>
    public TimeSpan WebhookRetryBase { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest delay between two webhook delivery attempts (<c>VIGIL_WEBHOOK_RETRY_CAP</c>; default 1 h).</summary>
    public TimeSpan WebhookRetryCap { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Attempts before a webhook delivery is marked <c>failed</c> (<c>VIGIL_WEBHOOK_MAX_ATTEMPTS</c>; default 10).</summary>
    public int WebhookMaxAttempts { get; set; } = 10;

    /// <summary>Time one webhook delivery attempt may take, from connecting to the end of the answer (<c>VIGIL_WEBHOOK_TIMEOUT</c>; default 10 s).</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Webhook deliveries in flight at once across all endpoints (<c>VIGIL_WEBHOOK_CONCURRENCY</c>; default 16).</summary>
    public int WebhookConcurrency { get; set; } = 16;

    /// <summary>Bounds of the HTTP proxy <c>/proxy/{connection}/…</c> (<c>VIGIL_PROXY_*</c>, <see cref="Adapters.Http.ProxyLimits.FromEnvironment"/>).</summary>
    public Adapters.Http.ProxyLimits Proxy { get; set; } = new();

    /// <summary>Start a throwaway PostgreSQL and register it as connection <c>demo</c> (<c>--demo</c>).</summary>
    public bool Demo { get; set; }

    /// <summary>Parses "HOST:PORT" (IPv6 as "[::1]:PORT"; "localhost" means loopback).</summary>
    /// <exception cref="FormatException">Not a host and port.</exception>
    public static IPEndPoint ParseEndpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out var port) || port is < 0 or > 65535)
        {
            throw new FormatException($"'{text}' is not HOST:PORT");
        }
        var host = text[..colon].Trim('[', ']');
        var address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "0.0.0.0" => IPAddress.Any,
            _ => IPAddress.TryParse(host, out var ip) ? ip : throw new FormatException($"'{host}' is not an IP address"),
        };
        return new IPEndPoint(address, port);
    }
}
