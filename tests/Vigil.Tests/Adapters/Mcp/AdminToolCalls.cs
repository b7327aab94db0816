using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Vigil.Tests.Adapters.Mcp;

/// <summary>More ways to read a tool call (<see cref="McpToolCalls"/>), for the admin tool tests.</summary>
internal static class AdminToolCalls
{
    /// <summary>Calls <paramref name="tool"/> and expects success: its structured content.</summary>
    public static async Task<JsonElement> CallOkAsync(this McpClient client, string tool, object? arguments = null)
    {
        var result = await client.CallAsync(tool, arguments);
        result.IsError.Should().BeFalse($"{tool} should succeed, but said: {result.Text}");
        return result.Result.StructuredContent!.Value;
    }

    /// <summary>The whole result as the agent receives it (text and structured content), to search for leaks.</summary>
    public static string Everything(this McpToolCalls.Answer answer) => JsonSerializer.Serialize(answer.Result, McpJsonUtilities.DefaultOptions);
}
