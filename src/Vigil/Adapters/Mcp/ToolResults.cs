using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using Vigil.Adapters.Exec;

namespace Vigil.Adapters.Mcp;

/// <summary>
/// Builds tool results the way every Vigil tool answers: the API's JSON as <c>structuredContent</c> plus a readable
/// text block (an aligned table for lists, as psql prints; <c>key: value</c> lines for one object), or an error result
/// (<c>isError: true</c>) whose text says what went wrong and what to do.
/// </summary>
public static class ToolResults
{
    /// <summary>A result carrying <paramref name="json"/> as structured content and <paramref name="text"/> to read.</summary>
    public static CallToolResult Of(JsonNode? json, string text) => new()
    {
        Content = [new TextContentBlock { Text = text }],
        StructuredContent = json is JsonObject ? JsonSerializer.SerializeToElement(json) : JsonSerializer.SerializeToElement(new JsonObject { ["value"] = json?.DeepClone() }),
    };

    /// <summary>An error result: <c>isError: true</c> with <paramref name="message"/>.</summary>
    public static CallToolResult Error(string message) => new()
    {
        IsError = true,
        Content = [new TextContentBlock { Text = message }],
    };

    /// <summary>
    /// A list: <paramref name="page"/> is the API's <c>{data: [...], pages}</c> answer (or a bare array), rendered as an
    /// aligned table of <paramref name="columns"/> (dotted paths such as <c>ai_analysis.risk_level</c> reach inside).
    /// </summary>
    public static CallToolResult List(JsonNode? page, string title, params string[] columns)
    {
        var items = page as JsonArray ?? page?["data"] as JsonArray ?? [];
        var text = new StringBuilder(title).Append('\n');
        var rows = items.Select(item => columns.Select(c => Cell(Path(item, c))).ToArray()).ToList();
        ResultTable.Render(text, columns, [.. columns.Select(_ => false)], rows);
        if (page?["pages"] is { } pages)
        {
            text.Append($"page {pages["page"]} of {Math.Max(1, (int)Math.Ceiling((pages["total"]?.GetValue<double>() ?? 0) / Math.Max(1, pages["size"]?.GetValue<double>() ?? 1)))}, {pages["total"]} in all\n");
        }
        return Of(page is JsonArray ? new JsonObject { ["data"] = page.DeepClone() } : page, text.ToString());
    }

    /// <summary>One object: its scalar fields as <c>key: value</c> lines (nested values as compact JSON).</summary>
    public static CallToolResult Object(JsonNode? item, string? title = null)
    {
        var text = new StringBuilder();
        if (title is not null)
        {
            text.Append(title).Append('\n');
        }
        AppendFields(text, item, (item as JsonObject ?? []).Select(p => p.Key));
        return Of(item, text.ToString());
    }

    /// <summary>Appends <paramref name="fields"/> of <paramref name="item"/> that are set, one <c>key: value</c> line each.</summary>
    public static void AppendFields(StringBuilder text, JsonNode? item, IEnumerable<string> fields)
    {
        foreach (var field in fields)
        {
            if (item?[field] is { } value)
            {
                text.Append(field).Append(": ").Append(Cell(value)).Append('\n');
            }
        }
    }

    /// <summary>The text form of a value: strings as they are, other values as compact JSON.</summary>
    public static string? Cell(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => value.ToJsonString(),
    };

    private static JsonNode? Path(JsonNode? node, string path)
    {
        foreach (var part in path.Split('.'))
        {
            node = node?[part];
        }
        return node;
    }
}
