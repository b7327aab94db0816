using Vigil.Identity;
using Vigil.Pipeline;

namespace Vigil.Connections;

/// <summary>
/// Who may use and who may manage a connection: the one rule every adapter (exec, the PostgreSQL proxy, later ones)
/// and <c>GET /api/connections</c> apply. A caller may use a connection when its token is not narrowed away from it
/// and it is an admin or shares a group with the connection's <c>access_groups</c> (empty = admins only); the
/// connection must also allow the access mode.
/// </summary>
public static class ConnectionAccess
{
    /// <summary>Access modes a connection can allow.</summary>
    public static readonly string[] Modes = [Exec, Connect];

    /// <summary>One-off commands (<c>POST /api/sessions</c>, <c>vigil exec</c>).</summary>
    public const string Exec = "exec";

    /// <summary>Native clients through a protocol listener.</summary>
    public const string Connect = "connect";

    /// <summary>True when <paramref name="caller"/> may see and (mode permitting) use <paramref name="connection"/>.</summary>
    public static bool CanSee(CallerIdentity caller, Connection connection) =>
        caller.TokenAllows(connection.Name)
        && (caller.IsAdmin || connection.AccessGroups.Any(g => caller.Groups.Contains(g, StringComparer.Ordinal)));

    /// <summary>True when <paramref name="connection"/> allows sessions of <paramref name="type"/>.</summary>
    public static bool AllowsMode(Connection connection, SessionType type) =>
        connection.AccessModes.Contains(type.AccessMode(), StringComparer.Ordinal);

    /// <summary>True when <paramref name="caller"/> may create, change or delete connections.</summary>
    public static bool CanManage(CallerIdentity caller) => caller.IsAdmin;
}
