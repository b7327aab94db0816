namespace Vigil.Identity;

/// <summary>What kind of identity stands behind a credential.</summary>
public enum IdentityKind
{
    /// <summary>A person (local password or OIDC login).</summary>
    User,
    /// <summary>A non-human identity (an AI agent, a CI job) that only has API tokens.</summary>
    ServiceAccount,
}

/// <summary>
/// Who sent a request or command: the user or service account behind an API token or a browser session, with its
/// groups (roles are the built-in groups, <see cref="BuiltInGroups"/>) and, for a narrowed token, the connections it
/// is limited to.
/// </summary>
/// <param name="UserId">Stable id of the user or service account.</param>
/// <param name="Name">Name recorded on sessions and the audit log: the e-mail of a user, the name of a service account.</param>
/// <param name="Kind">User or service account.</param>
/// <param name="Groups">Group names, lower case.</param>
/// <param name="TokenId">The API token used, or null for a browser session.</param>
/// <param name="TokenConnections">Connections the token is narrowed to; null when it is not narrowed.</param>
/// <param name="TokenExpiresAt">When the token (or browser session) stops authenticating; null for never.</param>
/// <param name="SignedInAt">For a browser session, when its login happened (a password or OIDC proof); null for a token.</param>
public sealed record CallerIdentity(
    string UserId,
    string Name,
    IdentityKind Kind,
    IReadOnlyList<string> Groups,
    string? TokenId = null,
    IReadOnlyList<string>? TokenConnections = null,
    DateTimeOffset? TokenExpiresAt = null,
    DateTimeOffset? SignedInAt = null)
{
    /// <summary>
    /// An API token narrowed to connections or with an expiry. It may not create a credential that is wider or lives
    /// longer than itself: tokens it creates are capped by it, and it cannot set passwords.
    /// </summary>
    public bool IsRestrictedToken => TokenId is not null && (TokenConnections is not null || TokenExpiresAt is not null);

    /// <summary>Member of the built-in <c>admin</c> group: may do everything.</summary>
    public bool IsAdmin => Groups.Contains(BuiltInGroups.Admin);

    /// <summary>Admin or member of the built-in <c>auditor</c> group: may read everything that is recorded.</summary>
    public bool CanAudit => IsAdmin || Groups.Contains(BuiltInGroups.Auditor);

    /// <summary>The role the groups amount to: <c>admin</c>, <c>auditor</c> or <c>standard</c>.</summary>
    public string Role => IsAdmin ? BuiltInGroups.Admin : CanAudit ? BuiltInGroups.Auditor : "standard";

    /// <summary>True unless the token is narrowed to connections that do not include <paramref name="connection"/>.</summary>
    public bool TokenAllows(string connection) => TokenConnections is null || TokenConnections.Contains(connection, StringComparer.Ordinal);
}

/// <summary>Groups the gateway gives meaning to. They always exist and cannot be deleted.</summary>
public static class BuiltInGroups
{
    /// <summary>Everything: every connection, every endpoint.</summary>
    public const string Admin = "admin";

    /// <summary>Read-only: sessions, reviews, the audit log and rules; changes nothing.</summary>
    public const string Auditor = "auditor";
}
