using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Vigil.Tests.Adapters.Mcp;

/// <summary>Calls MCP tools with JSON arguments and reads their results, for the admin tool tests.</summary>
internal static class AdminToolCalls
{
    /// <summary>Calls <paramref name="tool"/> with the properties of <paramref name="arguments"/> (an anonymous object) as its arguments.</summary>
    public static async Task<CallToolResult> CallAsync(this McpClient client, string tool, object? arguments = null)
    {
        var values = new Dictionary<string, object?>();
        if (arguments is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(arguments).EnumerateObject())
            {
                values[property.Name] = property.Value.Clone();
            }
        }
        return await client.CallToolAsync(tool, values);
    }

    /// <summary>Calls <paramref name="tool"/> and expects success: its structured content.</summary>
    public static async Task<JsonElement> CallOkAsync(this McpClient client, string tool, object? arguments = null)
    {
        var result = await client.CallAsync(tool, arguments);
        result.IsError.Should().NotBe(true, $"{tool} should succeed, but said: {result.Text()}");
        return result.StructuredContent!.Value;
    }

    /// <summary>Every text block of <paramref name="result"/>, joined.</summary>
    public static string Text(this CallToolResult result) =>
        string.Join('\n', result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    /// <summary>The whole result as the agent receives it (text and structured content), to search for leaks.</summary>
    public static string Everything(this CallToolResult result) => JsonSerializer.Serialize(result, McpJsonUtilities.DefaultOptions);
}
