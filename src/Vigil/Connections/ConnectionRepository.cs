using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Vigil.Security;
using Vigil.Storage;

namespace Vigil.Connections;

/// <summary>
/// Connections in the store, with the password encrypted by <see cref="SecretProtector"/>; an HTTP target's secrets
/// (headers, token, client key) are one encrypted JSON document <c>{headers, token, client_key}</c>; an ssh target's
/// private key is encrypted on its own, its pinned host key (public) is stored as given.
/// </summary>
public sealed class ConnectionRepository(SqliteStore store, SecretProtector protector)
{
    private const string Columns =
        "name, type, host, port, database, username, password_encrypted, ssl_mode, ssl_root_cert, access_groups, access_modes, created_at, updated_at, " +
        "review_groups, min_approvals, review_timeout_seconds, max_access_duration_seconds, require_jit_for_connect, require_review_for_exec, recording, record_result_rows, record_result_bytes, " +
        "url, secrets_encrypted, client_certificate, certificate_authority, insecure_skip_tls_verify, host_key, private_key_encrypted";

    /// <summary>Inserts <paramref name="connection"/>; false when the name is taken.</summary>
    public async Task<bool> CreateAsync(Connection connection, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        try
        {
            await db.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO connections ({Columns}) VALUES (@name, @type, @host, @port, @database, @username, @password, @ssl_mode, @ssl_root_cert, @access_groups, @access_modes, @created_at, @updated_at, " +
                "@review_groups, @min_approvals, @review_timeout_seconds, @max_access_duration_seconds, @require_jit_for_connect, @require_review_for_exec, @recording, @record_result_rows, @record_result_bytes, " +
                "@url, @secrets, @client_certificate, @certificate_authority, @insecure_skip_tls_verify, @host_key, @private_key)",
                ToRow(connection), cancellationToken: cancellationToken));
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19)
        {
            return false;
        }
    }

    /// <summary>
    /// Raised with a connection's name after it was changed or deleted through this repository (in this gateway), so
    /// holders of a connection's settings (the HTTP proxy's open sessions) stop using the old ones.
    /// </summary>
    public event Action<string>? Changed;

    /// <summary>Replaces every field of an existing connection; false when it does not exist.</summary>
    public async Task<bool> UpdateAsync(Connection connection, CancellationToken cancellationToken)
    {
        var updated = await WriteAsync(connection, cancellationToken);
        if (updated)
        {
            Changed?.Invoke(connection.Name);
        }
        return updated;
    }

    private async Task<bool> WriteAsync(Connection connection, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var changed = await db.ExecuteAsync(new CommandDefinition(
            """
            UPDATE connections SET type=@type, host=@host, port=@port, database=@database, username=@username,
            password_encrypted=@password, ssl_mode=@ssl_mode, ssl_root_cert=@ssl_root_cert, access_groups=@access_groups,
            access_modes=@access_modes, updated_at=@updated_at, review_groups=@review_groups, min_approvals=@min_approvals,
            review_timeout_seconds=@review_timeout_seconds, max_access_duration_seconds=@max_access_duration_seconds,
            require_jit_for_connect=@require_jit_for_connect, require_review_for_exec=@require_review_for_exec, recording=@recording,
            record_result_rows=@record_result_rows, record_result_bytes=@record_result_bytes, url=@url, secrets_encrypted=@secrets,
            client_certificate=@client_certificate, certificate_authority=@certificate_authority, insecure_skip_tls_verify=@insecure_skip_tls_verify,
            host_key=@host_key, private_key_encrypted=@private_key
            WHERE name=@name
            """,
            ToRow(connection), cancellationToken: cancellationToken));
        return changed == 1;
    }

    /// <summary>Deletes by name; false when it does not exist.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var deleted = await db.ExecuteAsync(new CommandDefinition(
            "DELETE FROM connections WHERE name=@name", new { name }, cancellationToken: cancellationToken)) == 1;
        if (deleted)
        {
            Changed?.Invoke(name);
        }
        return deleted;
    }

    /// <summary>The connection named <paramref name="name"/> with its password decrypted, or null.</summary>
    public async Task<Connection?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM connections WHERE name=@name", new { name }, cancellationToken: cancellationToken));
        return row is null ? null : FromRow(row);
    }

    /// <summary>Every connection ordered by name (callers filter by visibility, then page).</summary>
    public async Task<IReadOnlyList<Connection>> ListAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<Row>(new CommandDefinition($"SELECT {Columns} FROM connections ORDER BY name", cancellationToken: cancellationToken));
        return rows.Select(FromRow).ToList();
    }

    private object ToRow(Connection c) => new
    {
        name = c.Name,
        type = c.Type,
        host = c.Host,
        port = c.Port,
        database = c.Database,
        username = c.Username,
        password = c.Password is null ? null : protector.Protect(c.Password, Purpose(c.Name)),
        ssl_mode = c.SslMode.ToText(),
        ssl_root_cert = c.SslRootCert,
        access_groups = JsonSerializer.Serialize(c.AccessGroups),
        access_modes = JsonSerializer.Serialize(c.AccessModes),
        created_at = Rfc3339.Format(c.CreatedAt),
        updated_at = Rfc3339.Format(c.UpdatedAt),
        review_groups = JsonSerializer.Serialize(c.Reviews.ReviewGroups),
        min_approvals = c.Reviews.MinApprovals,
        review_timeout_seconds = (long)c.Reviews.ReviewTimeout.TotalSeconds,
        max_access_duration_seconds = (long)c.Reviews.MaxAccessDuration.TotalSeconds,
        require_jit_for_connect = c.Reviews.RequireJitForConnect,
        require_review_for_exec = c.Reviews.RequireReviewForExec,
        recording = c.Recording.ToText(),
        record_result_rows = c.RecordResultRows,
        record_result_bytes = c.RecordResultBytes,
        url = c.Http?.Url,
        secrets = c.Http is { } h ? protector.Protect(JsonSerializer.Serialize(new Secrets(h.Headers, h.Token, h.ClientKey)), SecretsPurpose(c.Name)) : null,
        client_certificate = c.Http?.ClientCertificate,
        certificate_authority = c.Http?.CertificateAuthority,
        insecure_skip_tls_verify = c.Http?.InsecureSkipTlsVerify ?? false,
        host_key = c.Ssh?.HostKey,
        private_key = c.Ssh?.PrivateKey is { } key ? protector.Protect(key, PrivateKeyPurpose(c.Name)) : null,
    };

    private Connection FromRow(Row r)
    {
        SslModes.TryParse(r.ssl_mode, out var sslMode);
        return new Connection(
            r.name, r.type, r.host, (int)r.port, r.database, r.username,
            r.password_encrypted is null ? null : protector.Unprotect(r.password_encrypted, Purpose(r.name)),
            sslMode, r.ssl_root_cert, JsonSerializer.Deserialize<string[]>(r.access_groups)!, JsonSerializer.Deserialize<string[]>(r.access_modes)!,
            Rfc3339.Parse(r.created_at), Rfc3339.Parse(r.updated_at),
            new ReviewPolicy(
                JsonSerializer.Deserialize<string[]>(r.review_groups)!, (int)r.min_approvals, TimeSpan.FromSeconds(r.review_timeout_seconds),
                TimeSpan.FromSeconds(r.max_access_duration_seconds), r.require_jit_for_connect != 0, r.require_review_for_exec != 0),
            RecordingModes.TryParse(r.recording, out var recording) ? recording : RecordingMode.Async,
            (int)r.record_result_rows, (int)r.record_result_bytes, HttpTargetOf(r), SshTargetOf(r));
    }

    private HttpTarget? HttpTargetOf(Row r)
    {
        if (r.url is null)
        {
            return null;
        }
        var secrets = r.secrets_encrypted is null ? null : JsonSerializer.Deserialize<Secrets>(protector.Unprotect(r.secrets_encrypted, SecretsPurpose(r.name)));
        return new HttpTarget(
            r.url, new Dictionary<string, string>(secrets?.Headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase), secrets?.Token,
            r.client_certificate, secrets?.ClientKey, r.certificate_authority, r.insecure_skip_tls_verify != 0);
    }

    private SshTarget? SshTargetOf(Row r) => r.host_key is null
        ? null
        : new SshTarget(r.private_key_encrypted is null ? null : protector.Unprotect(r.private_key_encrypted, PrivateKeyPurpose(r.name)), r.host_key);

    private static string PrivateKeyPurpose(string name) => $"connection:{name}:private_key";

    private static string Purpose(string name) => $"connection:{name}:password";

    private static string SecretsPurpose(string name) => $"connection:{name}:secrets";

    /// <summary>The encrypted part of an <see cref="HttpTarget"/>.</summary>
    private sealed record Secrets(IReadOnlyDictionary<string, string> Headers, string? Token, string? ClientKey);

