using Vigil.Connections;
using Vigil.Identity.Authentication;
using Yarp.ReverseProxy.Forwarder;

namespace Vigil.Adapters.Http;

/// <summary>
/// Shapes one forwarded request: the upstream URL is the connection's URL + the client's path and query as it sent
/// them (<see cref="ProxyTarget"/>); the client's Vigil credential (<c>Authorization</c>, the console's cookies) and
/// <c>Accept-Encoding</c> are removed (bodies travel uncompressed so the gateway can analyze, record and mask them);
/// the connection's headers and bearer token are set, replacing any the client sent under the same name. YARP's
/// default transform does the rest (hop-by-hop headers dropped, <c>Host</c> the upstream's). When
/// <paramref name="redactSecrets"/> is set (<see cref="SecretRedaction.Applies"/>), JSON is asked for and the response
/// body is written redacted instead of copied.
/// </summary>
public sealed class UpstreamTransformer(HttpTarget upstream, ProxyTarget target, bool redactSecrets = false) : HttpTransformer
{
    /// <summary>Set when a Secret response could not be redacted and was not forwarded: the reason.</summary>
    public string? RedactionFailure { get; private set; }

    /// <inheritdoc />
    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (!redactSecrets || proxyResponse is null || !copy || httpContext.Response.StatusCode == StatusCodes.Status101SwitchingProtocols)
        {
            return copy;
        }
        // The body changes length; Kestrel frames it.
        httpContext.Response.ContentLength = null;
        var mediaType = proxyResponse.Content.Headers.ContentType?.MediaType;
        var stream = await proxyResponse.Content.ReadAsStreamAsync(cancellationToken);
        if (mediaType is null || !mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase)
            || !await SecretRedaction.CopyAsync(stream, httpContext.Response.Body, SecretRedaction.IsWatch(target), cancellationToken))
        {
            RedactionFailure = $"the response to a Secret request could not be redacted ({mediaType ?? "no content type"}, or not JSON, or over {SecretRedaction.MaxBufferedBytes} bytes), so it was not forwarded";
        }
        return false;
    }

    /// <inheritdoc />
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.RequestUri = new Uri(upstream.Url + (target.Path.Length == 0 ? "/" : target.Path) + target.Query);
        var headers = proxyRequest.Headers;
        headers.Remove("Authorization");
        headers.Remove("Accept-Encoding");
        if (headers.TryGetValues("Cookie", out var cookies))
        {
            var kept = string.Join("; ", cookies.SelectMany(c => c.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .Where(c => !c.StartsWith(BrowserSessions.CookieName + "=", StringComparison.Ordinal) && !c.StartsWith(BrowserSessions.CsrfCookieName + "=", StringComparison.Ordinal)));
            headers.Remove("Cookie");
            if (kept.Length > 0)
            {
                headers.TryAddWithoutValidation("Cookie", kept);
            }
        }
        if (redactSecrets && headers.Accept.ToString().Contains("protobuf", StringComparison.OrdinalIgnoreCase))
        {
            // Secret values are redacted in JSON only.
            headers.Remove("Accept");
            headers.TryAddWithoutValidation("Accept", "application/json");
        }
        foreach (var (name, value) in upstream.Headers)
        {
            headers.Remove(name);
            proxyRequest.Content?.Headers.Remove(name);
            if (!headers.TryAddWithoutValidation(name, value))
            {
                proxyRequest.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }
        if (upstream.Token is { } token)
        {
            headers.Remove("Authorization");
            headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }
    }
}
