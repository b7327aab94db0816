using Vigil.Identity;

namespace Vigil.Connections;

/// <summary>Who may use and who may manage a connection. Until connections carry access groups, only admins do.</summary>
public static class ConnectionAccess
{
    /// <summary>True when <paramref name="caller"/> may open sessions on <paramref name="connection"/>.</summary>
    public static bool CanUse(CallerIdentity caller, Connection connection) => caller.IsAdmin;

    /// <summary>True when <paramref name="caller"/> may create, change or delete connections.</summary>
    public static bool CanManage(CallerIdentity caller) => caller.IsAdmin;
}
