using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Vigil.Adapters.Mcp.Tools;

/// <summary>
/// <c>analyze</c>: classifies a command's risk without running it (<c>POST /api/ai/session-analyzer/analyze</c>), with the
/// action a connection's rule would take. Answers the API's <c>ai_analysis</c> shape (<c>{risk_level, title, explanation,
/// action, source, …}</c>) plus <c>next</c>.
/// </summary>
[McpServerToolType]
public static class AnalyzeTools
{
    /// <summary>Classifies a command.</summary>
    [McpServerTool(Name = "analyze", Title = "Classify a command's risk", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Ask Vigil's analyzer how risky a command is, without running it: `risk_level` (low, medium, high), a short "
        + "title and an explanation. With `connection`, `action` is what that connection's policy would do with it via "
        + "`exec`: `allow` (it would run), `require_approval` (a human would have to approve it first), `block` (it would "
        + "be refused). Use it to pick a safer formulation before running; not to probe for wordings that slip past policy.")]
    public static async Task<CallToolResult> Analyze(
        VigilApi api,
        [Description("The command to classify, e.g. `delete from orders where id = 7`")] string input,
        [Description("What the input is: postgres (SQL), shell (a command line), kubernetes (a kubectl command line) or http "
            + "(`METHOD PATH`, then optionally a newline and the body). Default: the connection's type, else postgres.")] string? type = null,
        [Description("A connection name (from connections_list): its policy decides `action`")] string? connection = null,
        CancellationToken cancellationToken = default)
    {
        var body = new
        {
            type,
            input = ToolParameters.Required(input, "input", "the command to classify"),
            connection = string.IsNullOrWhiteSpace(connection) ? null : connection,
        };
        var analysis = (await api.SendAsync(HttpMethod.Post, "api/ai/session-analyzer/analyze", body, cancellationToken)).Body;
        var answer = analysis?.DeepClone() as JsonObject ?? [];
        answer["next"] = body.connection is null
            ? "No connection given, so `action` is no connection's policy; pass `connection` to see what exec would do."
            : analysis?["action"]?.GetValue<string>() switch
            {
                "allow" => "exec would run this command on the connection (it is still recorded, and its output masked by policy).",
                "require_approval" => "exec would park this command for a human's review (status waiting_review); it would not run until approved.",
                "block" => "exec would refuse this command on the connection. Do not look for a variation that passes: tell the user.",
                var other => $"Unexpected action '{other}'.",
            };
        var text = new StringBuilder()
            .Append($"risk: {analysis?["risk_level"]}: {analysis?["title"]}: {analysis?["explanation"]}\n")
            .Append($"action: {analysis?["action"]}{(body.connection is null ? "" : $" (on connection {body.connection})")}\n")
            .Append($"source: {analysis?["source"]}\n")
            .Append($"next: {answer["next"]}\n");
        return ToolResults.Of(answer, text.ToString());
    }
}
