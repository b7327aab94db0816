using ModelContextProtocol;
using ModelContextProtocol.Authentication;
using Vigil.Hosting;

namespace Vigil.Adapters.Mcp;

/// <summary>
/// OAuth 2.0 Protected Resource Metadata (RFC 9728) for the MCP endpoint, as the MCP authorization specification asks a
/// server to publish: <c>GET /.well-known/oauth-protected-resource</c> and the path-suffixed
/// <c>/.well-known/oauth-protected-resource/api/mcp</c> (RFC 9728 §3.1) answer
/// <c>{resource, bearer_methods_supported: ["header"], resource_name}</c>, with
/// <c>resource</c> = <c>{public URL}/api/mcp</c>. Vigil's tokens are issued by Vigil (<c>vigil tokens create</c>, service
/// accounts) rather than through an OAuth authorization server, so no <c>authorization_servers</c> are listed: a client
/// is configured with its token as a header (see docs/mcp.md).
/// </summary>
public static class ProtectedResource
{
    /// <summary>The well-known path of the metadata.</summary>
    public const string Path = "/.well-known/oauth-protected-resource";

    /// <summary>The absolute URL the 401 challenge names.</summary>
    public static string MetadataUrl(GatewayLinks links) => $"{links.Base}{Path}{McpEndpoint.Route}";

    /// <summary>Maps both metadata routes (anonymous, as RFC 9728 requires).</summary>
    public static void MapProtectedResource(this IEndpointRouteBuilder app)
    {
        foreach (var route in new[] { Path, Path + McpEndpoint.Route })
        {
            app.MapGet(route, (GatewayLinks links) => Results.Json(Metadata(links), McpJsonUtilities.DefaultOptions));
        }
    }

    private static ProtectedResourceMetadata Metadata(GatewayLinks links) => new()
    {
        Resource = links.Base + McpEndpoint.Route,
        BearerMethodsSupported = ["header"],
        ResourceName = "Vigil MCP server",
    };
}
