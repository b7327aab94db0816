using System.Text.Json.Nodes;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// Identities, all admin-only as in the API: users (<c>/api/users</c>, by id or e-mail), groups (<c>/api/groups</c>)
/// and service accounts (<c>/api/serviceaccounts</c>, by id or name; the identities agents use). A user's password is
/// write-only. Role follows groups: <c>admin</c>, <c>auditor</c>, else standard.
/// </summary>
internal static class IdentityRoutes
{
    private static readonly string[] Statuses = ["active", "inactive"];

    private const string Groups = "Groups it belongs to; this list replaces the old one. `admin` makes an admin, `auditor` an auditor; others must exist (groups_list)";

    public static IEnumerable<ApiRoute> All =>
    [
        AdminTools.List("users_list", "List users", Audience.Admins, "api/users", "The people who use Vigil, with their groups, status and role.",
            [("group", Schema.String("Only members of this group")), ("status", Schema.String("Only users of this status", Statuses))],
            Answers.Table("Users", "id", "email", "name", "groups", "status", "role")),
        AdminTools.Get("user_get", "Show a user", Audience.Admins, "api/users/{user}", "user", "The user's id or e-mail address",
            "One user: e-mail, name, groups, status, role, how they log in."),
        new("user_create", "Create a user", Audience.Admins, ToolEffect.Create, HttpMethod.Post, "api/users",
            "Create a person's account. Give a password for console login (write-only, never returned), or none when they log "
            + "in with single sign-on. Issue them an API token with token_create.",
            Schema.Object(null,
            [
                ("email", Schema.String("E-mail address (unique; the login)")),
                ("name", Schema.String("Display name (default: the e-mail's local part)")),
                ("groups", Schema.Strings(Groups)),
                ("status", Schema.String("active (default) or inactive (cannot log in)", Statuses)),
                ("password", Schema.String("Console password: write-only, never returned; needs an unrestricted token")),
            ], "email"),
            Answers.Item("User '{email}' created")),
        new("user_update", "Change a user", Audience.Admins, ToolEffect.Change, HttpMethod.Patch, "api/users/{user}",
            "Change some fields of a user; fields left out keep their value. Deactivating ends their open sessions and their "
            + "tokens stop working; a change that would leave no active admin is refused.",
            Schema.Object(null,
            [
                ("user", Schema.String("The user's id or e-mail address")),
                ("email", Schema.String("New e-mail address")),
                ("name", Schema.String("New display name")),
                ("groups", Schema.Strings(Groups)),
                ("status", Schema.String("active or inactive", Statuses)),
                ("password", Schema.String("New console password: write-only, never returned")),
            ], "user"),
            Answers.Item("User '{user}' changed")),
        AdminTools.Delete("user_delete", "Delete a user", "api/users/{user}", "user", "The user's id or e-mail address",
            "Delete a user: their open sessions end and their tokens stop working. Their recorded sessions stay.", "Deleted user '{user}'."),

        AdminTools.List("groups_list", "List groups", Audience.Admins, "api/groups",
            "The groups, with their members. Groups grant access to connections (access_groups) and review rights (review_groups); admin and auditor are built in.",
            [], Answers.Table("Groups", "name", "description", "builtin", "members")),
        AdminTools.Get("group_get", "Show a group", Audience.Admins, "api/groups/{name}", "name", "The group's name", "One group with its members."),
        new("group_create", "Create a group", Audience.Admins, ToolEffect.Create, HttpMethod.Post, "api/groups",
            "Create a group. Members are set on each user or service account (its `groups`); connections name groups in access_groups and review_groups.",
            Schema.Object(null,
            [
                ("name", Schema.String("Unique name: 1-63 lower-case letters, digits, '_', '-', '.'")),
                ("description", Schema.String("Free text", maxLength: 1000)),
            ], "name"),
            Answers.Item("Group '{name}' created")),
        new("group_update", "Change a group's description", Audience.Admins, ToolEffect.Change, HttpMethod.Put, "api/groups/{name}",
            "Change a group's description (its name cannot change; members are set on users and service accounts).",
            Schema.Object(null, [("name", Schema.String("The group")), ("description", Schema.String("New description", maxLength: 1000))], "name"),
            Answers.Item("Group '{name}' changed")),
        AdminTools.Delete("group_delete", "Delete a group", "api/groups/{name}", "name", "The group's name",
            "Delete a group (not admin or auditor): members lose what it granted, and open sessions that lose access end.", "Deleted group '{name}'."),

        AdminTools.List("service_accounts_list", "List service accounts", Audience.Admins, "api/serviceaccounts",
            "The non-human identities (AI agents, CI jobs), with their groups, status and role.",
            [("group", Schema.String("Only members of this group")), ("status", Schema.String("Only accounts of this status", Statuses))],
            Answers.Table("Service accounts", "id", "name", "groups", "status", "role")),
        AdminTools.Get("service_account_get", "Show a service account", Audience.Admins, "api/serviceaccounts/{service_account}", "service_account",
            "The account's id or name", "One service account."),
        new("service_account_create", "Create a service account", Audience.Admins, ToolEffect.Create, HttpMethod.Post, "api/serviceaccounts",
            "Create a non-human identity for an agent or a job. It authenticates with API tokens only: issue one with token_create (serviceaccount).",
            Schema.Object(null,
            [
                ("name", Schema.String("Unique name: 1-63 lower-case letters, digits, '_', '-', '.'")),
                ("groups", Schema.Strings(Groups)),
                ("status", Schema.String("active (default) or inactive", Statuses)),
            ], "name"),
            Answers.Item("Service account '{name}' created")),
        new("service_account_update", "Change a service account", Audience.Admins, ToolEffect.Change, HttpMethod.Patch, "api/serviceaccounts/{service_account}",
            "Change some fields of a service account; fields left out keep their value. Deactivating ends its sessions and its tokens stop working.",
            Schema.Object(null,
            [
                ("service_account", Schema.String("The account's id or name")),
                ("name", Schema.String("New name")),
                ("groups", Schema.Strings(Groups)),
                ("status", Schema.String("active or inactive", Statuses)),
            ], "service_account"),
            Answers.Item("Service account '{service_account}' changed")),
        AdminTools.Delete("service_account_delete", "Delete a service account", "api/serviceaccounts/{service_account}", "service_account",
            "The account's id or name", "Delete a service account: its sessions end and its tokens stop working.",
            "Deleted service account '{service_account}'."),
    ];
}
