using ModelContextProtocol;

namespace Vigil.Adapters.Mcp.Tools;

/// <summary>
/// What the user tools check beyond their input schema (which the call filter enforces before a tool runs): a blank
/// string where a name, id or reason is due. A failure throws <see cref="McpException"/>, answered as a tool result with
/// <c>isError: true</c> and this text. Also builds the API's query strings.
/// </summary>
public static class ToolParameters
{
    /// <summary>The trimmed value of the required argument <paramref name="name"/>; throws when it is missing or blank.</summary>
    public static string Required(string? value, string name, string hint) =>
        string.IsNullOrWhiteSpace(value) ? throw new McpException($"missing argument '{name}': {hint}") : value.Trim();

    /// <summary><paramref name="path"/> with the non-null <paramref name="parameters"/> as an escaped query string.</summary>
    public static string Query(string path, params (string Name, object? Value)[] parameters)
    {
        var pairs = parameters
            .Where(p => p.Value is not null)
            .Select(p => $"{p.Name}={Uri.EscapeDataString(Convert.ToString(p.Value, System.Globalization.CultureInfo.InvariantCulture)!)}")
            .ToList();
        return pairs.Count == 0 ? path : $"{path}?{string.Join('&', pairs)}";
    }
}
