using System.Globalization;
using System.Text.Json.Nodes;
using Vigil.Hosting;

namespace Vigil.Cli;

/// <summary>How <see cref="ReviewWait.WaitAsync"/> stopped.</summary>
internal enum WaitEnd
{
    /// <summary>The review left <c>pending</c> (approved, rejected, expired, cancelled or executed).</summary>
    Decided,
    /// <summary>The wait's deadline passed while the review was still pending.</summary>
    TimedOut,
    /// <summary>The user interrupted (Ctrl-C, SIGINT/SIGTERM) while the review was still pending.</summary>
    Interrupted,
}

/// <summary>
/// Waiting for a review from the CLI: long-polls <c>GET /api/reviews/{id}?wait=25s</c> while the review is
/// <c>pending</c> and reports each new approval on stderr ("vigil: 1/2 approvals (approved by bob@x)"). Also the
/// readable descriptions of a review's state shared by <c>vigil exec</c>, <c>vigil reviews</c> and <c>vigil access</c>.
/// </summary>
internal static class ReviewWait
{
    /// <summary>The longest single long-poll (the gateway allows up to 60 s).</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(25);

    /// <summary>Exit code of a review that ended without running: rejected, expired or cancelled (DESIGN.md).</summary>
    public const int ExitDenied = 3;

    /// <summary>Exit code while the review is still pending (DESIGN.md).</summary>
    public const int ExitWaiting = 4;

    /// <summary>
    /// Waits until <paramref name="review"/> leaves <c>pending</c>, <paramref name="deadline"/> passes (null: no limit
    /// of our own; the gateway expires the review at its <c>expires_at</c>) or <paramref name="cancellationToken"/> is
    /// cancelled. Returns the review as last seen.
    /// </summary>
    /// <exception cref="CliException">The gateway failed or became unreachable.</exception>
    public static async Task<(JsonNode Review, WaitEnd End)> WaitAsync(
        GatewayClient client, JsonNode review, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        var id = Str(review["id"]) ?? throw new CliException("the gateway returned a review without an id");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await ReportAsync(review, seen);
        while (Str(review["status"]) == "pending")
        {
            var wait = Poll;
            if (deadline is { } end)
            {
                var remaining = end - DateTimeOffset.UtcNow;
                if (remaining <= TimeSpan.Zero)
                {
                    return (review, WaitEnd.TimedOut);
                }
                wait = remaining < wait ? remaining : wait;
            }
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            try
            {
                review = await client.SendAsync(HttpMethod.Get, $"api/reviews/{CliFormat.Segment(id)}?wait={seconds}s", null, cancellationToken)
                    ?? throw new CliException($"the gateway returned no review for '{id}'");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return (review, WaitEnd.Interrupted);
            }
            await ReportAsync(review, seen);
        }
        return (review, WaitEnd.Decided);
    }

    /// <summary>Parses a <c>--wait-timeout</c> value ("90s", "5m") into a deadline from now; null when not given.</summary>
    /// <exception cref="CliException">Not a duration.</exception>
    public static DateTimeOffset? Deadline(string? waitTimeout)
    {
        if (waitTimeout is null)
        {
            return null;
        }
        return DurationText.TryParse(waitTimeout, out var timeout)
            ? DateTimeOffset.UtcNow + timeout
            : throw new CliException($"--wait-timeout must be a duration such as \"90s\" or \"10m\", not '{waitTimeout}'");
    }

    /// <summary>The users who approved, comma-separated.</summary>
    public static string Approvers(JsonNode review) =>
        string.Join(", ", Decisions(review).Where(d => Str(d["decision"]) == "approved").Select(d => Str(d["by"])));

    /// <summary>"approved 1/2" style progress of a review.</summary>
    public static string Progress(JsonNode review) =>
        $"{Decisions(review).Count(d => Str(d["decision"]) == "approved")}/{review["min_approvals"]?.GetValue<int>() ?? 1} approvals";

    /// <summary>
    /// One line saying how a review ended (without the "vigil: " prefix): who approved, who rejected and why,
    /// that it expired, was cancelled or already executed.
    /// </summary>
    public static string Outcome(JsonNode review)
    {
        var id = Str(review["id"]);
        switch (Str(review["status"]))
        {
            case "approved":
                return $"review {id} approved by {Approvers(review)}";
            case "rejected":
                var rejection = Decisions(review).LastOrDefault(d => Str(d["decision"]) == "rejected");
                return $"review {id} rejected by {Str(rejection?["by"]) ?? "a reviewer"}"
                    + (Str(rejection?["reason"]) is { } why ? $": {why}" : "");
            case "expired":
                // An approved one-time review expires when nobody runs it within its window.
                return Str(review["executed_at"]) is null && Decisions(review).Count(d => Str(d["decision"]) == "approved") >= (review["min_approvals"]?.GetValue<int>() ?? 1)
                    ? $"review {id} expired: it was approved but not run before {Str(review["expires_at"])}"
                    : $"review {id} expired at {Str(review["expires_at"])} without enough approvals ({Progress(review)})";
            case "cancelled":
                return $"review {id} was cancelled by its requester";
            case "executed":
                return $"review {id} was already executed at {Str(review["executed_at"])}"
                    + (Str(review["session_id"]) is { } session ? $" (see `vigil sessions show {session}`)" : "");
            case "pending":
                return $"review {id} is still pending ({Progress(review)})";
            default:
                return $"review {id} is {Str(review["status"])}";
        }
    }

    /// <summary>True for the states that deny the request for good (exit code 3): rejected, expired, cancelled.</summary>
    public static bool Denied(JsonNode review) => Str(review["status"]) is "rejected" or "expired" or "cancelled";

    /// <summary>An RFC 3339 time of the API, or null.</summary>
    public static DateTimeOffset? Time(JsonNode? node) =>
        Str(node) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    /// <summary>The string value of a JSON node, or null (also for an empty string).</summary>
    public static string? Str(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static IEnumerable<JsonNode> Decisions(JsonNode review) =>
        (review["decisions"] as JsonArray ?? []).Where(d => d is not null).Select(d => d!);

    /// <summary>Prints each approval not reported yet while the review is still pending.</summary>
    private static async Task ReportAsync(JsonNode review, HashSet<string> seen)
    {
        foreach (var decision in Decisions(review))
        {
            var key = $"{Str(decision["by"])}\n{Str(decision["decision"])}";
            if (seen.Add(key) && Str(review["status"]) == "pending" && Str(decision["decision"]) == "approved")
            {
                var reason = Str(decision["reason"]) is { } why ? $": {why}" : "";
                await Console.Error.WriteLineAsync($"vigil: {Progress(review)} (approved by {Str(decision["by"])}{reason})");
            }
        }
    }
}
