using System.Reflection;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vigil.Hosting;
using Vigil.Identity.Authentication;

namespace Vigil.Adapters.Mcp;

/// <summary>
/// The gateway's MCP server (Model Context Protocol, Streamable HTTP transport, protocol revisions the SDK supports)
/// at <see cref="Route"/>: bearer-authenticated (<see cref="McpAuthentication"/>), tools found in this assembly
/// (<c>[McpServerToolType]</c> classes under <c>Adapters/Mcp/Tools</c>), each listed only to its
/// <see cref="Audience"/>, each call audited (<see cref="ToolCallAudit"/>). <c>vigil mcp</c> bridges stdio clients to it.
/// <para>
/// Clients of the 2026-07-28 revision and later are served statelessly (each request carries the client's name and
/// version). Older clients, which open with <c>initialize</c>, get an MCP session kept in this process and bound to the
/// identity that opened it, so their name and version are known to every call; several gateways behind one address need
/// affinity on <c>Mcp-Session-Id</c> for those.
/// </para>
/// </summary>
public static class McpEndpoint
{
    /// <summary>The endpoint's path.</summary>
    public const string Route = "/api/mcp";

    /// <summary>What the server tells an agent at <c>initialize</c> (the MCP <c>instructions</c> field).</summary>
    public const string Instructions =
        "Vigil is an access gateway: every command you run through it (tool `exec`) is analyzed for risk, may be blocked or "
        + "sent to a human for review, has personal data masked in its output, and is recorded for audit. Start with "
        + "`connections_list`. When `exec` answers `waiting_review`, call `review_wait` with the review id, then "
        + "`review_execute` once approved; never retry the same command with small changes to slip past a review or a "
        + "block: a blocked command stays blocked, and the attempt is recorded.";

    /// <summary>Registers the MCP server, its tools and filters.</summary>
    public static IServiceCollection AddMcpAdapter(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<InternalRequests>();
        services.AddSingleton<LoopbackHttp>();
        services.AddScoped<VigilApi>();
        services.AddSingleton<ToolCallAudit>();
        services.AddMcpServer(options =>
            {
                options.ServerInfo = new Implementation { Name = "vigil", Title = "Vigil access gateway", Version = Version };
                options.ServerInstructions = Instructions;
            })
            .WithHttpTransport(transport => transport.SessionMode = HttpServerSessionMode.StatefulForInitializeClients)
            .WithToolsFromAssembly(typeof(McpEndpoint).Assembly)
            .WithRequestFilters(filters =>
            {
                filters.AddListToolsFilter(next => async (context, cancellationToken) =>
                {
                    var result = await next(context, cancellationToken);
                    var caller = Caller(context.Services);
                    var tools = context.Server.ServerOptions.ToolCollection;
                    result.Tools = [.. result.Tools.Where(t =>
                        tools is null || !tools.TryGetPrimitive(t.Name, out var tool) || ToolAudiences.Of(tool).Includes(caller))];
                    return result;
                });
                filters.AddCallToolFilter(next => async (context, cancellationToken) =>
                {
                    var audit = context.Services!.GetRequiredService<ToolCallAudit>();
                    var caller = Caller(context.Services);
                    if (context.MatchedPrimitive is McpServerTool tool && !ToolAudiences.Of(tool).Includes(caller))
                    {
                        var refused = ToolResults.Error($"tool '{context.Params?.Name}' is for {ToolAudiences.Of(tool).ToString().ToLowerInvariant()} only");
                        await audit.RecordAsync(context, refused);
                        return refused;
                    }
                    var result = await next(context, cancellationToken);
                    await audit.RecordAsync(context, result);
                    return result;
                });
            });
        return services;
    }

    /// <summary>Maps the endpoint (authenticated) and the RFC 9728 metadata (anonymous).</summary>
    public static void MapMcpAdapter(this WebApplication app)
    {
        app.UseWhen(http => http.Request.Path.StartsWithSegments(Route), branch => branch.UseMiddleware<McpAuthentication>());
        app.MapMcp(Route);
        app.MapProtectedResource();
    }

    /// <summary>The version the server reports (the assembly's informational version).</summary>
    public static string Version { get; } =
        typeof(McpEndpoint).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static Identity.CallerIdentity Caller(IServiceProvider? services) =>
        ApiAuthentication.TryCaller(services!.GetRequiredService<IHttpContextAccessor>().HttpContext!)
        ?? throw new InvalidOperationException("MCP request without an authenticated caller");
}
