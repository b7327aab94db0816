using System.Text.Json.Serialization;

namespace Vigil.Connections;

/// <summary>
/// A registered target. <see cref="Password"/> is decrypted only inside the gateway (proxy, exec) and is never
/// serialized: API output goes through <see cref="ConnectionView"/>. <see cref="AccessGroups"/> (empty = admins only)
/// and <see cref="AccessModes"/> (<c>exec</c>, <c>connect</c>) drive <see cref="ConnectionAccess"/>;
/// <see cref="Reviews"/> drives reviews and just-in-time access; <see cref="Recording"/> whether a statement waits for
/// its input event to be durable before it is forwarded; <see cref="RecordResultRows"/> and <see cref="RecordResultBytes"/>
/// how much of each statement's (masked) result the session keeps (<see cref="ResultRecording"/>; 0 = off).
/// Connections of type <c>http</c> and <c>kubernetes</c> carry their upstream in <see cref="Http"/> (with
/// <see cref="Host"/> and <see cref="Port"/> taken from its URL, <see cref="Database"/> and <see cref="Username"/> empty);
/// connections of type <c>ssh</c> carry their private key and pinned host key in <see cref="Ssh"/> (<see cref="Database"/>
/// empty, <see cref="Password"/> the optional login password).
/// </summary>
public sealed record Connection(
    string Name,
    string Type,
    string Host,
    int Port,
    string Database,
    string Username,
    string? Password,
    SslMode SslMode,
    string? SslRootCert,
    IReadOnlyList<string> AccessGroups,
    IReadOnlyList<string> AccessModes,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    ReviewPolicy Reviews,
    RecordingMode Recording = RecordingMode.Async,
    int RecordResultRows = ResultRecording.DefaultRows,
    int RecordResultBytes = ResultRecording.DefaultBytes,
    HttpTarget? Http = null,
    SshTarget? Ssh = null);

/// <summary>
/// The API shape of a connection (hoop's field names); secrets are reduced to <c>has_password</c>. Review settings are
/// flat fields: <c>review_groups[]</c>, <c>min_approvals</c>, <c>review_timeout</c> and <c>max_access_duration</c>
/// (durations such as "30m"), <c>require_jit_for_connect</c>, <c>require_review_for_exec</c>; <c>recording</c> is
/// <c>async</c> or <c>strict</c>. For <c>http</c> and <c>kubernetes</c> connections: <c>url</c>, <c>header_names</c>
/// (the injected headers' names, never their values), <c>has_token</c>, <c>has_client_certificate</c>,
/// <c>has_client_key</c>, <c>has_certificate_authority</c> and <c>insecure_skip_tls_verify</c>; these fields are
/// absent for other types. For <c>ssh</c> connections: <c>has_private_key</c>, <c>host_key</c> (as given) and
/// <c>host_key_fingerprint</c> (<c>SHA256:…</c>).
/// </summary>
public sealed record ConnectionView(
    string Name,
    string Type,
    string Host,
    int Port,
    string Database,
    string Username,
    bool HasPassword,
    string SslMode,
    bool HasSslRootCert,
    IReadOnlyList<string> AccessGroups,
    IReadOnlyList<string> AccessModes,
    IReadOnlyList<string> ReviewGroups,
    int MinApprovals,
    string ReviewTimeout,
    string MaxAccessDuration,
    bool RequireJitForConnect,
    bool RequireReviewForExec,
    string Recording,
    int RecordResultRows,
    int RecordResultBytes,
    string CreatedAt,
    string UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? HeaderNames = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? HasToken = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? HasClientCertificate = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? HasClientKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? HasCertificateAuthority = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? InsecureSkipTlsVerify = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? HasPrivateKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HostKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? HostKeyFingerprint = null)
{
    /// <summary>Projects a connection without its secrets.</summary>
    public static ConnectionView From(Connection c) => new(
        c.Name, c.Type, c.Host, c.Port, c.Database, c.Username, c.Password is not null, c.SslMode.ToText(),
        c.SslRootCert is not null, c.AccessGroups, c.AccessModes, c.Reviews.ReviewGroups, c.Reviews.MinApprovals,
        Hosting.DurationText.Format(c.Reviews.ReviewTimeout), Hosting.DurationText.Format(c.Reviews.MaxAccessDuration),
        c.Reviews.RequireJitForConnect, c.Reviews.RequireReviewForExec, c.Recording.ToText(), c.RecordResultRows, c.RecordResultBytes, Storage.Rfc3339.Format(c.CreatedAt), Storage.Rfc3339.Format(c.UpdatedAt),
        c.Http?.Url, c.Http is { } h ? h.Headers.Keys.Order(StringComparer.OrdinalIgnoreCase).ToArray() : null, c.Http is null ? null : c.Http.Token is not null,
        c.Http is null ? null : c.Http.ClientCertificate is not null, c.Http is null ? null : c.Http.ClientKey is not null,
        c.Http is null ? null : c.Http.CertificateAuthority is not null, c.Http?.InsecureSkipTlsVerify,
        c.Ssh is null ? null : c.Ssh.PrivateKey is not null, c.Ssh?.HostKey, c.Ssh?.Pin.Fingerprint);
}
