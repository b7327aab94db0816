using System.Text;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vigil.Pipeline;

namespace Vigil.Adapters.Mcp.Tools;

/// <summary>
/// The answer of every tool that runs a command (<c>exec</c>, <c>review_execute</c>, the catalog tools): the API's exec
/// response turned into <c>{status, output, ai_analysis, review, session_id, exit_code, reason, next}</c>, where
/// <c>status</c> is <c>done|failed|blocked|waiting_review|rejected|expired|running</c> and <c>next</c> tells the agent
/// what to do about it. The text block says the same for a model that reads only text.
/// </summary>
public static class ExecAnswer
{
    /// <summary>How long a tool waits for a command by default before answering <c>running</c>, in seconds.</summary>
    public const double DefaultWaitSeconds = 25;

    /// <summary>The <c>POST /api/sessions</c> body for an MCP call of <paramref name="tool"/>.</summary>
    public static object Request(RequestContext<CallToolRequestParams> context, string tool, string connection, string script, double? waitSeconds)
    {
        var client = McpClientInfo.Of(context.Server, context.JsonRpcRequest);
        return new
        {
            connection,
            script,
            type = SessionType.Mcp.Name(),
            client_name = client?.Name,
            client_version = client?.Version,
            tool,
            wait_seconds = waitSeconds ?? DefaultWaitSeconds,
        };
    }

    /// <summary>The tool result for the API's exec response <paramref name="response"/>.</summary>
    public static CallToolResult Result(JsonNode? response)
    {
        var status = response?["status"]?.GetValue<string>() ?? "failed";
        var answer = new JsonObject
        {
            ["status"] = status,
            ["session_id"] = response?["id"]?.DeepClone(),
            ["exit_code"] = response?["exit_code"]?.DeepClone(),
            ["output"] = response?["output"]?.DeepClone(),
            ["reason"] = response?["reason"]?.DeepClone(),
            ["ai_analysis"] = response?["ai_analysis"]?.DeepClone(),
            ["review"] = response?["review"]?.DeepClone(),
            ["next"] = Next(status, response),
        };
        var text = new StringBuilder($"status: {status}");
        if (response?["id"] is { } id)
        {
            text.Append($" (session {id})");
        }
        text.Append('\n');
        if (response?["ai_analysis"] is JsonObject analysis)
        {
            text.Append($"risk: {analysis["risk_level"]}: {analysis["title"]}: {analysis["explanation"]}\n");
        }
        text.Append("next: ").Append(answer["next"]).Append('\n');
        if (response?["output"]?.GetValue<string>() is { Length: > 0 } output)
        {
            text.Append('\n').Append(output);
        }
        return ToolResults.Of(answer, text.ToString());
    }

    private static string Next(string status, JsonNode? response)
    {
        var review = response?["review"]?["id"]?.GetValue<string>();
        var session = response?["id"]?.GetValue<string>();
        return status switch
        {
            "done" => "The command ran; its output follows (personal data in it may be masked by policy).",
            "failed" => "The command ran and failed; read the error in the output, fix the command and run it again.",
            "blocked" => "Vigil's policy refused this command; it did not run. Do not retry it or a variation of it to get "
                + "around the block: tell the user what was blocked and why, and let a human decide.",
            "waiting_review" => $"The command needs a human's approval and has not run. Call review_wait with id \"{review}\" "
                + $"to wait for the decision, then review_execute with id \"{review}\" once it is approved. Do not retry the "
                + "command with small changes to slip past the review: every attempt is recorded.",
            "rejected" => "A reviewer rejected the command; it did not run. Do not run it again; ask the user how to proceed.",
            "expired" => "The review expired without a decision; the command did not run. Ask the user before asking again.",
            "running" => $"The command is still running. Call session_get with id \"{session}\" later to see its status and output.",
            "interrupted" => "The gateway stopped while this ran; the command may or may not have completed. Check the target's "
                + "state with a read before running anything again.",
            _ => $"Unexpected status '{status}'; call session_get with id \"{session}\" for details.",
        };
    }
}
