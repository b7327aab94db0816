using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Mcp;

/// <summary>Calls a tool with the SDK's client and reads its answer: the structured content as JSON, the text block.</summary>
public static class McpToolCalls
{
    /// <summary>The answer of one tool call.</summary>
    public sealed record Answer(CallToolResult Result)
    {
        public bool IsError => Result.IsError == true;

        public string Text => string.Concat(Result.Content.OfType<TextContentBlock>().Select(t => t.Text));

        public JsonNode Json => Result.StructuredContent is { } json
            ? JsonNode.Parse(json.GetRawText())!
            : throw new InvalidOperationException($"no structured content; text: {Text}");

        public string Str(string field) => Json[field]!.GetValue<string>();
    }

    public static async Task<Answer> CallAsync(this McpClient client, string tool, object? arguments = null)
    {
        var args = arguments is null
            ? new Dictionary<string, object?>()
            : JsonSerializer.SerializeToNode(arguments)!.AsObject().ToDictionary(p => p.Key, p => (object?)p.Value);
        return new Answer(await client.CallToolAsync(tool, args));
    }

    /// <summary>The audit entries of MCP tool calls by <paramref name="actor"/>, newest first.</summary>
    public static async Task<JsonArray> ToolCallAuditAsync(this GatewayFixture gateway, string actor) =>
        (await gateway.Http.GetFromJsonAsync<JsonNode>($"/api/audit/logs?resource_type=mcp_tool&actor={Uri.EscapeDataString(actor)}&page_size=200"))!["data"]!.AsArray();

    /// <summary>The MCP sessions of <paramref name="connection"/> as the admin sees them, newest first.</summary>
    public static async Task<JsonArray> McpSessionsAsync(this GatewayFixture gateway, string connection)
    {
        await gateway.FlushRecordingAsync();
        return (await gateway.Http.GetFromJsonAsync<JsonNode>($"/api/sessions?type=mcp&connection={Uri.EscapeDataString(connection)}&page_size=100"))!["data"]!.AsArray();
    }
}
