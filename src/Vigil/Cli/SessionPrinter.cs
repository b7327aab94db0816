using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Vigil.Adapters.Exec;

namespace Vigil.Cli;

/// <summary>
/// The readable form of <c>vigil sessions show ID</c>: the session's fields, the values it masked per entity type, its
/// guardrail violations, then each event in order with its timing and tag, its text, its recorded result as psql's
/// aligned table (with "… N more rows (truncated)" when rows were left out) and its notices as psql prints them.
/// </summary>
internal static class SessionPrinter
{
    /// <summary>Characters of a value shown in a table cell; <c>--json</c> has the whole value.</summary>
    private const int MaxCell = 80;

    /// <summary>PostgreSQL types psql right-aligns.</summary>
    private static readonly HashSet<string> NumericTypes = ["int2", "int4", "int8", "oid", "numeric", "float4", "float8", "money", "xid", "cid"];

    /// <summary>Prints <paramref name="session"/> (the API's JSON) to standard output.</summary>
    public static void Print(JsonNode? session)
    {
        CliFormat.Record(session, "events", "output", "masking_info", "guardrails_info");
        var output = new StringBuilder();
        if (session?["masking_info"] is JsonObject { Count: > 0 } masked)
        {
            output.Append("\nmasked values: ").AppendJoin(", ", masked.Select(p => $"{p.Key} {CliFormat.Text(p.Value)}")).Append('\n');
        }
        if (session?["guardrails_info"] is JsonArray { Count: > 0 } violations)
        {
            output.Append("\nguardrail violations:\n");
            foreach (var v in violations)
            {
                output.Append("  ").Append(CliFormat.Text(v?["direction"])).Append("  ").Append(CliFormat.Text(v?["rule"]))
                    .Append(": ").Append(OneLine(CliFormat.Text(v?["matched"]))).Append('\n');
            }
        }
        foreach (var e in session?["events"]?.AsArray() ?? [])
        {
            output.Append('\n');
            Event(output, e);
        }
        Console.Out.Write(output.ToString());
    }

    private static void Event(StringBuilder output, JsonNode? e)
    {
        var header = new List<string> { $"[{e?["seq"]}] {Str(e?["kind"])}", Str(e?["at"]) };
        if (Str(e?["command_tag"]) is { Length: > 0 } tag)
        {
            header.Add(tag);
        }
        if (e?["duration_us"]?.GetValue<long>() is { } us)
        {
            header.Add((us / 1000.0).ToString("0.###", CultureInfo.InvariantCulture) + " ms");
        }
        if (Str(e?["sqlstate"]) is { Length: > 0 } sqlstate)
        {
            header.Add("sqlstate " + sqlstate);
        }
        if (Str(e?["ai_analysis"]?["risk_level"]) is { Length: > 0 } risk)
        {
            header.Add("risk " + risk);
        }
        output.AppendJoin("  ", header).Append('\n');
        if (Str(e?["text"]) is { Length: > 0 } text)
        {
            output.Append(text.EndsWith('\n') ? text : text + "\n");
        }
        if (e?["text_length"]?.GetValue<long>() is { } length)
        {
            output.Append($"(text cut: {length} characters, sha256 {Str(e["text_sha256"])})\n");
        }
        if (Str(e?["message"]) is { Length: > 0 } message)
        {
            output.Append(message).Append('\n');
        }
        if (e?["result"] is JsonObject result)
        {
            Result(output, result);
        }
        foreach (var notice in e?["notices"]?.AsArray() ?? [])
        {
            // psql's verbose form: "SEVERITY:  SQLSTATE: message", then "DETAIL:  …".
            output.Append(Str(notice?["severity"])).Append(":  ");
            if (Str(notice?["sqlstate"]) is { Length: > 0 } code)
            {
                output.Append(code).Append(": ");
            }
            output.Append(Str(notice?["message"])).Append('\n');
            if (Str(notice?["detail"]) is { Length: > 0 } detail)
            {
                output.Append("DETAIL:  ").Append(detail).Append('\n');
            }
        }
    }

    private static void Result(StringBuilder output, JsonObject result)
    {
        var columns = result["columns"]?.AsArray() ?? [];
        // One cell per column whatever a stored row holds: the table never indexes past its columns.
        var rows = (result["rows"]?.AsArray() ?? [])
            .Select(r => r as JsonArray ?? [])
            .Select(r => Enumerable.Range(0, columns.Count).Select(i => i < r.Count && r[i] is { } v ? Cell(Str(v)) : null).ToArray())
            .ToList();
        ResultTable.Render(
            output, columns.Select(c => Str(c?["name"])).ToList(), columns.Select(c => NumericTypes.Contains(Str(c?["type"]))).ToList(), rows);
        var rowCount = result["row_count"]?.GetValue<long>() ?? rows.Count;
        if (rowCount > rows.Count)
        {
            var more = rowCount - rows.Count;
            output.Append($"… {more} more {(more == 1 ? "row" : "rows")}{(result["truncated"]?.GetValue<bool>() == true ? " (truncated)" : "")}\n");
        }
    }

    /// <summary>A value on one line (line breaks as ↵), cut to <see cref="MaxCell"/> characters.</summary>
    private static string Cell(string value)
    {
        var line = OneLine(value);
        return line.Length > MaxCell ? Sessions.RecordedText.Cap(line, MaxCell - 1).Text + "…" : line;
    }

    private static string OneLine(string value) => value.ReplaceLineEndings("↵").Replace('\t', ' ');

    private static string Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : node?.ToString() ?? "";
}
