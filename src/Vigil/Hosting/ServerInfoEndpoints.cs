using Vigil.Adapters.Mcp;

namespace Vigil.Hosting;

/// <summary>
/// <c>GET /api/serverinfo</c> (any authenticated identity): what this gateway is and where its listeners are, for
/// clients and agents that must find their way (hoop's <c>serverinfo</c> in spirit):
/// <c>{version, public_url, postgres_listen, mcp_url, auth_methods: {local, oidc}, https_url,
/// https_certificate_authority}</c>: <c>https_url</c> is the HTTPS listener's address (null without one) and
/// <c>https_certificate_authority</c> the PEM of its certificate when it is the gateway's self-signed one (what a
/// client must trust, e.g. <c>vigil kubeconfig</c>'s <c>certificate-authority-data</c>), else null.
/// </summary>
public static class ServerInfoEndpoints
{
    /// <summary>The answer's shape.</summary>
    public sealed record ServerInfo(
        string Version, string PublicUrl, string PostgresListen, string McpUrl, UserInfoMethods AuthMethods, string? HttpsUrl, string? HttpsCertificateAuthority);

    /// <summary>The logins the gateway offers.</summary>
    public sealed record UserInfoMethods(bool Local, bool Oidc);

    /// <summary>Maps the route on the authenticated <c>/api</c> group.</summary>
    public static void MapServerInfoEndpoints(this RouteGroupBuilder api) =>
        api.MapGet("/serverinfo", (GatewayOptions options, GatewayLinks links, IServiceProvider services) => TypedResults.Ok(new ServerInfo(
            McpEndpoint.Version, links.Base, options.PgListen, links.Base + McpEndpoint.Route, new UserInfoMethods(true, options.Oidc is not null),
            links.HttpsBase, services.GetService<HttpsListener>() is { SelfSigned: true } https ? https.CertificatePem : null)));
}
