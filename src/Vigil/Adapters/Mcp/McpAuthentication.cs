using System.Security.Claims;
using Vigil.Hosting;
using Vigil.Identity.Authentication;
using Vigil.Pipeline;

namespace Vigil.Adapters.Mcp;

/// <summary>
/// Authenticates every request to <c>/api/mcp</c> with a bearer token (the MCP authorization spec's
/// "Authorization: Bearer"; browser cookies are not accepted here, so no cross-site request can ride on a console
/// login). Without a valid token the answer is 401 with <c>WWW-Authenticate: Bearer resource_metadata="…"</c> pointing
/// at the RFC 9728 document (<see cref="ProtectedResource"/>), plus <c>error="invalid_token"</c> when a token was sent
/// but is unknown, expired or revoked (RFC 6750 §3.1). The caller becomes the request's identity for the tools and the
/// <see cref="HttpContext.User"/> the SDK binds an MCP session to, so one identity cannot use another's session.
/// </summary>
public sealed class McpAuthentication(RequestDelegate next)
{
    /// <summary>Authenticates, then passes the request on.</summary>
    public async Task InvokeAsync(HttpContext http, CommandPipeline pipeline, GatewayLinks links)
    {
        var token = BearerToken.Read(http.Request);
        var caller = token is not null ? await pipeline.IdentifyAsync(token, http.RequestAborted) : null;
        if (caller is null)
        {
            var challenge = $"Bearer resource_metadata=\"{ProtectedResource.MetadataUrl(links)}\"";
            http.Response.Headers.WWWAuthenticate = token is not null ? challenge + ", error=\"invalid_token\"" : challenge;
            await Api.Problem(401, token is not null
                ? "invalid, expired or revoked token"
                : "missing credentials: send Authorization: Bearer TOKEN (a Vigil API token)").ExecuteAsync(http);
            return;
        }
        ApiAuthentication.SetCaller(http, caller);
        http.User = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, caller.UserId), new Claim(ClaimTypes.Name, caller.Name)], "vigil-token"));
        await next(http);
    }
}
