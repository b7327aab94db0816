using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vigil.Sessions;

namespace Vigil.Adapters.Mcp.Tools;

/// <summary>
/// Recorded sessions: <c>sessions_list</c> (<c>GET /api/sessions</c> with filters), <c>session_get</c> (one session's
/// status, analysis, review and output, answered like <c>exec</c>) and <c>session_result</c> (its recorded statements
/// with their masked result tables). The API shows a caller only their own sessions unless they may audit. The store's
/// status <c>open</c> is called <c>running</c> here, as <c>exec</c> calls a command still running.
/// </summary>
[McpServerToolType]
public static class SessionTools
{
    /// <summary>The status agents read for a session the store calls <c>open</c>.</summary>
    public const string Running = "running";

    private static readonly string[] s_statuses = [Running, .. SessionStatus.All.Where(s => s != SessionStatus.Open)];

    /// <summary>A page of sessions.</summary>
    [McpServerTool(Name = "sessions_list", Title = "List recorded sessions", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("List recorded sessions, newest first: yours (admins and auditors see everyone's). Each has an id, type "
        + "(`mcp` for agents' tool calls, `exec` for one-off commands, `connect` for database clients such as psql), "
        + "connection, user, MCP tool, status and risk level. Pass an id to `session_get` or `session_result`.")]
    public static async Task<CallToolResult> SessionsList(
        VigilApi api,
        [Description("Only sessions on this connection")] string? connection = null,
        [Description("Only sessions of this type: mcp, exec or connect")] string? type = null,
        [Description("Only sessions with this status: running, done, failed, blocked, waiting_review, rejected, expired or interrupted")] string? status = null,
        [Description("Only sessions whose worst analyzed command has this risk: low, medium or high")] string? risk_level = null,
        [Description("Page number, from 1 (default 1)"), Range(1, int.MaxValue)] int? page = null,
        [Description("Sessions per page, 1 to 1000 (default 50)"), Range(1, 1000)] int? page_size = null,
        CancellationToken cancellationToken = default)
    {
        // Checked here, not by the API, which calls a running session "open" and would name that.
        if (status is not null && !s_statuses.Contains(status, StringComparer.Ordinal))
        {
            throw new McpException($"argument 'status' must be one of {string.Join(", ", s_statuses)} (got '{status}')");
        }
        var path = ToolParameters.Query("api/sessions",
            ("connection", string.IsNullOrWhiteSpace(connection) ? null : connection),
            ("type", type),
            ("status", status == Running ? SessionStatus.Open : status),
            ("risk_level", risk_level),
            ("page", page), ("page_size", page_size));
        var list = await api.GetAsync(path, cancellationToken);
        foreach (var session in list?["data"] as JsonArray ?? [])
        {
            Rename(session);
        }
        return ToolResults.List(list, "Sessions, newest first:", "id", "type", "connection", "user", "tool", "status", "ai_analysis.risk_level", "started_at");
    }

    /// <summary>One session, answered like <c>exec</c>.</summary>
    [McpServerTool(Name = "session_get", Title = "Show a session", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Show one recorded session: its `status` (as `exec` reports it: running, done, failed, blocked, "
        + "waiting_review, rejected, expired; or interrupted when the gateway stopped during it), the risk analysis "
        + "(`ai_analysis`: level, title, explanation, action), its review if it needed one, and the printed (masked) "
        + "`output`, with what to do next. Use it to follow a command that answered `running`. For each statement's "
        + "result table, call `session_result`.")]
    public static async Task<CallToolResult> SessionGet(
        VigilApi api,
        TimeProvider time,
        [Description("The session id (from exec's session_id or sessions_list)")] string id,
        CancellationToken cancellationToken = default)
    {
        var session = await StatementResults.ReadSettledAsync(api, ToolParameters.Required(id, "id", "a session id, from exec or sessions_list"), time, cancellationToken);
        Rename(session);
        var answer = ExecAnswer.Result(session);
        var structured = JsonNode.Parse(answer.StructuredContent!.Value.GetRawText())!.AsObject();
        var text = new StringBuilder();
        string[] shown = ["type", "connection", "user", "tool", "client_name", "client_version", "started_at", "ended_at", "masking_info", "guardrails_info", "event_count"];
        foreach (var field in shown)
        {
            structured[field] = session?[field]?.DeepClone();
        }
        ToolResults.AppendFields(text, session, shown);
        var head = ((TextContentBlock)answer.Content[0]).Text;
        return ToolResults.Of(structured, head.Insert(head.IndexOf('\n') + 1, text.ToString()));
    }

    /// <summary>The recorded statements of one session with their result tables.</summary>
    [McpServerTool(Name = "session_result", Title = "Show a session's results", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Show the statements a session ran, in order, each with its result as recorded: a table of the rows "
        + "(personal data masked by policy; only the first rows are kept, `truncated` says when rows were left out), or its "
        + "command tag (`INSERT 0 1`), or its error. `statements[]` has `text`, `columns`, `result_rows`, `rows` (rows "
        + "returned), `command_tag`, `sqlstate` and `message`. A command that was blocked or is waiting for review ran "
        + "nothing, so it has no statements: call `session_get` for why.")]
    public static async Task<CallToolResult> SessionResult(
        VigilApi api,
        TimeProvider time,
        [Description("The session id (from exec's session_id or sessions_list)")] string id,
        CancellationToken cancellationToken = default)
    {
        var session = await StatementResults.ReadSettledAsync(api, ToolParameters.Required(id, "id", "a session id, from exec or sessions_list"), time, cancellationToken);
        Rename(session);
        var statements = StatementResults.Statements(session);
        var status = session?["status"]?.GetValue<string>();
        var text = new StringBuilder($"session {session?["id"]} ({status}), {statements.Count} statement(s) recorded\n\n");
        foreach (var statement in statements)
        {
            StatementResults.Render(text, statement!);
        }
        if (statements.Count == 0)
        {
            text.Append(status == Running
                ? "Nothing recorded yet: the command is still running. Call session_result again later.\n"
                : "No statement ran in this session; call session_get for its status and reason.\n");
        }
        return ToolResults.Of(new JsonObject { ["session_id"] = session?["id"]?.DeepClone(), ["status"] = status, ["statements"] = statements }, text.ToString());
    }

    /// <summary>Says <c>running</c> for the store's <c>open</c>.</summary>
    private static void Rename(JsonNode? session)
    {
        if (session?["status"]?.GetValue<string>() == SessionStatus.Open)
        {
            session["status"] = Running;
        }
    }
}
