namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// API tokens over <c>/api/tokens</c> (admins here, for any user or service account): <c>tokens_list</c>,
/// <c>token_create</c> (the secret is in its answer only, as the API gives it), <c>token_revoke</c>.
/// </summary>
internal static class TokenRoutes
{
    public static IEnumerable<ApiRoute> All =>
    [
        AdminTools.List("tokens_list", "List API tokens", Audience.Admins, "api/tokens",
            "API tokens (never their secrets): owner, the connections a token is narrowed to, expiry and last use.",
            [("owner", Schema.String("Only tokens of this user (id or e-mail) or service account (id or name)"))],
            Answers.Table("API tokens", "id", "name", "owner", "owner_type", "connections", "expires_at", "last_used_at")),
        new("token_create", "Issue an API token", Audience.Admins, ToolEffect.Create, HttpMethod.Post, "api/tokens",
            "Issue an API token for yourself, a user or a service account. The answer's `token` is the secret, shown this once: "
            + "hand it to its owner and do not repeat it elsewhere. A token made with a narrowed or expiring token is no wider "
            + "and lives no longer than it.",
            Schema.Object(null,
            [
                ("name", Schema.String("A label, e.g. \"claude-code on build host\" (default \"token\")", maxLength: 100)),
                ("user", Schema.String("Issue it for this user (id or e-mail); give this or serviceaccount, or neither for yourself")),
                ("serviceaccount", Schema.String("Issue it for this service account (id or name)")),
                ("expires_in", Schema.String("Lifetime, e.g. \"1h\", \"30d\", \"2w\" (default: no expiry)")),
                ("connections", Schema.Strings("Narrow it to these connections (default: whatever its owner may use)", minItems: 1)),
            ]),
            Answers.Item("Token created; `token` is its secret, shown only this once")),
        AdminTools.Delete("token_revoke", "Revoke an API token", "api/tokens/{id}", "id", "The token's id (from tokens_list, not its secret)",
            "Revoke a token: it stops authenticating at once and sessions opened with it end.", "Revoked token '{id}'."),
    ];
}
