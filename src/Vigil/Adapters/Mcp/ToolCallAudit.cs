using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vigil.Audit;
using Vigil.Hosting;
using Vigil.Identity.Authentication;

namespace Vigil.Adapters.Mcp;

/// <summary>
/// Writes one audit entry per MCP tool call, reads included: action <c>call</c>, resource type <c>mcp_tool</c>, resource
/// the tool's name, outcome <c>success</c> or <c>failure</c> (the result's <c>isError</c>; status 200 or 400), and as the
/// request <c>{client: {name, version}, arguments}</c> with secret-named fields redacted (<see cref="AuditRedaction"/>).
/// The API requests a tool makes are audited as well, as any API request is.
/// </summary>
public sealed class ToolCallAudit(AuditLog log, IHttpContextAccessor accessor, TimeProvider time)
{
    /// <summary>Records the call of <paramref name="context"/> ending with <paramref name="result"/>.</summary>
    public async Task RecordAsync(RequestContext<CallToolRequestParams> context, CallToolResult result)
    {
        var http = accessor.HttpContext!;
        var caller = ApiAuthentication.TryCaller(http);
        var client = McpClientInfo.Of(context.Server, context.JsonRpcRequest);
        var request = JsonSerializer.SerializeToUtf8Bytes(
            new { client = new { name = client?.Name, version = client?.Version }, arguments = context.Params?.Arguments }, Api.Json);
        var failed = result.IsError == true;
        var entry = new AuditEntry(
            time.GetUtcNow(), caller?.UserId, caller?.Name ?? AuditRecorder.Anonymous, "call", "mcp_tool", context.Params?.Name,
            failed ? AuditLog.Failure : AuditLog.Success, failed ? 400 : 200, InternalRequests.ClientIp(http),
            AuditRedaction.Redact(request, request.Length));
        // Not the call's token: a call that ran is recorded even when the agent has gone away.
        await log.AppendAsync(entry, CancellationToken.None);
    }
}

/// <summary>What an MCP client says it is: the <c>clientInfo</c> of its <c>initialize</c> (or, from the 2026-07-28
/// revision on, of the request's own metadata).</summary>
public static class McpClientInfo
{
    /// <summary>The client's <c>{name, version}</c>, or null when it sent none.</summary>
    public static Implementation? Of(McpServer server, JsonRpcRequest? request) => request?.Context?.ClientInfo ?? server.ClientInfo;
}
