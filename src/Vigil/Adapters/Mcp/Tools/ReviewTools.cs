using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vigil.Adapters.Exec;
using Vigil.Reviews;

namespace Vigil.Adapters.Mcp.Tools;

/// <summary>
/// Reviews, the human approvals of commands that need one: <c>reviews_list</c> (<c>GET /api/reviews</c>),
/// <c>review_get</c> (<c>GET /api/reviews/{id}</c>), <c>review_wait</c> (the same with <c>?wait=</c>, long-polled in a loop up
/// to <see cref="MaxWaitSeconds"/>), <c>review_execute</c> (<c>POST /api/reviews/{id}/execute?wait_seconds=</c>, answered as
/// <see cref="ExecAnswer"/>) and <c>review_decide</c> (<c>POST /api/reviews/{id}/approve|reject</c>, for reviewers; the API
/// refuses a requester deciding their own review).
/// </summary>
[McpServerToolType]
public static class ReviewTools
{
    /// <summary>The longest <c>review_wait</c>, seconds.</summary>
    public const int MaxWaitSeconds = 300;

    /// <summary>The default <c>review_wait</c>, seconds: under the 60 s request timeout many MCP clients apply.</summary>
    public const int DefaultWaitSeconds = 50;

    /// <summary>One long poll of the API, at most; progress is reported between polls.</summary>
    private static readonly TimeSpan s_poll = TimeSpan.FromSeconds(15);

