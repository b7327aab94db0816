using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil reviews list|show|approve|reject|cancel</c> over <c>/api/reviews</c>:
/// <list type="bullet">
/// <item><c>list [--status S] [--connection C] [--requester R] [--type onetime|jit] [--waiting-for-me] [--page N] [--json]</c>:
/// a table of id, status, connection, requester, risk, title, created (newest first).</item>
/// <item><c>show ID [--json]</c>: the input, the analyzer's title and explanation, the decisions and the expiry.</item>
/// <item><c>approve ID [--reason TEXT]</c>, <c>reject ID [--reason TEXT]</c>: a reviewer's decision (never on one's own review).</item>
/// <item><c>cancel ID</c>: the requester withdraws a pending review.</item>
/// </list>
/// Refusals are the gateway's problem details: 403 (self-approval, not a reviewer), 404, 409 (no longer pending); exit 1.
/// </summary>
public static class ReviewsCommand
{
    private static readonly string[] Columns = ["id", "status", "connection", "requester", "risk", "title", "created"];

    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var reviews = new Command("reviews", "List, inspect and decide reviews of commands and access requests");
        reviews.Subcommands.Add(List());
        reviews.Subcommands.Add(Show());
        reviews.Subcommands.Add(Decide("approve", "Approve a pending review"));
        reviews.Subcommands.Add(Decide("reject", "Reject a pending review"));
        reviews.Subcommands.Add(Cancel());
        return reviews;
    }

    /// <summary>A review as a table row: the analyzer's level and title (an access request's reason) flattened.</summary>
    internal static JsonNode Row(JsonNode review) => new JsonObject
    {
        ["id"] = review["id"]?.DeepClone(),
        ["status"] = review["status"]?.DeepClone(),
        ["connection"] = review["connection"]?.DeepClone(),
        ["requester"] = review["requested_by"]?.DeepClone(),
        ["risk"] = ReviewWait.Str(review["ai_analysis"]?["risk_level"]) ?? "-",
        ["title"] = Shorten(ReviewWait.Str(review["ai_analysis"]?["title"]) ?? ReviewWait.Str(review["reason"]) ?? ReviewWait.Str(review["input"]) ?? "-", 60),
        ["created"] = review["created_at"]?.DeepClone(),
    };

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "pending, approved, rejected, expired, executed or cancelled" };
        status.AcceptOnlyFromAmong("pending", "approved", "rejected", "expired", "executed", "cancelled");
        var connection = new Option<string?>("--connection") { Description = "Only reviews of this connection" };
        var requester = new Option<string?>("--requester") { Description = "Only reviews requested by this user (e-mail) or service account" };
        var type = new Option<string?>("--type") { Description = "onetime (a command) or jit (an access request)" };
        type.AcceptOnlyFromAmong("onetime", "jit");
        var mine = new Option<bool>("--waiting-for-me") { Description = "Only pending reviews you may still decide" };
        var page = CliFormat.PageOption();
        var json = CliFormat.JsonOption();
        var command = new Command("list", "List reviews, newest first") { status, connection, requester, type, mine, page, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await CliFormat.ListAsync(client, "api/reviews",
                [("status", parse.GetValue(status)), ("connection", parse.GetValue(connection)), ("requester", parse.GetValue(requester)),
                 ("type", parse.GetValue(type)), ("waiting_for_me", parse.GetValue(mine) ? "true" : null)],
                parse.GetValue(page), parse.GetValue(json), Columns, ct, Row);
            return 0;
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("id");
        var json = CliFormat.JsonOption();
        var command = new Command("show", "Show a review: input, analysis, decisions, expiry") { id, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var review = await client.SendAsync(HttpMethod.Get, $"api/reviews/{CliFormat.Segment(parse.GetValue(id)!)}", null, ct);
            if (parse.GetValue(json))
            {
                CliOutput.Json(review);
            }
            else
            {
                Console.Out.Write(Describe(review!));
            }
            return 0;
        }));
        return command;
    }

    private static Command Decide(string verb, string description)
    {
        var id = new Argument<string>("id");
        var reason = new Option<string?>("--reason") { Description = "Why (shown to the requester)" };
        var json = CliFormat.JsonOption();
        var command = new Command(verb, description) { id, reason, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var body = parse.GetValue(reason) is { } why ? new JsonObject { ["reason"] = why } : null;
            var review = await client.SendAsync(HttpMethod.Post, $"api/reviews/{CliFormat.Segment(parse.GetValue(id)!)}/{verb}", body, ct);
            if (parse.GetValue(json))
            {
                CliOutput.Json(review);
            }
            else
            {
                var state = ReviewWait.Str(review?["status"]) == "pending" ? $"still pending, {ReviewWait.Progress(review!)}" : ReviewWait.Str(review?["status"]);
                Console.WriteLine($"{(verb == "approve" ? "approved" : "rejected")} review {parse.GetValue(id)} (now {state})");
            }
            return 0;
        }));
        return command;
    }

    private static Command Cancel()
    {
        var id = new Argument<string>("id");
        var json = CliFormat.JsonOption();
        var command = new Command("cancel", "Withdraw your pending review") { id, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var review = await client.SendAsync(HttpMethod.Post, $"api/reviews/{CliFormat.Segment(parse.GetValue(id)!)}/cancel", null, ct);
            if (parse.GetValue(json))
            {
                CliOutput.Json(review);
            }
            else
            {
                Console.WriteLine($"cancelled review {parse.GetValue(id)}");
            }
            return 0;
        }));
        return command;
    }

    /// <summary>The human view of <c>reviews show</c>.</summary>
    internal static string Describe(JsonNode review)
    {
        string Field(string name) => ReviewWait.Str(review[name]) ?? "-";
        var text = new StringBuilder();
        var status = Field("status");
        text.AppendLine($"review       {Field("id")} ({Field("type")})");
        text.AppendLine($"status       {status}" + (status == "pending" ? $" ({ReviewWait.Progress(review)})" : ""));
        text.AppendLine($"connection   {Field("connection")}");
        text.AppendLine($"requested    by {Field("requested_by")} at {Field("created_at")}");
        var groups = review["reviewer_groups"] is JsonArray { Count: > 0 } g ? $"members of {CliFormat.Text(g)} or admins" : "admins only";
        text.AppendLine($"reviewers    {groups}; {review["min_approvals"]?.ToString() ?? "1"} approval(s) needed");
        text.AppendLine($"expires      {Field("expires_at")}");
        if (ReviewWait.Str(review["reason"]) is { } reason)
        {
            text.AppendLine($"reason       {reason}");
        }
        if (ReviewWait.Str(review["access_duration"]) is { } duration)
        {
            text.AppendLine($"access       {duration}" + (ReviewWait.Str(review["access_expires_at"]) is { } until ? $", until {until}" : ""));
        }
        if (ReviewWait.Str(review["executed_at"]) is { } executed)
        {
            text.AppendLine($"executed     {executed}" + (ReviewWait.Str(review["session_id"]) is { } session ? $" (session {session})" : ""));
        }
        if (review["ai_analysis"] is JsonObject analysis)
        {
            text.AppendLine($"risk         {ReviewWait.Str(analysis["risk_level"]) ?? "-"}: {ReviewWait.Str(analysis["title"]) ?? "-"}");
            if (ReviewWait.Str(analysis["explanation"]) is { } explanation)
            {
                text.AppendLine($"             {explanation}");
            }
        }
        text.AppendLine($"url          {Field("url")}");
        text.AppendLine("input:");
        foreach (var line in Field("input").Split('\n'))
        {
            text.AppendLine($"  {line.TrimEnd('\r')}");
        }
        var decisions = review["decisions"] as JsonArray ?? [];
        text.AppendLine(decisions.Count == 0 ? "decisions:   none yet" : "decisions:");
        foreach (var decision in decisions)
        {
            text.AppendLine($"  {ReviewWait.Str(decision?["decision"])} by {ReviewWait.Str(decision?["by"])} at {ReviewWait.Str(decision?["at"])}"
                + (ReviewWait.Str(decision?["reason"]) is { } why ? $": {why}" : ""));
        }
        return text.ToString();
    }

    private static string Shorten(string text, int max)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
