using Vigil.Storage;

namespace Vigil.Identity.Users;

/// <summary>
/// API shape of a user: <c>{id, email, name, groups, status, role, has_password, login, created_at, updated_at}</c>
/// (<c>login</c>: <c>local</c>, <c>oidc</c> or <c>none</c>). Never carries the password hash.
/// </summary>
public sealed record UserView(
    string Id, string? Email, string Name, IReadOnlyList<string> Groups, string Status, string Role, bool HasPassword, string Login,
    string CreatedAt, string UpdatedAt)
{
    /// <summary>Projects <paramref name="a"/>.</summary>
    public static UserView From(UserAccount a) => new(
        a.Id, a.Email, a.Name, a.Groups, a.Status, a.ToCaller().Role, a.HasPassword,
        a.OidcSubject is not null ? "oidc" : a.HasPassword ? "local" : "none", Rfc3339.Format(a.CreatedAt), Rfc3339.Format(a.UpdatedAt));
}

/// <summary>API shape of a service account: <c>{id, name, groups, status, role, created_at, updated_at}</c>.</summary>
public sealed record ServiceAccountView(string Id, string Name, IReadOnlyList<string> Groups, string Status, string Role, string CreatedAt, string UpdatedAt)
{
    /// <summary>Projects <paramref name="a"/>.</summary>
    public static ServiceAccountView From(UserAccount a) => new(
        a.Id, a.Name, a.Groups, a.Status, a.ToCaller().Role, Rfc3339.Format(a.CreatedAt), Rfc3339.Format(a.UpdatedAt));
}

/// <summary>
/// Body of <c>POST/PUT/PATCH /api/users[/{id}]</c> and <c>/api/serviceaccounts</c>:
/// <c>{email, name, groups[], status, password}</c>; service accounts take <c>name</c>, <c>groups</c>, <c>status</c>.
/// On PUT and PATCH absent fields keep their value.
/// </summary>
public sealed record UserRequest(string? Email, string? Name, string[]? Groups, string? Status, string? Password);
