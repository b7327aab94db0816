using System.CommandLine;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil exec CONNECTION (-i SCRIPT | -f FILE | stdin) [--json] [--no-wait] [--wait-timeout DURATION]</c> runs a
/// one-off command through the gateway (<c>POST /api/sessions</c>); <c>vigil exec --review ID</c> runs the command of
/// an approved review (<c>POST /api/reviews/{id}/execute</c>), waiting first while it is pending.
/// <para>
/// A command that needs approval (the gateway answers 202 <c>waiting_review</c>) is waited for: the analyzer's title
/// and explanation and the review's id and URL go to stderr, then the review is long-polled
/// (<c>GET /api/reviews/{id}?wait=25s</c>) with each approval reported ("vigil: 1/2 approvals (approved by bob@x)");
/// once approved the command runs and its output is printed as for any exec. Ctrl-C stops waiting, leaves the review
/// pending and prints how to resume. <c>--json</c> prints the final session JSON (<c>{id, status, exit_code, output,
/// reason, ai_analysis, review}</c>) on stdout; progress stays on stderr.
/// </para>
/// Exit codes (DESIGN.md external contract): 0 done, 1 error/failed (also: the review was already executed), 2 blocked,
/// 3 review rejected, expired or cancelled, 4 still waiting for review (<c>--no-wait</c>, Ctrl-C, <c>--wait-timeout</c>).
/// </summary>
public static class ExecCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create()
    {
        var connection = new Argument<string?>("connection") { Description = "Connection name (not needed with --review)", Arity = ArgumentArity.ZeroOrOne };
        var input = new Option<string?>("--input", "-i") { Description = "The script to run" };
        var file = new Option<FileInfo?>("--file", "-f") { Description = "Read the script from a file" };
        var json = new Option<bool>("--json") { Description = "Print the session JSON instead of the output" };
        var noWait = new Option<bool>("--no-wait") { Description = "Do not wait when the command needs approval: exit 4 at once" };
        var review = new Option<string?>("--review") { Description = "Run the command of this review once it is approved (waits while it is pending)" };
        var waitTimeout = new Option<string?>("--wait-timeout")
        {
            Description = "Stop waiting for approval after this long (e.g. 10m) and exit 4; default: until the review expires",
        };
        var command = new Command("exec", "Run a one-off command on a connection") { connection, input, file, json, noWait, review, waitTimeout };
        command.SetAction((parse, cancellationToken) => CliOutput.RunAsync(async client =>
        {
            var options = new WaitOptions(parse.GetValue(json), parse.GetValue(noWait), ReviewWait.Deadline(parse.GetValue(waitTimeout)));
            var connectionName = parse.GetValue(connection);
            if (parse.GetValue(review) is { } reviewId)
            {
                if (parse.GetValue(input) is not null || parse.GetValue(file) is not null)
                {
                    throw new CliException("--review runs the command that was reviewed: do not pass -i or -f with it");
                }
                return await RunReviewAsync(client, reviewId, connectionName, options, cancellationToken);
            }
            if (string.IsNullOrWhiteSpace(connectionName))
            {
                throw new CliException("no connection: run `vigil exec CONNECTION -i SCRIPT`, or `vigil exec --review ID` to run a reviewed command");
            }
            var script = parse.GetValue(input)
                ?? (parse.GetValue(file) is { } f ? await CliFiles.ReadTextAsync(f, "-f", cancellationToken) : null)
                ?? (Console.IsInputRedirected ? await Console.In.ReadToEndAsync(cancellationToken) : null);
            if (string.IsNullOrWhiteSpace(script))
            {
                throw new CliException("no script: pass -i SCRIPT, -f FILE or pipe it on stdin");
            }
            var result = await client.SendAsync(HttpMethod.Post, "api/sessions", new { connection = connectionName, script }, cancellationToken);
            if (ReviewWait.Str(result?["status"]) != "waiting_review" || ReviewWait.Str(result?["review"]?["id"]) is not { } pending)
            {
                return await PrintResultAsync(result, options.Json);
            }
            await DescribePendingAsync(pending, ReviewWait.Str(result?["review"]?["url"]), ReviewWait.Str(result?["review"]?["expires_at"]),
                result?["ai_analysis"], ReviewWait.Str(result?["reason"]));
            if (options.NoWait)
            {
                if (options.Json)
                {
                    CliOutput.Json(result);
                }
                await Console.Error.WriteLineAsync(
                    $"vigil: approval pending: review {pending} (session {ReviewWait.Str(result?["id"]) ?? "?"}); once it is approved, run it with `vigil exec --review {pending}`");
                return ReviewWait.ExitWaiting;
            }
            // The 202 carries only a reference: the waiting starts from the review itself.
            var current = await client.SendAsync(HttpMethod.Get, $"api/reviews/{CliFormat.Segment(pending)}", null, cancellationToken)
                ?? throw new CliException($"review '{pending}' not found");
            return await WaitAndExecuteAsync(client, current, result, options, cancellationToken);
        }));
        return command;
    }

    /// <summary>What to do about a pending review.</summary>
    private sealed record WaitOptions(bool Json, bool NoWait, DateTimeOffset? Deadline);

    /// <summary><c>vigil exec --review ID</c>: waits for the review if pending (unless --no-wait), then executes it.</summary>
    private static async Task<int> RunReviewAsync(GatewayClient client, string id, string? connection, WaitOptions options, CancellationToken cancellationToken)
    {
        var review = await client.SendAsync(HttpMethod.Get, $"api/reviews/{CliFormat.Segment(id)}", null, cancellationToken)
            ?? throw new CliException($"review '{id}' not found");
        if (ReviewWait.Str(review["type"]) == "jit")
        {
            throw new CliException($"review {id} is an access request, not a command: once approved, connect with your usual client");
        }
        if (connection is not null && ReviewWait.Str(review["connection"]) is { } reviewed && reviewed != connection)
        {
            throw new CliException($"review {id} is for connection '{reviewed}', not '{connection}'");
        }
        if (ReviewWait.Str(review["status"]) == "pending")
        {
            if (options.NoWait)
            {
                if (options.Json)
                {
                    CliOutput.Json(review);
                }
                await Console.Error.WriteLineAsync($"vigil: {ReviewWait.Outcome(review)}; run `vigil exec --review {id}` again once it is approved");
                return ReviewWait.ExitWaiting;
            }
            var analysis = review["ai_analysis"];
            await DescribePendingAsync(id, ReviewWait.Str(review["url"]), ReviewWait.Str(review["expires_at"]), analysis, null);
        }
        return await WaitAndExecuteAsync(client, review, null, options, cancellationToken);
    }

    /// <summary>
    /// Waits while <paramref name="review"/> is pending, then runs it when approved; reports a denial (exit 3), an
    /// earlier execution (exit 1) or an interrupted wait (exit 4). <paramref name="session"/> is the 202 answer of
    /// <c>POST /api/sessions</c>, when there was one (its analysis fills the <c>--json</c> answer of a denial).
    /// </summary>
    private static async Task<int> WaitAndExecuteAsync(
        GatewayClient client, JsonNode review, JsonNode? session, WaitOptions options, CancellationToken cancellationToken)
    {
        var id = ReviewWait.Str(review["id"])!;
        if (ReviewWait.Str(review["status"]) == "pending")
        {
            await Console.Error.WriteLineAsync("vigil: waiting for approval (Ctrl-C stops waiting; the review stays pending)");
        }
        JsonNode current;
        WaitEnd end;
        try
        {
            (current, end) = await ReviewWait.WaitAsync(client, review, options.Deadline, cancellationToken);
        }
        catch (CliException e) when (e.Status is null or >= 500)
        {
            // The gateway went away mid-wait: the review itself is unaffected.
            throw new CliException($"{e.Message}; the review may still be pending: resume with `vigil exec --review {id}`", e.Status);
        }
        if (end != WaitEnd.Decided)
        {
            var why = end == WaitEnd.Interrupted ? "interrupted" : "stopped waiting (--wait-timeout)";
            await Console.Error.WriteLineAsync(
                $"vigil: {why}: review {id} is still pending ({ReviewWait.Progress(current)}); resume with `vigil exec --review {id}`");
            return ReviewWait.ExitWaiting;
        }
        var status = ReviewWait.Str(current["status"]);
        if (status != "approved")
        {
            return await RefuseAsync(current, session, options.Json);
        }
        await Console.Error.WriteLineAsync($"vigil: approved by {ReviewWait.Approvers(current)}; running");
        JsonNode? result;
        try
        {
            result = await client.SendAsync(HttpMethod.Post, $"api/reviews/{CliFormat.Segment(id)}/execute", null, cancellationToken);
        }
        catch (CliException e) when (e.Status == 409)
        {
            // Not approved any more: expired in the meantime, or run by another `vigil exec --review`.
            var after = await client.SendAsync(HttpMethod.Get, $"api/reviews/{CliFormat.Segment(id)}", null, cancellationToken);
            if (after is null || ReviewWait.Str(after["status"]) == "approved")
            {
                throw;
            }
            return await RefuseAsync(after, session, options.Json);
        }
        return await PrintResultAsync(result, options.Json);
    }

    /// <summary>
    /// Reports a review that will not run: 3 when rejected, expired or cancelled (with <c>--json</c> an exec-shaped
    /// answer <c>{id, status, exit_code: 3, output: "", reason, ai_analysis, review}</c>), 1 when it already ran.
    /// </summary>
    private static async Task<int> RefuseAsync(JsonNode review, JsonNode? session, bool json)
    {
        var outcome = ReviewWait.Outcome(review);
        var denied = ReviewWait.Denied(review);
        var exitCode = denied ? ReviewWait.ExitDenied : 1;
        if (json && denied)
        {
            CliOutput.Json(new JsonObject
            {
                ["id"] = ReviewWait.Str(review["session_id"]) ?? ReviewWait.Str(session?["id"]),
                ["status"] = ReviewWait.Str(review["status"]) == "expired" ? "expired" : "rejected",
                ["exit_code"] = exitCode,
                ["output"] = "",
                ["reason"] = outcome,
                ["ai_analysis"] = (review["ai_analysis"] ?? session?["ai_analysis"])?.DeepClone(),
                ["review"] = new JsonObject
                {
                    ["id"] = ReviewWait.Str(review["id"]),
                    ["status"] = ReviewWait.Str(review["status"]),
                    ["url"] = ReviewWait.Str(review["url"]),
                    ["expires_at"] = ReviewWait.Str(review["expires_at"]),
                },
            });
        }
        await Console.Error.WriteLineAsync($"vigil: {outcome}");
        return exitCode;
    }

    /// <summary>Prints a session result as exec does (output on stdout when done, stderr otherwise) and returns its exit code.</summary>
    private static async Task<int> PrintResultAsync(JsonNode? result, bool json)
    {
        var exitCode = result?["exit_code"]?.GetValue<int>() ?? 1;
        if (json)
        {
            CliOutput.Json(result);
        }
        else
        {
            var output = result?["output"]?.GetValue<string>() ?? "";
            (exitCode == 0 ? Console.Out : Console.Error).Write(output);
            await ExplainBlockedAsync(result, output);
        }
        return exitCode;
    }

    /// <summary>
    /// Says on stderr why a command waits: the gateway's reason (or the analyzer's title), the explanation, and the
    /// review's id, URL and expiry.
    /// </summary>
    private static async Task DescribePendingAsync(string id, string? url, string? expiresAt, JsonNode? analysis, string? reason)
    {
        var title = ReviewWait.Str(analysis?["title"]);
        // The gateway's reason ends with "(review ID: URL)", which the last line says anyway.
        var headline = reason is not null && reason.IndexOf(" (review ", StringComparison.Ordinal) is var cut and > 0 ? reason[..cut] : reason;
        headline ??= title is null ? "approval required" : $"approval required by AI session analyzer: {title}";
        var lines = new List<string> { $"vigil: {headline}" };
        if (title is not null && !headline.Contains(title, StringComparison.Ordinal))
        {
            lines.Add($"vigil: AI session analyzer: {ReviewWait.Str(analysis?["risk_level"]) ?? "unknown"} risk: {title}");
        }
        if (ReviewWait.Str(analysis?["explanation"]) is { } explanation)
        {
            lines.Add(explanation);
        }
        lines.Add($"vigil: review {id}" + (url is null ? "" : $": {url}") + (expiresAt is null ? "" : $" (expires {expiresAt})"));
        await Console.Error.WriteLineAsync(string.Join('\n', lines));
    }

    /// <summary>
    /// Makes sure a command the analyzer blocked says why on stderr: its title and explanation (the gateway's output
    /// normally carries them already). A command blocked otherwise (a guardrail stopped its result) says so itself.
    /// </summary>
    private static async Task ExplainBlockedAsync(JsonNode? result, string output)
    {
        var analysis = result?["ai_analysis"];
        var title = ReviewWait.Str(analysis?["title"]);
        if (ReviewWait.Str(result?["status"]) == "blocked" && ReviewWait.Str(analysis?["action"]) == "block" && title is not null
            && !output.Contains(title, StringComparison.Ordinal))
        {
            var explanation = ReviewWait.Str(analysis?["explanation"]) ?? "";
            await Console.Error.WriteLineAsync($"vigil: blocked by AI session analyzer: {title}\n{explanation}");
        }
    }
}