    /// <summary>A page of reviews.</summary>
    [McpServerTool(Name = "reviews_list", Title = "List reviews", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("List reviews (human approvals of commands that needed one), newest first: the ones you requested, the ones "
        + "you may decide (admins and auditors see all). With `waiting_for_me: true`, only pending reviews you may decide. "
        + "Pass an id to `review_get`, `review_wait`, `review_execute` or `review_decide`.")]
    public static async Task<CallToolResult> ReviewsList(
        VigilApi api,
        [Description("Only reviews with this status: pending, approved, rejected, expired, executed or cancelled")] string? status = null,
        [Description("true: only pending reviews that you may decide (as a member of their reviewer groups, or an admin)")] bool? waiting_for_me = null,
        [Description("Only reviews of this connection")] string? connection = null,
        [Description("Page number, from 1 (default 1)"), Range(1, int.MaxValue)] int? page = null,
        [Description("Reviews per page, 1 to 1000 (default 50)"), Range(1, 1000)] int? page_size = null,
        CancellationToken cancellationToken = default)
    {
        var path = ToolParameters.Query("api/reviews",
            ("status", status),
            ("waiting_for_me", waiting_for_me switch { true => "true", false => "false", null => null }),
            ("connection", string.IsNullOrWhiteSpace(connection) ? null : connection),
            ("page", page), ("page_size", page_size));
        return ToolResults.List(await api.GetAsync(path, cancellationToken), "Reviews, newest first:",
            "id", "status", "connection", "requested_by", "ai_analysis.risk_level", "ai_analysis.title", "expires_at");
    }

    /// <summary>One review.</summary>
    [McpServerTool(Name = "review_get", Title = "Show a review", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Show one review: the exact command (`input`), the risk analysis, who asked, who may decide (reviewer groups, "
        + "approvals needed), the decisions so far with reasons, its `status` (pending, approved, rejected, expired, executed, "
        + "cancelled) and when it expires, with what to do next.")]
    public static async Task<CallToolResult> ReviewGet(
        VigilApi api,
        [Description("The review id (from exec's review.id or reviews_list)")] string id,
        CancellationToken cancellationToken = default) =>
        ReviewAnswer.Result(await api.GetAsync($"api/reviews/{Segment(id)}", cancellationToken));

    /// <summary>Waits for a pending review's decision.</summary>
    [McpServerTool(Name = "review_wait", Title = "Wait for a review's decision", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Wait until a human decides a pending review, or until `timeout_seconds` pass, then answer its status: "
        + "`approved` → call `review_execute` with the same id to run the command; `rejected` or `expired` → the command "
        + "will not run, do not retry it or a variation of it, tell the user; still `pending` → call `review_wait` again "
        + "(reviews expire on their own; see `expires_at`). Use this after `exec` answered `waiting_review`.")]
    public static async Task<CallToolResult> ReviewWait(
        VigilApi api,
        TimeProvider time,
        IProgress<ProgressNotificationValue> progress,
        [Description("The review id (from exec's review.id)")] string id,
        [Description("Longest wait in seconds, 1 to 300 (default 50)"), Range(1, MaxWaitSeconds)] int? timeout_seconds = null,
        CancellationToken cancellationToken = default)
    {
        var review = Segment(id);
        var timeout = timeout_seconds ?? DefaultWaitSeconds;
        var started = time.GetUtcNow();
        var deadline = started.AddSeconds(timeout);
        while (true)
        {
            var remaining = deadline - time.GetUtcNow();
            var poll = remaining < s_poll ? remaining : s_poll;
            var wait = poll > TimeSpan.Zero ? $"?wait={Math.Max(1, (int)poll.TotalSeconds).ToString(CultureInfo.InvariantCulture)}s" : "";
            var current = await api.GetAsync($"api/reviews/{review}{wait}", cancellationToken);
            var status = current?["status"]?.GetValue<string>();
            var waited = (int)(time.GetUtcNow() - started).TotalSeconds;
            if (status != ReviewStatus.Pending || time.GetUtcNow() >= deadline || poll <= TimeSpan.Zero)
            {
                return ReviewAnswer.Result(current, status == ReviewStatus.Pending
                    ? $"Still pending after {waited} s (it expires at {current!["expires_at"]}). Call review_wait again with id "
                        + $"\"{current["id"]}\"; do not submit the command again or a variation of it."
                    : null, $"waited {waited} s");
            }
            progress.Report(new ProgressNotificationValue { Progress = waited, Total = timeout, Message = $"review {current!["id"]} still pending" });
        }
    }

    /// <summary>Runs an approved review's command.</summary>
    [McpServerTool(Name = "review_execute", Title = "Run an approved command", Destructive = true, OpenWorld = true)]
    [Description("Run the command of an approved review, exactly as it was reviewed, once (only its requester may). The "
        + "answer is the same as `exec`'s (`status` done, failed or running, `output`, `session_id`). A review that is not "
        + "approved (pending, rejected, expired) or already executed is an error saying so: call `review_get` to see why.")]
    public static async Task<CallToolResult> ReviewExecute(
        VigilApi api,
        [Description("The review id (from exec's review.id)")] string id,
        [Description("Seconds to wait for the result before answering `running` (default 25, at most 300)"), Range(0.0, ExecWait.MaxSeconds)] double? wait_seconds = null,
        CancellationToken cancellationToken = default)
    {
        var wait = wait_seconds ?? ExecAnswer.DefaultWaitSeconds;
        var path = $"api/reviews/{Segment(id)}/execute?wait_seconds={wait.ToString(CultureInfo.InvariantCulture)}";
        return ExecAnswer.Result((await api.SendAsync(HttpMethod.Post, path, null, cancellationToken)).Body);
    }

    /// <summary>Approves or rejects a review, as one of its reviewers.</summary>
    [McpServerTool(Name = "review_decide", Title = "Approve or reject a review", Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Approve or reject a pending review, as one of its reviewers (a member of its reviewer groups, or an admin). "
        + "Read it with `review_get` first: the exact command, its risk analysis and who asked. Nobody may decide their own "
        + "review: if the command is yours, call `review_wait` instead and let a human decide. The reason is recorded with "
        + "the decision and shown to the requester.")]
    public static async Task<CallToolResult> ReviewDecide(
        VigilApi api,
        [Description("The review id (from reviews_list with waiting_for_me: true)")] string id,
        [Description("approve or reject"), AllowedValues("approve", "reject")] string decision,
        [Description("Why: recorded with the decision and shown to the requester (at most 1000 characters)")] string reason,
        CancellationToken cancellationToken = default)
    {
        var review = Segment(id);
        var verb = ToolParameters.Required(decision, "decision", "approve or reject");
        var why = ToolParameters.Required(reason, "reason", "why you approve or reject it; the requester sees it");
        ApiAnswer answer;
        try
        {
            answer = await api.SendAsync(HttpMethod.Post, $"api/reviews/{review}/{verb}", new { reason = why }, cancellationToken);
        }
        catch (McpException e) when (e.Message.EndsWith("(HTTP 403)", StringComparison.Ordinal))
        {
            throw new McpException($"Vigil refused the decision: {e.Message}. Reviews are decided by people other than the "
                + "requester, in the review's reviewer groups; if the command is yours, call review_wait and let a reviewer decide.", e);
        }
        var after = answer.Body;
        var next = after?["status"]?.GetValue<string>() switch
        {
            ReviewStatus.Approved => "Approved. The requester can now run the command with review_execute.",
            ReviewStatus.Rejected => "Rejected. The command will not run; the requester sees your reason.",
            ReviewStatus.Pending => $"Your decision is recorded; the review needs {after!["min_approvals"]} approval(s) in all and stays pending until then.",
            _ => null,
        };
        return ReviewAnswer.Result(after, next);
    }

    private static string Segment(string? id) => VigilApi.Segment(ToolParameters.Required(id, "id", "a review id, from exec's review.id or reviews_list"));
}
