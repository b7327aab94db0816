namespace Vigil.Connections;

/// <summary>
/// A registered target. <see cref="Password"/> is decrypted only inside the gateway (proxy, exec) and is never
/// serialized: API output goes through <see cref="ConnectionView"/>. <see cref="AccessGroups"/> (empty = admins only)
/// and <see cref="AccessModes"/> (<c>exec</c>, <c>connect</c>) drive <see cref="ConnectionAccess"/>.
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
    DateTimeOffset UpdatedAt);

/// <summary>The API shape of a connection (hoop's field names); secrets are reduced to <c>has_password</c>.</summary>
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
    string CreatedAt,
    string UpdatedAt)
{
    /// <summary>Projects a connection without its secrets.</summary>
    public static ConnectionView From(Connection c) => new(
        c.Name, c.Type, c.Host, c.Port, c.Database, c.Username, c.Password is not null, c.SslMode.ToText(),
        c.SslRootCert is not null, c.AccessGroups, c.AccessModes, Storage.Rfc3339.Format(c.CreatedAt), Storage.Rfc3339.Format(c.UpdatedAt));
}
