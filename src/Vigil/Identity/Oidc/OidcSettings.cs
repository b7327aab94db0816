namespace Vigil.Identity.Oidc;

/// <summary>
/// Reads OIDC login settings from the environment: <c>VIGIL_OIDC_ISSUER</c>, <c>VIGIL_OIDC_CLIENT_ID</c>,
/// <c>VIGIL_OIDC_CLIENT_SECRET</c> (optional: public client with PKCE), <c>VIGIL_OIDC_SCOPES</c>,
/// <c>VIGIL_OIDC_GROUPS_CLAIM</c>, and <c>VIGIL_OIDC_GROUP_MAP</c> ("idp-group=vigil-group,…").
/// </summary>
public static class OidcSettings
{
    /// <summary>The options, or null when no issuer is set.</summary>
    /// <exception cref="FormatException">An issuer without a client id, or an issuer that is not an absolute URL.</exception>
    public static OidcOptions? FromEnvironment(Func<string, string?> env)
    {
        if (env("VIGIL_OIDC_ISSUER") is not { } issuer)
        {
            return null;
        }
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri))
        {
            throw new FormatException($"VIGIL_OIDC_ISSUER: '{issuer}' is not an absolute URL");
        }
        var clientId = env("VIGIL_OIDC_CLIENT_ID") ?? throw new FormatException("VIGIL_OIDC_ISSUER is set but VIGIL_OIDC_CLIENT_ID is not");
        var options = new OidcOptions(uri, clientId, env("VIGIL_OIDC_CLIENT_SECRET"));
        return options with
        {
            Scopes = env("VIGIL_OIDC_SCOPES") ?? options.Scopes,
            GroupsClaim = env("VIGIL_OIDC_GROUPS_CLAIM") ?? options.GroupsClaim,
        };
    }

    /// <summary>Parses "a=b,c=d" into a map from identity-provider group to Vigil group.</summary>
    /// <exception cref="FormatException">An entry without '='.</exception>
    public static IReadOnlyDictionary<string, string> GroupMap(string? text)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == entry.Length - 1)
            {
                throw new FormatException($"VIGIL_OIDC_GROUP_MAP: '{entry}' is not idp-group=vigil-group");
            }
            map[entry[..equals].Trim()] = entry[(equals + 1)..].Trim();
        }
        return map;
    }
}
