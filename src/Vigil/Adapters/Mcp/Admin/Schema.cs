using System.Text.Json.Nodes;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// Builds the JSON Schema (draft 2020-12 keywords: <c>type</c>, <c>enum</c>, <c>minimum</c>/<c>maximum</c>,
/// <c>minItems</c>, <c>maxLength</c>, <c>required</c>, <c>additionalProperties</c>) of an admin tool's arguments, so a
/// model sees each field's type, bounds, allowed values and meaning. Every call returns a new node: a fragment may be
/// used in several tools.
/// </summary>
internal static class Schema
{
    /// <summary>A string; with <paramref name="values"/>, one of them.</summary>
    public static JsonObject String(string description, IEnumerable<string>? values = null, int? maxLength = null)
    {
        var schema = new JsonObject { ["type"] = "string", ["description"] = description };
        if (values is not null)
        {
            schema["enum"] = Enum(values);
        }
        if (maxLength is { } max)
        {
            schema["maxLength"] = max;
        }
        return schema;
    }

    /// <summary>An integer within [<paramref name="minimum"/>, <paramref name="maximum"/>] (each optional).</summary>
    public static JsonObject Integer(string description, long? minimum = null, long? maximum = null)
    {
        var schema = new JsonObject { ["type"] = "integer", ["description"] = description };
        if (minimum is { } min)
        {
            schema["minimum"] = min;
        }
        if (maximum is { } max)
        {
            schema["maximum"] = max;
        }
        return schema;
    }

    /// <summary>A number within [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public static JsonObject Number(string description, double minimum, double maximum) =>
        new() { ["type"] = "number", ["description"] = description, ["minimum"] = minimum, ["maximum"] = maximum };

    /// <summary>A boolean.</summary>
    public static JsonObject Boolean(string description) => new() { ["type"] = "boolean", ["description"] = description };

    /// <summary>An array of <paramref name="items"/>, at least <paramref name="minItems"/> long.</summary>
    public static JsonObject Array(string description, JsonObject items, int minItems = 0)
    {
        var schema = new JsonObject { ["type"] = "array", ["description"] = description, ["items"] = items };
        if (minItems > 0)
        {
            schema["minItems"] = minItems;
        }
        return schema;
    }

    /// <summary>An array of strings (names), optionally each one of <paramref name="values"/>.</summary>
    public static JsonObject Strings(string description, IEnumerable<string>? values = null, int minItems = 0)
    {
        var item = new JsonObject { ["type"] = "string" };
        if (values is not null)
        {
            item["enum"] = Enum(values);
        }
        return Array(description, item, minItems);
    }

    /// <summary>An object with exactly <paramref name="properties"/> (no others), of which <paramref name="required"/> must be given.</summary>
    public static JsonObject Object(string? description, IEnumerable<(string Name, JsonObject Schema)> properties, params string[] required)
    {
        var props = new JsonObject();
        foreach (var (name, schema) in properties)
        {
            props[name] = schema;
        }
        var result = new JsonObject { ["type"] = "object" };
        if (description is not null)
        {
            result["description"] = description;
        }
        result["properties"] = props;
        if (required.Length > 0)
        {
            result["required"] = new JsonArray([.. required.Select(r => JsonValue.Create(r))]);
        }
        result["additionalProperties"] = false;
        return result;
    }

    private static JsonArray Enum(IEnumerable<string> values) => [.. values.Select(v => JsonValue.Create(v))];

    /// <summary>The paging arguments of every list tool: <c>page</c> and <c>page_size</c>.</summary>
    public static IEnumerable<(string, JsonObject)> Paging() =>
    [
        ("page", Integer("Page number, from 1 (default 1)", 1)),
        ("page_size", Integer("Items per page (default 50, at most 1000)", 1, 1000)),
    ];
}
