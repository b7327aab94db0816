namespace Vigil.Adapters.Mcp.Admin;

/// <summary><c>audit_log_list</c> over <c>GET /api/audit/logs</c> (auditors and admins): who changed or called what, newest first.</summary>
internal static class AuditRoutes
{
    public static IEnumerable<ApiRoute> All =>
    [
        AdminTools.List("audit_log_list", "Read the audit log", Audience.Auditors, "api/audit/logs",
            "The audit log, newest first: every API request and MCP tool call (actor, action, resource, outcome, status, source "
            + "address, and the request with secrets redacted). MCP tool calls have action `call` and resource type `mcp_tool`.",
            [
                ("actor", Schema.String("Only entries of this actor (user e-mail or service-account name)")),
                ("action", Schema.String("Only this action, e.g. create, update, delete, call")),
                ("resource_type", Schema.String("Only this resource type, e.g. connections, users, tokens, mcp_tool")),
                ("resource", Schema.String("Only this resource (a name or id)")),
                ("outcome", Schema.String("Only successes or failures", ["success", "failure"])),
                ("start_date", Schema.String("From this time on (RFC 3339, e.g. 2026-01-31T00:00:00Z)")),
                ("end_date", Schema.String("Up to this time (RFC 3339, inclusive)")),
            ],
            Answers.Table("Audit log", "at", "actor", "action", "resource_type", "resource", "outcome", "status_code")),
    ];
}
