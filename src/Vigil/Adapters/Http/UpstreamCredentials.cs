using Vigil.Connections;

namespace Vigil.Adapters.Http;

/// <summary>
/// Puts an <c>http</c> or <c>kubernetes</c> connection's credentials on a request to its upstream: each of the
/// connection's <see cref="HttpTarget.Headers"/> (a content header such as <c>Content-Type</c> on the content when the
/// request has one), then <see cref="HttpTarget.Token"/> as <c>Authorization: Bearer</c> (RFC 6750 §2.1), each
/// replacing any header of the same name already on the request. A client certificate is the pooled client's
/// (<see cref="UpstreamClients"/>), not the request's. The proxy (<see cref="UpstreamTransformer"/>) and the
/// connectivity probes use this one method, so a test reaches the upstream exactly as a forwarded request does.
/// </summary>
public static class UpstreamCredentials
{
    /// <summary>Sets <paramref name="target"/>'s headers and bearer token on <paramref name="request"/>.</summary>
    public static void Apply(HttpRequestMessage request, HttpTarget target)
    {
        var headers = request.Headers;
        foreach (var (name, value) in target.Headers)
        {
            headers.Remove(name);
            request.Content?.Headers.Remove(name);
            if (!headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }
        if (target.Token is { } token)
        {
            headers.Remove("Authorization");
            headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }
    }
}
