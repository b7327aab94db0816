using System.Text.Json.Nodes;
using Vigil.Connections;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// <c>connection_create</c>, <c>connection_update</c>, <c>connection_delete</c> and <c>connection_test</c> over
/// <c>/api/connections</c> (admins).
/// Reading connections is the user tools' <c>connections_list</c> and <c>connection_get</c>. Secrets (password, headers,
/// token, client key, ssh private key) are write-only: arguments, never in an answer nor in the audit log (redacted). Which fields a type
/// needs is the API's check (a 400 naming the field), so the schema requires only name and type.
/// </summary>
internal static class ConnectionRoutes
{
    public static IEnumerable<ApiRoute> All =>
    [
        new("connection_create", "Register a connection", Audience.Admins, ToolEffect.Create, HttpMethod.Post, "api/connections",
            "Register a target that people and agents reach through Vigil, with the credentials Vigil uses for it; callers "
            + "never see them. `postgres` needs host, database and username (and usually password); `http` and `kubernetes` "
            + "need url, with headers, token or a client certificate as the upstream wants; `ssh` needs host, username, "
            + "private_key or password, and host_key. Only members of `access_groups` "
            + "(and admins) can use it. Secrets (password, headers, token, client_key, private_key) are write-only: stored encrypted and "
            + "never shown again (answers carry `has_password`, `header_names`, `has_token`, `has_client_key`, `has_private_key`).",
            Schema.Object(null, [("name", Schema.String("Unique name (1-63 letters, digits, '_', '-', '.'); clients connect with it as the database name")), .. Fields()],
                "name", "type"),
            Answers.Item("Connection '{name}' registered")),
        new("connection_update", "Change a connection", Audience.Admins, ToolEffect.Change, HttpMethod.Patch, "api/connections/{name}",
            "Change some fields of a connection; fields left out keep their value (the password too: give it only to change it). "
            + "The name cannot change. Open sessions that lose access by the change are ended at once.",
            Schema.Object(null, [("name", Schema.String("The connection to change")), .. Fields()], "name"),
            Answers.Item("Connection '{name}' changed")),
        AdminTools.Delete("connection_delete", "Delete a connection", "api/connections/{name}", "name", "The connection to delete",
            "Delete a connection: its open sessions end at once, and analyzer rules, guardrails and masking rules stop naming it. "
            + "Its recorded sessions stay.",
            "Deleted connection '{name}'; its open sessions were ended."),
        new("connection_test", "Test a connection's connectivity", Audience.Admins, ToolEffect.Read, HttpMethod.Post, "api/connections/{name}/test",
            "Check that Vigil reaches a connection's target with the connection's own credentials, changing nothing: PostgreSQL "
            + "login, an HTTP GET of the base URL, Kubernetes GET /version, or an SSH login with the pinned host key checked "
            + "(at most 10 s). The answer says `ok`, what answered (`target`, e.g. \"PostgreSQL 17.2\") or why not (`failure`: "
            + "unreachable, timeout, tls, authentication, host_key_mismatch or protocol) in a readable `message`. A target that "
            + "cannot be reached is an answer (`ok: false`), not a tool error.",
            Schema.Object(null, [("name", Schema.String("The connection to test"))], "name"),
            (body, _) => ToolResults.Of(body, body?["message"]?.GetValue<string>() ?? "")),
    ];

    /// <summary>Every field of <c>POST /api/connections</c> but <c>name</c> (see <see cref="ConnectionRequest"/>).</summary>
    private static IEnumerable<(string, JsonObject)> Fields() =>
    [
        ("type", Schema.String("Kind of target", ConnectionRequest.SupportedTypes)),
        ("host", Schema.String("The target's host name or address, as Vigil reaches it")),
        ("port", Schema.Integer("The target's TCP port (default 5432; ssh 22)", 1, 65535)),
        ("database", Schema.String("Database name on the target")),
        ("username", Schema.String("User Vigil logs in as")),
        ("password", Schema.String("That user's password: write-only, stored encrypted, never returned")),
        ("ssl_mode", Schema.String("TLS to the target, as libpq's sslmode (default prefer)", ["disable", "prefer", "require", "verify-full"])),
        ("ssl_root_cert", Schema.String("PEM certificate(s) to trust for verify-full, instead of the system roots")),
        ("url", Schema.String("http and kubernetes: the upstream's base URL, e.g. https://10.0.0.1:6443")),
        ("headers", new JsonObject
        {
            ["type"] = "object",
            ["description"] = "http and kubernetes: headers injected into every forwarded request, {name: value} (e.g. an API key): write-only, stored encrypted",
            ["additionalProperties"] = new JsonObject { ["type"] = "string" },
        }),
        ("token", Schema.String("http and kubernetes: bearer token sent upstream (e.g. a Kubernetes service account token): write-only")),
        ("client_certificate", Schema.String("http and kubernetes: PEM client certificate for mutual TLS (with client_key)")),
        ("client_key", Schema.String("http and kubernetes: PEM key of client_certificate: write-only")),
        ("certificate_authority", Schema.String("http and kubernetes: PEM CA(s) the upstream's certificate must chain to (default: the system roots)")),
        ("insecure_skip_tls_verify", Schema.Boolean("http and kubernetes: accept any upstream certificate (as kubeconfig's option)")),
        ("private_key", Schema.String("ssh: the private key Vigil logs in with (OpenSSH or PEM, unencrypted; ed25519, ecdsa or rsa): write-only, stored encrypted")),
        ("host_key", Schema.String("ssh: the target's host key to pin: a line of `ssh-keyscan HOST`, a known_hosts line or a SHA256:… fingerprint; a target presenting another key is refused")),
        ("access_groups", Schema.Strings("Groups whose members may use the connection (default none: admins only); groups must exist (groups_list)")),
        ("access_modes", Schema.Strings("How it may be used: exec (one-off commands, MCP exec) and/or connect (native clients such as psql); default both", ConnectionAccess.Modes)),
        ("review_groups", Schema.Strings("Groups whose members may approve or reject its reviews (default none: admins)")),
        ("min_approvals", Schema.Integer("Distinct approvals a review needs (default 1)", 1, ReviewPolicy.MaxApprovals)),
        ("review_timeout", Schema.String("How long a review waits before it expires, e.g. \"30m\" (default)")),
        ("max_access_duration", Schema.String("Longest just-in-time access a request may ask for, e.g. \"8h\" (default)")),
        ("require_jit_for_connect", Schema.Boolean("Native clients need an approved access request (default false)")),
        ("require_review_for_exec", Schema.Boolean("Every exec command needs a review, whatever its risk (default false)")),
        ("recording", Schema.String("async (default: batched) or strict (a statement runs only once its recording is durable)", ["async", "strict"])),
        ("record_result_rows", Schema.Integer($"Result rows kept per statement in the recording (default {ResultRecording.DefaultRows}; 0 = none)", 0, ResultRecording.MaxRows)),
        ("record_result_bytes", Schema.Integer($"Result bytes kept per statement (default {ResultRecording.DefaultBytes}; 0 = none)", 0, ResultRecording.MaxBytes)),
    ];
}
