using System.Collections.Concurrent;
using System.Text.Json;
using Json.Schema;
using ModelContextProtocol.Server;

namespace Vigil.Adapters.Mcp;

/// <summary>
/// Checks a tool call's arguments against the tool's own <c>inputSchema</c> (JSON Schema 2020-12, evaluated with
/// JsonSchema.Net) before the tool runs, so an agent that omits a required field or sends a string where a number is
/// due gets a tool error naming the field (<c>invalid arguments for exec: /wait_seconds: …</c>) instead of the SDK's
/// opaque "An error occurred invoking" message. An argument the schema does not name is refused too (a misspelt
/// optional argument would otherwise be dropped without a word). Each tool's schema is compiled once.
/// </summary>
public sealed class ToolArguments
{
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);

    /// <summary>Null when <paramref name="arguments"/> fit <paramref name="tool"/>'s schema, else the problem.</summary>
    public string? Problem(McpServerTool tool, IDictionary<string, JsonElement>? arguments)
    {
        var name = tool.ProtocolTool.Name;
        var declared = tool.ProtocolTool.InputSchema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            ? properties.EnumerateObject().Select(p => p.Name).ToList()
            : [];
        if (arguments?.Keys.FirstOrDefault(k => !declared.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            return $"invalid arguments for {name}: unknown argument '{unknown}'; {name} takes "
                + (declared.Count == 0 ? "no arguments" : string.Join(", ", declared));
        }
        var schema = _schemas.GetOrAdd(name, _ => JsonSchema.Build(
            tool.ProtocolTool.InputSchema, new BuildOptions { SchemaRegistry = new SchemaRegistry() }, new Uri($"urn:vigil:mcp:tool:{name}")));
        // A null counts as not given (agents send them for optional arguments); a required one is then reported missing.
        var instance = JsonSerializer.SerializeToElement((arguments ?? new Dictionary<string, JsonElement>())
            .Where(a => a.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
            .ToDictionary(a => a.Key, a => a.Value));
        var results = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return null;
        }
        var problems = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{Location(d.InstanceLocation.ToString())}: {Explain(e.Key, e.Value, d.InstanceLocation.ToString(), properties, instance)}"))
            .Distinct()
            .ToList();
        return $"invalid arguments for {name}: {(problems.Count == 0 ? "they do not match the tool's input schema" : string.Join("; ", problems))}";
    }

    private static string Location(string? pointer) => string.IsNullOrEmpty(pointer) ? "arguments" : pointer;

    /// <summary>
    /// The library's message, made concrete for an <c>enum</c> miss: the allowed values of a top-level argument, or
    /// the refused value of a nested one.
    /// </summary>
    private static string Explain(string keyword, string message, string pointer, JsonElement properties, JsonElement instance)
    {
        if (keyword != "enum")
        {
            return message;
        }
        if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(pointer.TrimStart('/'), out var property)
            && property.TryGetProperty("enum", out var allowed))
        {
            return $"must be one of {string.Join(", ", allowed.EnumerateArray().Where(a => a.ValueKind != JsonValueKind.Null).Select(a => a.ToString()))}";
        }
        var value = instance;
        foreach (var part in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Replace("~1", "/").Replace("~0", "~")))
        {
            value = value.ValueKind == JsonValueKind.Array && int.TryParse(part, out var index) ? value[index]
                : value.ValueKind == JsonValueKind.Object && value.TryGetProperty(part, out var child) ? child
                : default;
        }
        return value.ValueKind == JsonValueKind.Undefined ? message : $"{value.GetRawText()} is not one of the values the tool's input schema allows";
    }
}
