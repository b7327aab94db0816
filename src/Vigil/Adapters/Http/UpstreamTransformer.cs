using Vigil.Connections;
using Vigil.Identity.Authentication;
using Vigil.Pipeline;
using Yarp.ReverseProxy.Forwarder;

namespace Vigil.Adapters.Http;

/// <summary>
/// Shapes one forwarded request: the upstream URL is the connection's URL + the client's path and query as it sent
/// them (<see cref="ProxyTarget"/>); the client's Vigil credential (<c>Authorization</c>, the console's cookies) and
/// <c>Accept-Encoding</c> are removed (bodies travel uncompressed so the gateway can analyze, record and mask them);
/// the connection's headers and bearer token are set, replacing any the client sent under the same name. YARP's
/// default transform does the rest (hop-by-hop headers dropped, <c>Host</c> the upstream's). The response body is
/// rewritten (<see cref="ResponseRewriter"/>) into <paramref name="tap"/> (the client's body, which keeps the
/// recording's copy) instead of copied when <paramref name="secrets"/> is not <see cref="SecretHandling.None"/>
/// (<see cref="SecretRedaction.For"/>; JSON is then asked for) or a result stage applies to the request
/// (<paramref name="run"/>), holding at most <paramref name="holdBytes"/> (<see cref="ProxyLimits.MaskingHoldBytes"/>);
/// otherwise YARP streams it untouched.
/// </summary>
public sealed class UpstreamTransformer(
    HttpTarget upstream, ProxyTarget target, ResponseTap tap, SecretHandling secrets = SecretHandling.None, CommandRun? run = null, int holdBytes = 16 * 1024 * 1024) : HttpTransformer
{
    private readonly bool _secrets = secrets != SecretHandling.None;

    /// <summary>Set when the response was not (wholly) forwarded: the status to answer with (when nothing was sent yet) and why.</summary>
    public (int Status, string Reason)? Refusal { get; private set; }

    /// <inheritdoc />
    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if ((!_secrets && run is null) || proxyResponse is null || !copy || httpContext.Response.StatusCode == StatusCodes.Status101SwitchingProtocols)
        {
            return copy;
        }
        var mediaType = proxyResponse.Content.Headers.ContentType?.MediaType;
        if (!_secrets && !ResponseRewriter.Readable(mediaType))
        {
            // Binary: nothing for the stages to read.
            return true;
        }
        if (_secrets && (mediaType is null || !mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase)))
        {
            Refusal = (502, $"the response to a Secret request is {mediaType ?? "untyped"}, not JSON, so it could not be redacted and was not forwarded");
            return false;
        }
        // The body changes length; Kestrel frames it.
        httpContext.Response.ContentLength = null;
        var stream = await proxyResponse.Content.ReadAsStreamAsync(cancellationToken);
        var outcome = await ResponseRewriter.CopyAsync(stream, tap, mediaType!, SecretRedaction.IsWatch(target), secrets, run, holdBytes, cancellationToken);
        if (outcome.StopReason is { } stop)
        {
            Refusal = (403, stop);
        }
        else if (!outcome.Written)
        {
            Refusal = (502, $"the response could not be read as {mediaType} within {holdBytes} bytes{(_secrets ? " to redact its Secret values" : " for the connection's masking and guardrails")}, so it was not forwarded");
        }
        return false;
    }

    /// <inheritdoc />
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        if (proxyRequest.Method == HttpMethod.Get && HttpMethods.IsPost(httpContext.Request.Method))
        {
            // YARP sends every HTTP/1.1 upgrade as a GET; kubectl's SPDY exec is a POST, which the API server authorizes
            // as verb create on pods/exec (a GET as get, refused by a role that grants only create on older clusters).
            proxyRequest.Method = HttpMethod.Post;
        }
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
        if (_secrets && headers.Accept.ToString().Contains("protobuf", StringComparison.OrdinalIgnoreCase))
        {
            // Secret values are redacted in JSON only.
            headers.Remove("Accept");
            headers.TryAddWithoutValidation("Accept", "application/json");
        }
        UpstreamCredentials.Apply(proxyRequest, upstream);
    }
}
