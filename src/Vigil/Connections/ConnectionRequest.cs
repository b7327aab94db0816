using System.Text.RegularExpressions;
using Vigil.Hosting;
using Vigil.Identity.Groups;

namespace Vigil.Connections;

/// <summary>
/// Body of <c>POST /api/connections</c> and <c>PUT /api/connections/{name}</c>:
/// <c>{name, type:"postgres", host, port (default 5432), database, username, password?, ssl_mode (default prefer),
/// ssl_root_cert? (PEM), access_groups? (default [] = admins only), access_modes? (default ["exec","connect"]),
/// review_groups? (default [] = admins decide), min_approvals? (1–10, default 1), review_timeout? (default "30m"),
/// max_access_duration? (default "8h"), require_jit_for_connect? (default false), require_review_for_exec? (default false),
/// recording? (async | strict, default async), record_result_rows? (0–10,000, default 100; 0 = off),
/// record_result_bytes? (0–16 MiB, default 65536; 0 = off)}</c>.
/// Types <c>http</c> and <c>kubernetes</c> take <c>{url, headers? {name: value}, token?, client_certificate? +
/// client_key? (PEM), certificate_authority? (PEM), insecure_skip_tls_verify?}</c> instead of the PostgreSQL fields
/// (<see cref="HttpTargetRequest"/>); <c>headers</c>, <c>token</c> and <c>client_key</c> are secrets.
/// Type <c>ssh</c> takes <c>{host, port? (default 22), username, private_key? (OpenSSH or PEM, unencrypted) and/or
/// password?, host_key (public key line, known_hosts line or SHA256:… fingerprint)}</c> (<see cref="SshTargetRequest"/>);
/// <c>private_key</c> and <c>password</c> are secrets.
/// <c>PATCH</c> sends any subset and is merged over the stored connection (<see cref="MergeOver"/>).
/// </summary>
public sealed partial record ConnectionRequest(
    string? Name,
    string? Type,
    string? Host,
    int? Port,
    string? Database,
    string? Username,
    string? Password,
    string? SslMode,
    string? SslRootCert,
    string[]? AccessGroups = null,
    string[]? AccessModes = null,
    string[]? ReviewGroups = null,
    int? MinApprovals = null,
    string? ReviewTimeout = null,
    string? MaxAccessDuration = null,
    bool? RequireJitForConnect = null,
    bool? RequireReviewForExec = null,
    string? Recording = null,
    int? RecordResultRows = null,
    int? RecordResultBytes = null,
    string? Url = null,
    Dictionary<string, string>? Headers = null,
    string? Token = null,
    string? ClientCertificate = null,
    string? ClientKey = null,
    string? CertificateAuthority = null,
    bool? InsecureSkipTlsVerify = null,
    string? PrivateKey = null,
    string? HostKey = null)
{
    /// <summary>Connection types the gateway can proxy today.</summary>
    public static readonly string[] SupportedTypes = [ConnectionTypes.Postgres, ConnectionTypes.Http, ConnectionTypes.Kubernetes, ConnectionTypes.Ssh];

    /// <summary>Validates and builds the connection; on failure returns the message naming the bad field.</summary>
    public (Connection? Connection, string? Error) ToConnection(string? nameOverride, DateTimeOffset now, DateTimeOffset? createdAt = null)
    {
        var name = nameOverride ?? Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            return (null, "missing field 'name'");
        }
        if (!NamePattern().IsMatch(name))
        {
            return (null, "field 'name' must be 1-63 characters of letters, digits, '_', '-' or '.', starting with a letter or digit");
        }
        if (string.IsNullOrWhiteSpace(Type))
        {
            return (null, "missing field 'type'");
        }
        if (!SupportedTypes.Contains(Type))
        {
            return (null, $"field 'type': unsupported connection type '{Type}' (supported: {string.Join(", ", SupportedTypes)})");
        }
        var (target, targetError) = ConnectionTypes.IsHttp(Type) ? HttpFields() : Type == ConnectionTypes.Ssh ? SshFields() : PostgresFields();
        if (targetError is not null)
        {
            return (null, targetError);
        }
        if (AccessGroups?.FirstOrDefault(g => !GroupNames.IsValid(g)) is { } badGroup)
        {
            return (null, $"field 'access_groups': '{badGroup}' is not a group name");
        }
        if (AccessModes?.FirstOrDefault(m => !ConnectionAccess.Modes.Contains(m)) is { } badMode)
        {
            return (null, $"field 'access_modes': unknown mode '{badMode}' (modes: {string.Join(", ", ConnectionAccess.Modes)})");
        }
        if (!RecordingModes.TryParse(Recording, out var recording))
        {
            return (null, $"field 'recording' must be one of {RecordingModes.Accepted}");
        }
        if (ResultRecording.Validate(RecordResultRows, RecordResultBytes) is { } resultError)
        {
            return (null, resultError);
        }
        var (reviews, reviewError) = ToReviewPolicy();
        if (reviewError is not null)
        {
            return (null, reviewError);
        }
        return (target! with
        {
            Name = name,
            AccessGroups = (AccessGroups ?? []).Distinct(StringComparer.Ordinal).ToArray(),
            AccessModes = (AccessModes ?? ConnectionAccess.Modes).Distinct(StringComparer.Ordinal).ToArray(),
            CreatedAt = createdAt ?? now,
            UpdatedAt = now,
            Reviews = reviews!,
            Recording = recording,
            RecordResultRows = RecordResultRows ?? ResultRecording.DefaultRows,
            RecordResultBytes = RecordResultBytes ?? ResultRecording.DefaultBytes,
        }, null);
    }

    /// <summary>The PostgreSQL fields as a connection template (name, access and policy fields are set by the caller).</summary>
    private (Connection? Template, string? Error) PostgresFields()
    {
        if (Url is not null || Headers is not null || Token is not null || ClientCertificate is not null || ClientKey is not null || CertificateAuthority is not null || InsecureSkipTlsVerify is not null)
        {
            return (null, "fields 'url', 'headers', 'token', 'client_certificate', 'client_key', 'certificate_authority' and 'insecure_skip_tls_verify' apply to http and kubernetes connections only");
        }
        if (PrivateKey is not null || HostKey is not null)
        {
            return (null, "fields 'private_key' and 'host_key' apply to ssh connections only");
        }
        if (string.IsNullOrWhiteSpace(Host))
        {
            return (null, "missing field 'host'");
        }
        if (Port is < 1 or > 65535)
        {
            return (null, "field 'port' must be between 1 and 65535");
        }
        if (string.IsNullOrWhiteSpace(Database))
        {
            return (null, "missing field 'database'");
        }
        if (string.IsNullOrWhiteSpace(Username))
        {
            return (null, "missing field 'username'");
        }
        if (!SslModes.TryParse(SslMode, out var sslMode))
        {
            return (null, $"field 'ssl_mode' must be one of {SslModes.Accepted}");
        }
        if (SslRootCert is not null && !SslRootCert.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            return (null, "field 'ssl_root_cert' must be PEM text (-----BEGIN CERTIFICATE-----)");
        }
        return (Template(Type!, Host, Port ?? 5432, Database, Username, Password, sslMode, SslRootCert, null), null);
    }

    /// <summary>
    /// The HTTP fields as a connection template: host and port come from the URL, and <c>ssl_mode</c> reads as what
    /// the URL and TLS settings amount to (disable for http://, require when verification is skipped, else verify-full).
    /// </summary>
    private (Connection? Template, string? Error) HttpFields()
    {
        if (!string.IsNullOrEmpty(Password) || !string.IsNullOrEmpty(Database) || !string.IsNullOrEmpty(Username))
        {
            return (null, $"fields 'password', 'database' and 'username' do not apply to {Type} connections; credentials go in 'headers' or 'token'");
        }
        if (PrivateKey is not null || HostKey is not null)
        {
            return (null, "fields 'private_key' and 'host_key' apply to ssh connections only");
        }
        var (target, error) = HttpTargetRequest.Validate(Url, Headers, Token, ClientCertificate, ClientKey, CertificateAuthority, InsecureSkipTlsVerify);
        if (target is null)
        {
            return (null, error);
        }
        var uri = new Uri(target.Url);
        var sslMode = uri.Scheme == "http" ? Connections.SslMode.Disable : target.InsecureSkipTlsVerify ? Connections.SslMode.Require : Connections.SslMode.VerifyFull;
        return (Template(Type!, uri.Host, uri.Port, "", "", null, sslMode, null, target), null);
    }

    /// <summary>The SSH fields as a connection template (<see cref="SshTargetRequest"/>).</summary>
    private (Connection? Template, string? Error) SshFields()
    {
        if (Url is not null || Headers is not null || Token is not null || ClientCertificate is not null || ClientKey is not null || CertificateAuthority is not null || InsecureSkipTlsVerify is not null || SslRootCert is not null)
        {
            return (null, "fields 'url', 'headers', 'token', 'client_certificate', 'client_key', 'certificate_authority', 'insecure_skip_tls_verify' and 'ssl_root_cert' do not apply to ssh connections");
        }
        if (!string.IsNullOrEmpty(Database))
        {
            return (null, "field 'database' does not apply to ssh connections");
        }
        if (string.IsNullOrWhiteSpace(Host))
        {
            return (null, "missing field 'host'");
        }
        if (Port is < 1 or > 65535)
        {
            return (null, "field 'port' must be between 1 and 65535");
        }
        if (string.IsNullOrWhiteSpace(Username))
        {
            return (null, "missing field 'username'");
        }
        var (target, error) = SshTargetRequest.Validate(PrivateKey, Password, HostKey);
        if (target is null)
        {
            return (null, error);
        }
        // The transport is always encrypted and the host key pinned: the closest ssl_mode is verify-full.
        return (Template(Type!, Host, Port ?? 22, "", Username, string.IsNullOrEmpty(Password) ? null : Password, Connections.SslMode.VerifyFull, null, null) with { Ssh = target }, null);
    }

    private static Connection Template(string type, string host, int port, string database, string username, string? password, SslMode sslMode, string? sslRootCert, HttpTarget? http) =>
        new("", type, host, port, database, username, password, sslMode, sslRootCert, [], [], default, default, ReviewPolicy.Default, Http: http);

    private (ReviewPolicy? Policy, string? Error) ToReviewPolicy()
    {
        var defaults = ReviewPolicy.Default;
        if (ReviewGroups?.FirstOrDefault(g => !GroupNames.IsValid(g)) is { } badGroup)
        {
            return (null, $"field 'review_groups': '{badGroup}' is not a group name");
        }
        if (MinApprovals is < 1 or > ReviewPolicy.MaxApprovals)
        {
            return (null, $"field 'min_approvals' must be between 1 and {ReviewPolicy.MaxApprovals}");
        }
        var timeout = defaults.ReviewTimeout;
        if (ReviewTimeout is not null && !DurationText.TryParse(ReviewTimeout, out timeout))
        {
            return (null, "field 'review_timeout' must be a duration such as \"30m\" or \"5s\"");
        }
        var maxAccess = defaults.MaxAccessDuration;
        if (MaxAccessDuration is not null && !DurationText.TryParse(MaxAccessDuration, out maxAccess))
        {
            return (null, "field 'max_access_duration' must be a duration such as \"8h\" or \"30m\"");
        }
        if (timeout < TimeSpan.FromSeconds(1) || maxAccess < TimeSpan.FromSeconds(1))
        {
            return (null, "review durations must be at least 1s");
        }
        return (new ReviewPolicy(
            (ReviewGroups ?? []).Distinct(StringComparer.Ordinal).ToArray(), MinApprovals ?? defaults.MinApprovals, timeout, maxAccess,
            RequireJitForConnect ?? false, RequireReviewForExec ?? false), null);
    }

    /// <summary>This request's non-null fields laid over <paramref name="existing"/> (PATCH semantics).</summary>
    public ConnectionRequest MergeOver(Connection existing) => new ConnectionRequest(
        existing.Name, Type ?? existing.Type, Host ?? existing.Host, Port ?? existing.Port, Database ?? existing.Database,
        Username ?? existing.Username, Password ?? existing.Password, SslMode ?? existing.SslMode.ToText(),
        SslRootCert ?? existing.SslRootCert, AccessGroups ?? [.. existing.AccessGroups], AccessModes ?? [.. existing.AccessModes],
        ReviewGroups ?? [.. existing.Reviews.ReviewGroups], MinApprovals ?? existing.Reviews.MinApprovals,
        ReviewTimeout ?? DurationText.Format(existing.Reviews.ReviewTimeout), MaxAccessDuration ?? DurationText.Format(existing.Reviews.MaxAccessDuration),
        RequireJitForConnect ?? existing.Reviews.RequireJitForConnect, RequireReviewForExec ?? existing.Reviews.RequireReviewForExec,
        Recording ?? existing.Recording.ToText(), RecordResultRows ?? existing.RecordResultRows, RecordResultBytes ?? existing.RecordResultBytes)
    {
        // The secrets this request gives replace the stored ones; KeepingSecretsOf fills in the ones it does not give.
        Headers = Headers,
        Token = Token,
        ClientKey = ClientKey,
        PrivateKey = PrivateKey,
        Url = Url ?? existing.Http?.Url,
        ClientCertificate = ClientCertificate ?? (Token is null ? existing.Http?.ClientCertificate : null),
        CertificateAuthority = CertificateAuthority ?? existing.Http?.CertificateAuthority,
        InsecureSkipTlsVerify = InsecureSkipTlsVerify ?? existing.Http?.InsecureSkipTlsVerify,
        HostKey = HostKey ?? existing.Ssh?.HostKey,
    }.KeepingSecretsOf(existing);

    /// <summary>
    /// PUT and PATCH without a secret keep the stored one (clients never read secrets back): the password, the headers,
    /// the token or client key unless the request switches to the other kind of credential, and an ssh connection's
    /// private key.
    /// </summary>
    public ConnectionRequest KeepingSecretsOf(Connection existing) => this with
    {
        Password = Password ?? existing.Password,
        Headers = Headers ?? existing.Http?.Headers.ToDictionary(StringComparer.OrdinalIgnoreCase),
        Token = Token ?? (ClientCertificate is null && ClientKey is null ? existing.Http?.Token : null),
        ClientKey = ClientKey ?? (Token is null ? existing.Http?.ClientKey : null),
        PrivateKey = PrivateKey ?? (Type == ConnectionTypes.Ssh ? existing.Ssh?.PrivateKey : null),
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex NamePattern();
}
