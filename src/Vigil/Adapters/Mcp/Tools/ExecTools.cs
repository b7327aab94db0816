using System.ComponentModel;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Vigil.Adapters.Mcp.Tools;

/// <summary>The <c>exec</c> tool: one command on a connection through the whole pipeline (<c>POST /api/sessions</c>, type <c>mcp</c>).</summary>
[McpServerToolType]
public static class ExecTools
{
    /// <summary>Runs <paramref name="script"/> on <paramref name="connection"/>; see <see cref="ExecAnswer"/> for the answer.</summary>
    [McpServerTool(Name = "exec", Title = "Run a command on a connection", Destructive = true, OpenWorld = true)]
    [Description("Run a command on a connection through Vigil: SQL for PostgreSQL connections (several statements separated "
        + "by ';' run in order). Vigil analyzes the command's risk first, then runs it, blocks it, or parks it for a human's "
        + "review; personal data in the output may be masked; everything is recorded. The answer's `status` is one of: "
        + "`done` (ran; `output` holds the result as a table), `failed` (ran and errored; fix and retry), `blocked` (refused "
        + "by policy, did not run: do not retry variations, tell the user), `waiting_review` (needs approval, did not run: "
        + "call `review_wait` with the review id, then `review_execute`), `rejected`/`expired` (the review ended without "
        + "approval), `running` (still running after `wait_seconds`: call `session_get` with the session id later). "
        + "`ai_analysis` has the risk level, title and explanation.")]
    public static async Task<CallToolResult> Exec(
        VigilApi api,
        RequestContext<CallToolRequestParams> context,
        [Description("Name of the connection (from connections_list)")] string connection,
        [Description("The command to run, e.g. `select id, email from customers limit 10`")] string script,
        [Description("Seconds to wait for the result before answering `running` (default 25, at most 300)")] double? wait_seconds = null,
        CancellationToken cancellationToken = default)
    {
        var answer = await api.SendAsync(HttpMethod.Post, "api/sessions", ExecAnswer.Request(context, "exec", connection, script, wait_seconds), cancellationToken);
        return ExecAnswer.Result(answer.Body);
    }
}
