using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil access request CONNECTION --duration 1h --reason TEXT [--wait] [--wait-timeout DURATION] [--json]</c> asks
/// for just-in-time <c>connect</c> access (<c>POST /api/access-requests</c>, a review of type <c>jit</c>) and prints
/// the review's id and URL; with <c>--wait</c> it waits for the decision as <c>vigil exec</c> does. <c>vigil access
/// list [--status S] [--page N] [--json]</c> lists your own requests.
/// Exit codes of <c>request</c>: 0 requested (or, with <c>--wait</c>, approved: the access expiry is printed),
/// 1 error, 3 rejected, expired or cancelled, 4 still pending when the wait stopped (Ctrl-C, <c>--wait-timeout</c>).
/// </summary>
public static class AccessCommand
{
    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var access = new Command("access", "Just-in-time access to connections for native clients (psql, …)");
        access.Subcommands.Add(Request());
        access.Subcommands.Add(List());
        return access;
    }

    private static Command Request()
    {
        var connection = new Argument<string>("connection") { Description = "Connection to get access to" };
        var duration = new Option<string>("--duration") { Description = "How long the access lasts once approved, e.g. 1h (at most the connection's max_access_duration)", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why you need access (shown to reviewers)", Required = true };
        var wait = new Option<bool>("--wait") { Description = "Wait for the decision: exit 0 when approved, 3 when rejected or expired" };
        var waitTimeout = new Option<string?>("--wait-timeout") { Description = "With --wait: stop waiting after this long (e.g. 10m) and exit 4" };
        var json = CliFormat.JsonOption();
        var command = new Command("request", "Ask for time-boxed access to a connection") { connection, duration, reason, wait, waitTimeout, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var deadline = ReviewWait.Deadline(parse.GetValue(waitTimeout));
            var body = new JsonObject { ["connection"] = parse.GetValue(connection), ["duration"] = parse.GetValue(duration), ["reason"] = parse.GetValue(reason) };
            var review = await client.SendAsync(HttpMethod.Post, "api/access-requests", body, ct)
                ?? throw new CliException("the gateway returned no access request");
            var id = ReviewWait.Str(review["id"])!;
            var asJson = parse.GetValue(json);
            if (!parse.GetValue(wait))
            {
                if (asJson)
                {
                    CliOutput.Json(review);
                }
                else
                {
                    Console.WriteLine($"access request {id} is {ReviewWait.Str(review["status"])} (expires {ReviewWait.Str(review["expires_at"])})");
                    Console.WriteLine(ReviewWait.Str(review["url"]));
                }
                return 0;
            }
            await Console.Error.WriteLineAsync(
                $"vigil: access request {id}: {ReviewWait.Str(review["url"])} (expires {ReviewWait.Str(review["expires_at"])})\n" +
                "vigil: waiting for approval (Ctrl-C stops waiting; the request stays pending)");
            var (current, end) = await ReviewWait.WaitAsync(client, review, deadline, ct);
            if (asJson)
            {
                CliOutput.Json(current);
            }
            if (end != WaitEnd.Decided)
            {
                await Console.Error.WriteLineAsync(
                    $"vigil: {(end == WaitEnd.Interrupted ? "interrupted" : "stopped waiting (--wait-timeout)")}: access request {id} is still pending " +
                    $"({ReviewWait.Progress(current)}); check it with `vigil reviews show {id}`");
                return ReviewWait.ExitWaiting;
            }
            if (ReviewWait.Str(current["status"]) != "approved")
            {
                await Console.Error.WriteLineAsync($"vigil: {ReviewWait.Outcome(current)}");
                return ReviewWait.Denied(current) ? ReviewWait.ExitDenied : 1;
            }
            var until = ReviewWait.Str(current["access_expires_at"]);
            await Console.Error.WriteLineAsync($"vigil: approved by {ReviewWait.Approvers(current)}");
            if (!asJson)
            {
                Console.WriteLine($"access to {ReviewWait.Str(current["connection"])} granted until {until}");
            }
            return 0;
        }));
        return command;
    }

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "pending, approved, rejected, expired or cancelled" };
        var page = CliFormat.PageOption();
        var json = CliFormat.JsonOption();
        var command = new Command("list", "List your access requests, newest first") { status, page, json };
        command.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            await CliFormat.ListAsync(client, "api/access-requests", [("status", parse.GetValue(status))], parse.GetValue(page), parse.GetValue(json),
                ["id", "connection", "status", "access_duration", "access_expires_at", "reason", "created_at"], ct);
            return 0;
        }));
        return command;
    }
}
