using Vigil.Adapters.Mcp;

namespace Vigil.Hosting;

/// <summary>
/// <c>GET /api/serverinfo</c> (any authenticated identity): what this gateway is and where its listeners are, for
/// clients and agents that must find their way (hoop's <c>serverinfo</c> in spirit):
/// <c>{version, public_url, postgres_listen, mcp_url, auth_methods: {local, oidc}}</c>.
/// </summary>
public static class ServerInfoEndpoints
{
    /// <summary>The answer's shape.</summary>
    public sealed record ServerInfo(string Version, string PublicUrl, string PostgresListen, string McpUrl, UserInfoMethods AuthMethods);

    /// <summary>The logins the gateway offers.</summary>
    public sealed record UserInfoMethods(bool Local, bool Oidc);

    /// <summary>Maps the route on the authenticated <c>/api</c> group.</summary>
    public static void MapServerInfoEndpoints(this RouteGroupBuilder api) =>
        api.MapGet("/serverinfo", (GatewayOptions options, GatewayLinks links) => TypedResults.Ok(new ServerInfo(
            McpEndpoint.Version, links.Base, options.PgListen, links.Base + McpEndpoint.Route, new UserInfoMethods(true, options.Oidc is not null))));
}
