namespace Vigil.Identity.Oidc;

/// <summary>
/// The person an OpenID provider vouched for, taken from a validated ID token (OpenID Connect Core 1.0 §2 and §5.1).
/// </summary>
/// <param name="Subject">The <c>sub</c> claim: the provider's stable, never-reassigned identifier for the user (at most
/// 255 ASCII characters per the specification). Pair it with the issuer to key an account.</param>
/// <param name="Email">The <c>email</c> claim, or null when the provider did not send one (it is not necessarily
/// verified; see <c>email_verified</c>).</param>
/// <param name="Name">The <c>name</c> claim (display name), or null.</param>
/// <param name="Groups">The values of <see cref="OidcOptions.GroupsClaim"/>, which may be a JSON array of strings or a
/// single string in the token; empty when the claim is missing. Order as in the token.</param>
/// <param name="EmailVerified">The <c>email_verified</c> claim is <c>true</c>: the provider checked that the user controls
/// <see cref="Email"/> (OpenID Connect Core 1.0 §5.1). Absent counts as unverified.</param>
public sealed record OidcIdentity(string Subject, string? Email, string? Name, IReadOnlyList<string> Groups, bool EmailVerified = false);
