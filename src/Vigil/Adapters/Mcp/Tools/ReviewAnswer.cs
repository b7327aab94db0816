using System.Text;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace Vigil.Adapters.Mcp.Tools;

/// <summary>
/// The answer of the review tools: the API's review (<c>{id, type, session_id, connection, requested_by, input,
/// ai_analysis, reviewer_groups, min_approvals, status, decisions, expires_at, url, …}</c>) plus <c>next</c>, what an
/// agent should do about its status, and the same as text for a model that reads only text.
/// </summary>
public static class ReviewAnswer
{
    private static readonly string[] s_shown =
        ["connection", "requested_by", "input", "ai_analysis", "reviewer_groups", "min_approvals", "decisions", "expires_at", "executed_at", "session_id", "url"];

    /// <summary>The tool result for <paramref name="review"/>; <paramref name="next"/> replaces the default guidance.</summary>
    public static CallToolResult Result(JsonNode? review, string? next = null, string? note = null)
    {
        var answer = review?.DeepClone() as JsonObject ?? [];
        answer["next"] = next ?? Next(review);
        var text = new StringBuilder($"review {review?["id"]}: {review?["status"]}\n");
        if (note is not null)
        {
            text.Append(note).Append('\n');
        }
        text.Append("next: ").Append(answer["next"]).Append('\n');
        ToolResults.AppendFields(text, review, s_shown);
        return ToolResults.Of(answer, text.ToString());
    }

    /// <summary>What to do about <paramref name="review"/>'s status.</summary>
    public static string Next(JsonNode? review)
    {
        var id = review?["id"]?.GetValue<string>();
        var jit = review?["type"]?.GetValue<string>() == "jit";
        return review?["status"]?.GetValue<string>() switch
        {
            "pending" => $"Waiting for a human reviewer (groups {ToolResults.Cell(review!["reviewer_groups"])}, {review["min_approvals"]} approval(s) "
                + $"needed) until {review["expires_at"]}. If it is your own request, call review_wait with id \"{id}\" and do not "
                + "submit the command again or a variation of it. If you are one of its reviewers, decide with review_decide.",
            "approved" when jit => $"Approved: access to the connection is granted until {review!["access_expires_at"]}.",
            "approved" => $"Approved. The requester runs the command exactly as reviewed with review_execute, id \"{id}\" (once, "
                + $"before {review!["expires_at"]}).",
            "rejected" => "Rejected by a reviewer; the command did not run. Do not run it again or a variation of it: tell the user "
                + "why it was rejected (see decisions) and ask how to proceed.",
            "expired" => "Nobody decided in time (or the approval went unused); the command did not run. Ask the user before "
                + "submitting it again.",
            "executed" => $"The approved command already ran; call session_result with id \"{review!["session_id"]}\" for its result.",
            "cancelled" => "The requester withdrew this review; the command did not run.",
            var other => $"Unexpected status '{other}'; call review_get with id \"{id}\" later.",
        };
    }
}
