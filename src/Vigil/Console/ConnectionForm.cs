using System.Globalization;
using Vigil.Connections;

namespace Vigil.WebConsole;

/// <summary>
/// The connection form as typed, for every connection type (<c>postgres</c>, <c>http</c>, <c>kubernetes</c>,
/// <c>ssh</c>): the fields the API returns, as text so a refused form comes back as it was; groups are
/// comma-separated. Write-only fields (passwords, tokens, injected headers, keys, certificates) are never part of it:
/// they are read from the post by <see cref="ToRequest"/> only, and an empty one keeps what is stored.
/// </summary>
public sealed record ConnectionForm(
    string Type, string? Name, string? Host, string? Port, string? Database, string? Username, string? SslMode,
    string? Url, bool InsecureSkipTlsVerify, string? HostKey,
    string? AccessGroups, bool Exec, bool Connect, string? ReviewGroups, string? MinApprovals, string? ReviewTimeout,
    string? MaxAccessDuration, bool RequireJitForConnect, bool RequireReviewForExec, string? Recording, string? RecordResultRows, string? RecordResultBytes)
{
    /// <summary>The types the form offers, with the label of each.</summary>
    public static readonly IReadOnlyList<(string Type, string Label)> Types =
    [
        (ConnectionTypes.Postgres, "PostgreSQL"), (ConnectionTypes.Http, "HTTP"), (ConnectionTypes.Kubernetes, "Kubernetes"), (ConnectionTypes.Ssh, "SSH"),
    ];

    /// <summary>The label of <paramref name="type"/> (the type itself when unknown).</summary>
    public static string Label(string type) => Types.FirstOrDefault(t => t.Type == type).Label ?? type;

    /// <summary>The form of a new connection of <paramref name="type"/>: the API's defaults.</summary>
    public static ConnectionForm New(string type) => new(
        type, null, null, type == ConnectionTypes.Ssh ? "22" : "5432", null, null, "prefer", null, false, null,
        null, true, true, null, "1", "30m", "8h", false, false, "async", ResultRecording.DefaultRows.ToString(CultureInfo.InvariantCulture),
        ResultRecording.DefaultBytes.ToString(CultureInfo.InvariantCulture));

    /// <summary>The form showing <paramref name="c"/>.</summary>
    public static ConnectionForm From(ConnectionView c) => new(
        c.Type, c.Name, c.Host, c.Port.ToString(CultureInfo.InvariantCulture), c.Database, c.Username, c.SslMode,
        c.Url, c.InsecureSkipTlsVerify ?? false, c.HostKey,
        string.Join(", ", c.AccessGroups), c.AccessModes.Contains(ConnectionAccess.Exec), c.AccessModes.Contains(ConnectionAccess.Connect),
        string.Join(", ", c.ReviewGroups), c.MinApprovals.ToString(CultureInfo.InvariantCulture), c.ReviewTimeout, c.MaxAccessDuration,
        c.RequireJitForConnect, c.RequireReviewForExec, c.Recording, c.RecordResultRows.ToString(CultureInfo.InvariantCulture),
        c.RecordResultBytes.ToString(CultureInfo.InvariantCulture));

    /// <summary>The posted form (<paramref name="type"/> is the stored type when editing: it cannot change here).</summary>
    public static ConnectionForm Read(IFormCollection f, string type)
    {
        string? Text(string name) => f[name].ToString().Trim() is { Length: > 0 } v ? v : null;
        bool Check(string name) => f[name] == "on";
        return new(
            type, Text("name"), Text("host"), Text("port"), Text("database"), Text("username"), Text("ssl_mode"),
            Text("url"), Check("insecure_skip_tls_verify"), Text("host_key"),
            Text("access_groups"), Check("mode_exec"), Check("mode_connect"), Text("review_groups"), Text("min_approvals"), Text("review_timeout"),
            Text("max_access_duration"), Check("require_jit_for_connect"), Check("require_review_for_exec"), Text("recording"),
            Text("record_result_rows"), Text("record_result_bytes"));
    }

    /// <summary>
    /// The API request the form and the post's write-only fields amount to (PATCH semantics for those: an empty field
    /// is null and keeps the stored value), or the message naming the field that does not parse.
    /// </summary>
    public (ConnectionRequest? Request, string? Error) ToRequest(IFormCollection posted)
    {
        string? Secret(string name) => posted[name].ToString() is { Length: > 0 } v && v.Trim().Length > 0 ? v.Trim() : null;
        var numbers = new Dictionary<string, int?>();
        foreach (var (field, text) in new[] { ("port", Port), ("min_approvals", MinApprovals), ("record_result_rows", RecordResultRows), ("record_result_bytes", RecordResultBytes) })
        {
            if (text is null)
            {
                numbers[field] = null;
            }
            else if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                numbers[field] = n;
            }
            else
            {
                return (null, $"field '{field}' must be a whole number");
            }
        }
        var (headers, headerError) = ReadHeaders(posted["headers"].ToString());
        if (headerError is not null)
        {
            return (null, headerError);
        }
        static string[] Groups(string? text) => text?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        string[] modes = [.. Exec ? [ConnectionAccess.Exec] : Array.Empty<string>(), .. Connect ? [ConnectionAccess.Connect] : Array.Empty<string>()];
        var common = new ConnectionRequest(
            Name, Type, null, null, null, null, null, null, null, Groups(AccessGroups), modes, Groups(ReviewGroups),
            numbers["min_approvals"], ReviewTimeout, MaxAccessDuration, RequireJitForConnect, RequireReviewForExec, Recording,
            numbers["record_result_rows"], numbers["record_result_bytes"]);
        var request = Type switch
        {
            ConnectionTypes.Http or ConnectionTypes.Kubernetes => common with
            {
                Url = Url, Headers = headers, Token = Secret("token"), ClientCertificate = Secret("client_certificate"),
                ClientKey = Secret("client_key"), CertificateAuthority = Secret("certificate_authority"), InsecureSkipTlsVerify = InsecureSkipTlsVerify,
            },
            ConnectionTypes.Ssh => common with
            {
                Host = Host, Port = numbers["port"], Username = Username, Password = Secret("password"), PrivateKey = Secret("private_key"), HostKey = HostKey,
            },
            _ => common with
            {
                Host = Host, Port = numbers["port"], Database = Database, Username = Username, Password = Secret("password"),
                SslMode = SslMode, SslRootCert = Secret("ssl_root_cert"),
            },
        };
        return (request, null);
    }

    /// <summary>
    /// What the post's "remove" boxes take away from <paramref name="merged"/> (the request laid over the stored
    /// connection): the injected headers, the certificate authority, the root certificate, an ssh connection's password
    /// or private key. The API then checks what is left (an ssh connection still needs one way to log in).
    /// </summary>
    public static ConnectionRequest Removing(ConnectionRequest merged, IFormCollection posted)
    {
        bool Check(string name) => posted[name] == "on";
        return merged with
        {
            Headers = Check("remove_headers") ? new Dictionary<string, string>() : merged.Headers,
            CertificateAuthority = Check("remove_certificate_authority") ? null : merged.CertificateAuthority,
            SslRootCert = Check("remove_ssl_root_cert") ? null : merged.SslRootCert,
            Password = Check("remove_password") ? null : merged.Password,
            PrivateKey = Check("remove_private_key") ? null : merged.PrivateKey,
        };
    }

    /// <summary>
    /// Injected headers as typed, one <c>Name: value</c> per line (blank lines skipped); null when the box is empty
    /// (keep the stored ones). The message names the line, never its value (a secret).
    /// </summary>
    private static (Dictionary<string, string>? Headers, string? Error) ReadHeaders(string text)
    {
        if (text.Trim().Length == 0)
        {
            return (null, null);
        }
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return (null, $"field 'headers': line {i + 1} is not 'Name: value'");
            }
            var name = line[..colon].Trim();
            if (!headers.TryAdd(name, line[(colon + 1)..].Trim()))
            {
                return (null, $"field 'headers': '{name}' is given more than once");
            }
        }
        return (headers, null);
    }
}
