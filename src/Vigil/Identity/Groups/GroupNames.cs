using System.Text.RegularExpressions;

namespace Vigil.Identity.Groups;

/// <summary>Group names: 1–63 lower-case letters, digits, <c>_ - .</c>, starting with a letter or digit.</summary>
public static partial class GroupNames
{
    /// <summary>True when <paramref name="name"/> is a well-formed group name.</summary>
    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,62}$")]
    private static partial Regex Pattern();
}
