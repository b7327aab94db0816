namespace Vigil.Connections;

/// <summary>
/// Where an <c>http</c> or <c>kubernetes</c> connection forwards to and with which credentials. <see cref="Headers"/>,
/// <see cref="Token"/> and <see cref="ClientKey"/> are secrets: encrypted at rest (<see cref="Security.SecretProtector"/>),
/// write-only in the API (<see cref="ConnectionView"/> shows header names and <c>has_*</c> flags), injected into each
/// forwarded request and never recorded or logged.
/// </summary>
/// <param name="Url">The upstream base address (<c>http</c> or <c>https</c>, optionally with a path prefix, no query).</param>
/// <param name="Headers">Header name → value injected into every forwarded request (type <c>http</c>; e.g. an API key).</param>
/// <param name="Token">Bearer token sent as <c>Authorization</c> (type <c>kubernetes</c>).</param>
/// <param name="ClientCertificate">PEM client certificate for mutual TLS (type <c>kubernetes</c>; with <see cref="ClientKey"/>).</param>
/// <param name="ClientKey">PEM private key of <see cref="ClientCertificate"/>.</param>
/// <param name="CertificateAuthority">PEM CA certificate(s) that the upstream's certificate must chain to; null: the system roots.</param>
/// <param name="InsecureSkipTlsVerify">Accept any upstream certificate (as kubeconfig's <c>insecure-skip-tls-verify</c>).</param>
public sealed record HttpTarget(
    string Url,
    IReadOnlyDictionary<string, string> Headers,
    string? Token,
    string? ClientCertificate,
    string? ClientKey,
    string? CertificateAuthority,
    bool InsecureSkipTlsVerify)
{
    /// <summary>The connection types forwarded over HTTP.</summary>
    public static readonly string[] Types = [ConnectionTypes.Http, ConnectionTypes.Kubernetes];
}

/// <summary>The API spellings of connection types.</summary>
public static class ConnectionTypes
{
    /// <summary>A PostgreSQL server.</summary>
    public const string Postgres = "postgres";

    /// <summary>Any HTTP service, reached through <c>/proxy/{connection}/…</c>.</summary>
    public const string Http = "http";

    /// <summary>A Kubernetes API server, reached through <c>/proxy/{connection}/…</c> (kubectl, client-go).</summary>
    public const string Kubernetes = "kubernetes";

    /// <summary>A host reached over SSH (<c>vigil exec</c>, the API and MCP run one command per exec).</summary>
    public const string Ssh = "ssh";

    /// <summary>True for the types forwarded over HTTP (<see cref="Http"/>, <see cref="Kubernetes"/>).</summary>
    public static bool IsHttp(string type) => type is Http or Kubernetes;
}
