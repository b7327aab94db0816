using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Vigil.Adapters.Mcp;

/// <summary>
/// Checks a <c>tools/call</c>'s arguments against the tool's own input schema before the tool runs, so that an agent's
/// mistake is answered with a tool error (<c>isError: true</c>) that names the argument and what it must be, where the
/// SDK's binding would only say "An error occurred invoking". The subset of JSON Schema the tools' schemas use is
/// checked: <c>required</c>, unknown properties, <c>type</c> (a name or a list of names), <c>enum</c>, <c>minimum</c>,
/// <c>maximum</c> and <c>minLength</c>.
/// </summary>
public static class ToolInputs
{
    /// <summary>The call filter: refuses a call whose arguments do not fit, else passes it on.</summary>
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Check(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        (context, cancellationToken) => context.MatchedPrimitive is McpServerTool tool
            && Problem(tool.ProtocolTool.InputSchema, context.Params?.Arguments) is { } problem
            ? ValueTask.FromResult(ToolResults.Error($"{tool.ProtocolTool.Name}: {problem}"))
            : next(context, cancellationToken);

    /// <summary>What is wrong with <paramref name="arguments"/> for <paramref name="schema"/>, or null when they fit.</summary>
    public static string? Problem(JsonElement schema, IDictionary<string, JsonElement>? arguments)
    {
        arguments ??= new Dictionary<string, JsonElement>();
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!arguments.TryGetValue(name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                {
                    return $"missing argument '{name}'" + Described(properties, name);
                }
            }
        }
        foreach (var (name, value) in arguments)
        {
            if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(name, out var property))
            {
                var known = properties.ValueKind == JsonValueKind.Object ? properties.EnumerateObject().Select(q => q.Name).ToList() : [];
                return $"unknown argument '{name}'; this tool takes " + (known.Count == 0 ? "no arguments" : string.Join(", ", known));
            }
            if (ValueProblem(property, value) is { } problem)
            {
                return $"argument '{name}' {problem}";
            }
        }
        return null;
    }

    private static string? ValueProblem(JsonElement property, JsonElement value)
    {
        var types = !property.TryGetProperty("type", out var type) ? []
            : type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList()
            : [type.GetString()!];
        if (types.Count > 0 && !types.Any(t => Fits(t, value)))
        {
            return $"must be {string.Join(" or ", types.Where(t => t != "null").Select(Article))} (got {Show(value)})";
        }
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (property.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array
            && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            return $"must be one of {string.Join(", ", allowed.EnumerateArray().Where(a => a.ValueKind != JsonValueKind.Null).Select(a => a.ToString()))} (got {Show(value)})";
        }
        if (value.ValueKind == JsonValueKind.Number)
        {
            var number = value.GetDouble();
            if (property.TryGetProperty("minimum", out var min) && number < min.GetDouble()
                || property.TryGetProperty("maximum", out var max) && number > max.GetDouble())
            {
                return $"must be between {Bound(property, "minimum")} and {Bound(property, "maximum")} (got {Show(value)})";
            }
        }
        if (value.ValueKind == JsonValueKind.String && property.TryGetProperty("minLength", out var minLength) && value.GetString()!.Length < minLength.GetInt32())
        {
            return "must not be empty";
        }
        return null;
    }

    private static bool Fits(string type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        _ => true,
    };

    private static string Article(string type) => type switch
    {
        "integer" => "an integer",
        "array" => "an array",
        "object" => "an object",
        _ => "a " + type,
    };

    private static string Bound(JsonElement property, string name) => property.TryGetProperty(name, out var bound) ? bound.ToString() : "any";

    private static string Show(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length > 60 ? text[..60] + "…" : text;
    }

    private static string Described(JsonElement properties, string name) =>
        properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var property)
        && property.TryGetProperty("description", out var description) ? $" ({description.GetString()})" : "";
}
