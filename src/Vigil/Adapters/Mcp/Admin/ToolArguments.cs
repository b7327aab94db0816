using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// The arguments of one admin tool call (<c>tools/call</c> <c>arguments</c>), checked against the tool's input schema
/// at its top level: no unknown names (the API would silently ignore a misspelt field), every required one present and
/// not null, each of its schema's JSON type and, for strings with an <c>enum</c>, one of its values. What lies inside
/// objects and arrays, and every business rule, the API checks (a 400 naming the field).
/// </summary>
public sealed partial class ToolArguments
{
    private readonly IReadOnlyDictionary<string, JsonElement> _values;

    private ToolArguments(IReadOnlyDictionary<string, JsonElement> values) => _values = values;

    /// <summary>
    /// The arguments <paramref name="given"/> (null: none), or the reason they do not fit the input schema of
    /// <paramref name="route"/> (a <see cref="Schema.Object"/>), worded for the agent to fix its call. A path argument
    /// must also be a real segment: not empty, <c>.</c> or <c>..</c>, which would address another route.
    /// </summary>
    public static (ToolArguments? Arguments, string? Problem) Check(IDictionary<string, JsonElement>? given, ApiRoute route)
    {
        var schema = route.Input;
        var properties = schema["properties"]!.AsObject();
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (name, value) in given ?? new Dictionary<string, JsonElement>())
        {
            if (!properties.TryGetPropertyValue(name, out var property))
            {
                return (null, $"unknown argument '{name}'; this tool takes: {string.Join(", ", properties.Select(p => p.Key))}");
            }
            if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                continue; // null is "not given": the API keeps or defaults the field
            }
            if (TypeProblem(name, value, property!.AsObject()) is { } problem)
            {
                return (null, problem);
            }
            values[name] = value;
        }
        foreach (var required in schema["required"]?.AsArray() ?? [])
        {
            var name = required!.GetValue<string>();
            if (!values.ContainsKey(name))
            {
                return (null, $"missing required argument '{name}'");
            }
        }
        foreach (var name in PathArguments(route.Path))
        {
            if (values[name].GetString() is "" or "." or "..")
            {
                return (null, $"argument '{name}' must name an item (not empty, '.' or '..')");
            }
        }
        return (new ToolArguments(values), null);
    }

    /// <summary>The string value of <paramref name="name"/>, or null when it was not given.</summary>
    public string? Text(string name) => _values.TryGetValue(name, out var value)
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
        : null;

    /// <summary><paramref name="template"/> with each <c>{argument}</c> replaced by its value (empty when not given).</summary>
    public string Fill(string template) => Placeholder().Replace(template, m => Text(m.Groups[1].Value) ?? "");

    /// <summary>
    /// The request for <paramref name="route"/>: its path with the path arguments filled (escaped), and the other
    /// arguments as the query string (<c>GET</c>, <c>DELETE</c>) or as the JSON body (any other method).
    /// </summary>
    public (string Path, JsonObject? Body) Bind(ApiRoute route)
    {
        var placeholders = PathArguments(route.Path);
        var path = Placeholder().Replace(route.Path, m => VigilApi.Segment(Text(m.Groups[1].Value)!));
        var rest = _values.Where(v => !placeholders.Contains(v.Key)).ToList();
        if (route.Method == HttpMethod.Get || route.Method == HttpMethod.Delete)
        {
            var query = new StringBuilder();
            foreach (var (name, _) in rest)
            {
                query.Append(query.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(Text(name)!));
            }
            return (path + query, null);
        }
        var body = new JsonObject();
        foreach (var (name, value) in rest)
        {
            body[name] = JsonSerializer.SerializeToNode(value);
        }
        return (path, body);
    }

    /// <summary>The names of the <c>{argument}</c> placeholders in <paramref name="path"/>.</summary>
    public static IReadOnlySet<string> PathArguments(string path) =>
        Placeholder().Matches(path).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    private static string? TypeProblem(string name, JsonElement value, JsonObject property)
    {
        var type = property["type"]?.GetValue<string>();
        var fits = type switch
        {
            "string" => value.ValueKind == JsonValueKind.String,
            "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
            "number" => value.ValueKind == JsonValueKind.Number,
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "array" => value.ValueKind == JsonValueKind.Array,
            "object" => value.ValueKind == JsonValueKind.Object,
            _ => true,
        };
        if (!fits)
        {
            return $"argument '{name}' must be {(type is "integer" or "array" or "object" ? "an" : "a")} {type}, not {Kind(value)}";
        }
        if (property["enum"] is JsonArray allowed && !allowed.Any(a => a!.GetValue<string>() == value.GetString()))
        {
            return $"argument '{name}' must be one of {string.Join(", ", allowed.Select(a => a!.GetValue<string>()))}, not '{value.GetString()}'";
        }
        return null;
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex Placeholder();
}
