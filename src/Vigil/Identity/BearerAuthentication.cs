using Vigil.Hosting;
using Vigil.Pipeline;

namespace Vigil.Identity;

/// <summary>
/// Endpoint filter for every <c>/api</c> route: <c>Authorization: Bearer TOKEN</c> must name a valid token
/// (RFC 6750 §2.1), otherwise 401 with a <c>WWW-Authenticate</c> challenge. The caller is stored for the endpoint.
/// </summary>
public sealed class BearerAuthentication(CommandPipeline pipeline) : IEndpointFilter
{
    private const string ItemKey = "vigil.identity";

    /// <summary>The authenticated caller of the current request.</summary>
    public static CallerIdentity Caller(HttpContext context) => (CallerIdentity)context.Items[ItemKey]!;

    /// <inheritdoc />
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var token = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
        var identity = await pipeline.IdentifyAsync(token, http.RequestAborted);
        if (identity is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return Api.Problem(401, token is null ? "missing bearer token" : "invalid or expired token");
        }
        http.Items[ItemKey] = identity;
        return await next(context);
    }
}
