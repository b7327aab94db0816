using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// The arguments of one admin tool call (<c>tools/call</c> <c>arguments</c>), already checked against the tool's input
/// schema by the endpoint's call filter (<see cref="Mcp.ToolArguments"/>: unknown names, required, types, enums). A
/// null value counts as not given (the API keeps or defaults the field); what lies inside objects and arrays, and every
/// business rule, the API checks (a 400 naming the field).
/// </summary>
public sealed partial class RouteArguments
{
    private readonly IReadOnlyDictionary<string, JsonElement> _values;

    private RouteArguments(IReadOnlyDictionary<string, JsonElement> values) => _values = values;

    /// <summary>The arguments <paramref name="given"/> (null: none), nulls left out.</summary>
    public static RouteArguments From(IDictionary<string, JsonElement>? given) => new(
        (given ?? new Dictionary<string, JsonElement>())
            .Where(v => v.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            .ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal));

    /// <summary>The string value of <paramref name="name"/>, or null when it was not given.</summary>
    public string? Text(string name) => _values.TryGetValue(name, out var value)
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
        : null;

    /// <summary><paramref name="template"/> with each <c>{argument}</c> replaced by its value (empty when not given).</summary>
    public string Fill(string template) => Placeholder().Replace(template, m => Text(m.Groups[1].Value) ?? "");

    /// <summary>
    /// The request for <paramref name="route"/>: its path with the path arguments filled (escaped, and refused when
    /// empty, <c>.</c> or <c>..</c> by <see cref="VigilApi.Segment"/>, which would address another route), and the other
    /// arguments as the query string (<c>GET</c>, <c>DELETE</c>) or as the JSON body (any other method).
    /// </summary>
    public (string Path, JsonObject? Body) Bind(ApiRoute route)
    {
        var placeholders = PathArguments(route.Path);
        var path = Placeholder().Replace(route.Path, m => VigilApi.Segment(Text(m.Groups[1].Value)!));
        var rest = _values.Where(v => !placeholders.Contains(v.Key)).ToList();
        if (route.Method == HttpMethod.Get || route.Method == HttpMethod.Delete)
        {
            return (Tools.ToolParameters.Query(path, [.. rest.Select(v => (v.Key, (object?)Text(v.Key)))]), null);
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

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex Placeholder();
}
