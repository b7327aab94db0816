namespace Vigil.Analysis.Providers;

/// <summary>
/// The HTTP clients the provider SDKs send through: one pooled handler for the process (connections are reused across
/// calls and recycled every few minutes so DNS changes are seen), no <see cref="HttpClient.Timeout"/> (the
/// per-classification timeout is ours), and a handler that records 429 wait headers the Anthropic SDK does not expose.
/// </summary>
internal static class ProviderHttp
{
    private static readonly SocketsHttpHandler s_handler = new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = System.Net.DecompressionMethods.All,
    };

    /// <summary>For the OpenAI SDK, which exposes response headers on its exceptions.</summary>
    public static HttpClient Plain { get; } = new(s_handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>For the Anthropic SDK: records the last response's wait headers into <see cref="ResponseCapture.Begin"/>'s sink.</summary>
    public static HttpClient Capturing { get; } = new(new ResponseCapture { InnerHandler = s_handler }, disposeHandler: false)
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}

/// <summary>
/// Records <c>Retry-After</c> and <c>retry-after-ms</c> of each response into the sink of the current async flow:
/// the Anthropic SDK's exceptions carry the status and body but not the headers, which the 429 retry needs.
/// </summary>
internal sealed class ResponseCapture : DelegatingHandler
{
    private static readonly AsyncLocal<CapturedResponse?> s_current = new();

    /// <summary>Starts capturing for the calling async flow (and everything it awaits).</summary>
    public static CapturedResponse Begin()
    {
        var sink = new CapturedResponse();
        s_current.Value = sink;
        return sink;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (s_current.Value is { } sink)
        {
            sink.Status = (int)response.StatusCode;
            sink.RetryAfter = response.Headers.TryGetValues("Retry-After", out var after) ? after.FirstOrDefault() : null;
            sink.RetryAfterMs = response.Headers.TryGetValues("retry-after-ms", out var ms) ? ms.FirstOrDefault() : null;
        }
        return response;
    }
}

/// <summary>The wait headers of the last response seen in one classification.</summary>
internal sealed class CapturedResponse
{
    public int Status { get; set; }
    public string? RetryAfter { get; set; }
    public string? RetryAfterMs { get; set; }
}