#pragma warning disable IDE1006 // column names
    private sealed class Row
    {
        public string name { get; set; } = "";
        public string type { get; set; } = "";
        public string host { get; set; } = "";
        public long port { get; set; }
        public string database { get; set; } = "";
        public string username { get; set; } = "";
        public string? password_encrypted { get; set; }
        public string ssl_mode { get; set; } = "";
        public string? ssl_root_cert { get; set; }
        public string access_groups { get; set; } = "[]";
        public string access_modes { get; set; } = "[]";
        public string created_at { get; set; } = "";
        public string updated_at { get; set; } = "";
        public string review_groups { get; set; } = "[]";
        public long min_approvals { get; set; } = 1;
        public long review_timeout_seconds { get; set; } = 1800;
        public long max_access_duration_seconds { get; set; } = 28800;
        public long require_jit_for_connect { get; set; }
        public long require_review_for_exec { get; set; }
        public string recording { get; set; } = "async";
        public long record_result_rows { get; set; } = ResultRecording.DefaultRows;
        public long record_result_bytes { get; set; } = ResultRecording.DefaultBytes;
        public string? url { get; set; }
        public string? secrets_encrypted { get; set; }
        public string? client_certificate { get; set; }
        public string? certificate_authority { get; set; }
        public long insecure_skip_tls_verify { get; set; }
        public string? host_key { get; set; }
        public string? private_key_encrypted { get; set; }
    }
#pragma warning restore IDE1006
}
