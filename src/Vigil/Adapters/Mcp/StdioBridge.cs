using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Vigil.Adapters.Mcp;

/// <summary>
/// <c>vigil mcp</c>: an MCP server on standard input/output that serves the gateway's own tools by relaying
/// <c>tools/list</c> and <c>tools/call</c> to <c>/api/mcp</c> (Streamable HTTP) with the agent's token. There is one tool
/// set, in the gateway; this side only moves messages, so an agent's calls are authorized, analyzed, recorded and
/// audited exactly as over HTTP. The upstream connection is opened at the first request, after the agent's
/// <c>initialize</c>, so that the gateway records the agent's own client name and version, not the bridge's.
/// <para>
/// Errors: the gateway unreachable or refusing the token mid-run gives a tool result with <c>isError: true</c> saying so;
/// an upstream JSON-RPC error is passed on as it came.
/// </para>
/// </summary>
public sealed class StdioBridge(Uri endpoint, string token, ILoggerFactory loggerFactory) : IAsyncDisposable
{
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private McpClient? _upstream;

    /// <summary>Serves standard input/output until the agent closes it or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "vigil", Title = "Vigil access gateway", Version = McpEndpoint.Version },
            ServerInstructions = McpEndpoint.Instructions,
            Capabilities = new ServerCapabilities { Tools = new ToolsCapability() },
            Handlers = new McpServerHandlers
            {
                ListToolsHandler = async (context, ct) =>
                    await (await UpstreamAsync(context.Server, ct)).ListToolsAsync(context.Params ?? new ListToolsRequestParams(), ct),
                CallToolHandler = async (context, ct) =>
                {
                    try
                    {
                        return await (await UpstreamAsync(context.Server, ct)).CallToolAsync(context.Params!, ct);
                    }
                    catch (HttpRequestException e)
                    {
                        return ToolResults.Error($"the Vigil gateway at {endpoint} did not answer the call: {e.Message}");
                    }
                },
            },
        };
        await using var server = McpServer.Create(new StdioServerTransport(options, loggerFactory), options, loggerFactory);
        await server.RunAsync(cancellationToken);
    }

    private async Task<McpClient> UpstreamAsync(McpServer server, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _upstream) is { } ready)
        {
            return ready;
        }
        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_upstream is null)
            {
                var transport = new HttpClientTransport(new HttpClientTransportOptions
                {
                    Endpoint = endpoint,
                    AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + token },
                }, loggerFactory);
                try
                {
                    Volatile.Write(ref _upstream, await McpClient.CreateAsync(
                        transport, new McpClientOptions { ClientInfo = server.ClientInfo ?? new Implementation { Name = "unknown", Version = "0" } },
                        loggerFactory, cancellationToken));
                }
                catch (HttpRequestException e)
                {
                    throw new McpException($"the Vigil gateway at {endpoint} refused or did not answer: {e.Message}", e);
                }
            }
            return _upstream!;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_upstream is { } upstream)
        {
            await upstream.DisposeAsync();
        }
        _connecting.Dispose();
    }
}
