namespace Vigil.Identity.Users;

/// <summary>
/// A user or service account as stored. Users are identified by <see cref="Email"/> (lower case, unique), service
/// accounts by <see cref="Name"/> (unique among service accounts). The password hash is never part of this record.
/// </summary>
/// <param name="Id">Stable id (a GUID string).</param>
/// <param name="Kind">User or service account.</param>
/// <param name="Email">E-mail of a user; null for a service account.</param>
/// <param name="Name">Display name of a user; the unique name of a service account.</param>
/// <param name="Status"><c>active</c> or <c>inactive</c> (<see cref="UserStatus"/>).</param>
/// <param name="Groups">Group names.</param>
/// <param name="HasPassword">A local password is set.</param>
/// <param name="OidcSubject">The <c>iss|sub</c> pair of the OIDC identity linked on first login, or null.</param>
/// <param name="CreatedAt">Creation time.</param>
/// <param name="UpdatedAt">Last change.</param>
public sealed record UserAccount(
    string Id,
    IdentityKind Kind,
    string? Email,
    string Name,
    string Status,
    IReadOnlyList<string> Groups,
    bool HasPassword,
    string? OidcSubject,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The name recorded on sessions and audit entries: the e-mail of a user, the name of a service account.</summary>
    public string DisplayName => Email ?? Name;

    /// <summary>The identity of this account for a request made with token <paramref name="tokenId"/> (null: browser session).</summary>
    public CallerIdentity ToCaller(string? tokenId = null, IReadOnlyList<string>? tokenConnections = null, DateTimeOffset? expiresAt = null, DateTimeOffset? signedInAt = null) =>
        new(Id, DisplayName, Kind, Groups, tokenId, tokenConnections, expiresAt, signedInAt);
}

/// <summary>Values of <see cref="UserAccount.Status"/>.</summary>
public static class UserStatus
{
    /// <summary>May authenticate.</summary>
    public const string Active = "active";

    /// <summary>Every credential is refused and open sessions are closed.</summary>
    public const string Inactive = "inactive";
}
