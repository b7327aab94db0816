namespace Vigil.Identity.Tokens;

/// <summary>An API token's metadata (never its secret, which only <see cref="TokenService.IssueAsync"/> returns, once).</summary>
/// <param name="Id">Token id (a GUID string), used to list and revoke.</param>
/// <param name="Name">Label given at creation.</param>
/// <param name="OwnerId">Id of the user or service account the token acts as.</param>
/// <param name="Owner">E-mail of the user or name of the service account.</param>
/// <param name="OwnerKind">User or service account.</param>
/// <param name="Connections">Connections the token is narrowed to; null when it is not narrowed.</param>
/// <param name="CreatedAt">Creation time.</param>
/// <param name="ExpiresAt">Expiry, or null for none.</param>
/// <param name="LastUsedAt">Last successful authentication (kept to the minute), or null.</param>
public sealed record ApiToken(
    string Id,
    string Name,
    string OwnerId,
    string Owner,
    IdentityKind OwnerKind,
    IReadOnlyList<string>? Connections,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt);
