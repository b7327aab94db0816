using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;

namespace Vigil.Cli;

/// <summary>
/// <c>vigil sessions list [--connection C] [--type exec|connect|mcp] [--status open|done|failed|blocked|waiting_review|rejected|expired|interrupted] [--user U] [--risk-level low|medium|high]
/// [--limit N] [--json]</c> (a table, or the API's page) and <c>vigil sessions show ID [--json]</c> (the session's fields
/// and each event with its recorded result, see <see cref="SessionPrinter"/>, or the API's JSON).
/// </summary>
public static class SessionsCommand
{
    /// <summary>Builds the verb group.</summary>
    public static Command Create()
    {
        var group = new Command("sessions", "Inspect recorded sessions");
        var connection = new Option<string?>("--connection");
        var type = new Option<string?>("--type") { Description = "exec, connect or mcp (an agent's MCP tool calls)" };
        var status = new Option<string?>("--status") { Description = string.Join(", ", Sessions.SessionStatus.All) };
        status.AcceptOnlyFromAmong(Sessions.SessionStatus.All);
        var user = new Option<string?>("--user");
        var risk = new Option<string?>("--risk-level") { Description = "Only sessions whose worst analyzed command was low, medium or high" };
        risk.AcceptOnlyFromAmong("low", "medium", "high");
        var size = new Option<int>("--limit") { DefaultValueFactory = _ => 50 };
        var listJson = CliFormat.JsonOption();
        var list = new Command("list", "List sessions, newest first") { connection, type, status, user, risk, size, listJson };
        list.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var query = new StringBuilder($"api/sessions?page_size={parse.GetValue(size)}");
            foreach (var (key, option) in new[] { ("connection", connection), ("type", type), ("status", status), ("user", user), ("risk_level", risk) })
            {
                if (parse.GetValue(option) is { } value)
                {
                    query.Append('&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
                }
            }
            var page = await client.SendAsync(HttpMethod.Get, query.ToString(), null, ct);
            if (parse.GetValue(listJson))
            {
                CliOutput.Json(page);
                return 0;
            }
            // The worst analysis's level as its own column: the nested ai_analysis object does not fit a table cell.
            var rows = new JsonArray((page?["data"]?.AsArray() ?? []).Select(r => (JsonNode?)WithRisk(r)).ToArray());
            CliOutput.Table(rows, "id", "type", "connection", "user", "status", "risk", "event_count", "started_at");
            return 0;
        }));
        group.Subcommands.Add(list);
        var id = new Argument<string>("id");
        var showJson = CliFormat.JsonOption();
        var show = new Command("show", "Show a session with its events") { id, showJson };
        show.SetAction((parse, ct) => CliOutput.RunAsync(async client =>
        {
            var session = await client.SendAsync(HttpMethod.Get, $"api/sessions/{Uri.EscapeDataString(parse.GetValue(id)!)}", null, ct);
            if (parse.GetValue(showJson))
            {
                CliOutput.Json(session);
                return 0;
            }
            SessionPrinter.Print(session);
            return 0;
        }));
        group.Subcommands.Add(show);
        return group;
    }

    private static JsonNode? WithRisk(JsonNode? session)
    {
        if (session?.DeepClone() is not JsonObject row)
        {
            return session;
        }
        row["risk"] = row["ai_analysis"]?["risk_level"]?.GetValue<string>() ?? "-";
        return row;
    }
}
