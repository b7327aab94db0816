namespace Vigil.Identity;

/// <summary>Who sent a command: the user (or, later, service account) behind an API token.</summary>
/// <param name="UserId">Stable id of the user.</param>
/// <param name="Name">Display name recorded on sessions (the e-mail address).</param>
/// <param name="IsAdmin">Member of the built-in <c>admin</c> role.</param>
public sealed record CallerIdentity(string UserId, string Name, bool IsAdmin);
