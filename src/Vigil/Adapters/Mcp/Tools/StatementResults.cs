using System.Text;
using System.Text.Json.Nodes;
using Vigil.Adapters.Exec;

namespace Vigil.Adapters.Mcp.Tools;

/// <summary>
/// The recorded statements of a session (<c>GET /api/sessions/{id}</c>, its <c>statement</c> events) as an agent reads
/// them: per statement <c>{seq, text, command_tag, rows, sqlstate, message, columns, result_rows, truncated,
/// notices}</c>, where <c>columns</c> are <c>[{name, type}]</c> and <c>result_rows</c> the recorded (already masked)
/// values, and as text: the statement, then its rows as an aligned table (psql's format). The recording keeps the
/// connection's <c>record_result_rows</c> first rows; <c>truncated</c> says when rows were left out.
/// </summary>
public static class StatementResults
{
    private static readonly HashSet<string> s_numeric = new(StringComparer.Ordinal)
    {
        // The proxy records the catalog's names, exec Npgsql's SQL-standard ones.
        "int2", "int4", "int8", "float4", "float8", "smallint", "integer", "bigint", "real", "double precision", "numeric", "oid", "money",
    };

    /// <summary>How long <see cref="ReadSettledAsync"/> waits for the recording of an ended session to land.</summary>
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(2);

    /// <summary>
    /// <c>GET /api/sessions/{id}</c>, read again (for up to 2 s) while the store still shows it <c>open</c>: the recorder
    /// writes asynchronously, so a session whose run just answered may not be closed in the store yet, and its close is
    /// written after its statements. A session that really is still running is returned as read at the end.
    /// </summary>
    public static async Task<JsonNode?> ReadSettledAsync(VigilApi api, string id, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + s_settle;
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var session = await api.GetAsync($"api/sessions/{VigilApi.Segment(id)}", cancellationToken);
            if (session?["status"]?.GetValue<string>() != "open" || time.GetUtcNow() >= deadline)
            {
                return session;
            }
            await Task.Delay(delay, time, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(500).Ticks));
        }
    }

    /// <summary>The recorded statements of <paramref name="session"/>, in order.</summary>
    public static JsonArray Statements(JsonNode? session) =>
    [
        .. (session?["events"] as JsonArray ?? []).Where(e => e?["kind"]?.GetValue<string>() == "statement").Select(e => (JsonNode)new JsonObject
        {
            ["seq"] = e!["seq"]?.DeepClone(),
            ["text"] = e["text"]?.DeepClone(),
            ["command_tag"] = e["command_tag"]?.DeepClone(),
            ["rows"] = e["rows"]?.DeepClone(),
            ["sqlstate"] = e["sqlstate"]?.DeepClone(),
            ["message"] = e["message"]?.DeepClone(),
            ["columns"] = e["result"]?["columns"]?.DeepClone(),
            ["result_rows"] = e["result"]?["rows"]?.DeepClone(),
            ["truncated"] = e["result"]?["truncated"]?.DeepClone(),
            ["notices"] = e["notices"]?.DeepClone(),
        }),
    ];

    /// <summary>The rows of <paramref name="statement"/> as objects keyed by column name (the shape a catalog tool returns).</summary>
    public static JsonArray RowObjects(JsonNode? statement)
    {
        var columns = (statement?["columns"] as JsonArray ?? []).Select(c => c?["name"]?.GetValue<string>() ?? "?").ToList();
        return
        [
            .. (statement?["result_rows"] as JsonArray ?? []).Select(row =>
            {
                var item = new JsonObject();
                for (var i = 0; i < columns.Count; i++)
                {
                    item[columns[i]] = row?[i]?.DeepClone();
                }
                return (JsonNode)item;
            }),
        ];
    }

    /// <summary>Appends <paramref name="statement"/> as text: its SQL, its table or command tag, its notices and error.</summary>
    public static void Render(StringBuilder text, JsonNode statement)
    {
        text.Append("=> ").Append(statement["text"]?.GetValue<string>()).Append('\n');
        var notices = statement["notices"] as JsonArray ?? [];
        foreach (var notice in notices)
        {
            text.Append(notice?["severity"]).Append(":  ").Append(notice?["message"]);
            text.Append(notice?["sqlstate"] is { } code ? $" (SQLSTATE {code})\n" : "\n");
        }
        if (statement["columns"] is JsonArray { Count: > 0 } columns)
        {
            var names = columns.Select(c => c?["name"]?.GetValue<string>() ?? "?").ToList();
            var numeric = columns.Select(c => s_numeric.Contains(c?["type"]?.GetValue<string>() ?? "")).ToList();
            var rows = (statement["result_rows"] as JsonArray ?? [])
                .Select(r => Enumerable.Range(0, names.Count).Select(i => r?[i]?.GetValue<string>()).ToArray())
                .ToList();
            ResultTable.Render(text, names, numeric, rows);
            if (statement["truncated"]?.GetValue<bool>() == true)
            {
                text.Append($"(recording kept the first {rows.Count} of {statement["rows"]} rows)\n");
            }
        }
        else if (statement["command_tag"]?.GetValue<string>() is { } tag)
        {
            text.Append(tag).Append('\n');
        }
        // The error the client saw is among the notices; a recording without them still has the statement's own.
        if (notices.Count == 0 && statement["sqlstate"]?.GetValue<string>() is { } sqlstate && statement["message"]?.GetValue<string>() is { } message)
        {
            text.Append("ERROR:  ").Append(message).Append($" (SQLSTATE {sqlstate})\n");
        }
        text.Append('\n');
    }
}
