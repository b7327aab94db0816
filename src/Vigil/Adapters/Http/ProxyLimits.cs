namespace Vigil.Adapters.Http;

/// <summary>
/// Bounds of the HTTP proxy (<c>/proxy/{connection}/…</c>). A request body is streamed to the upstream; only its first
/// <see cref="AnalyzedBodyBytes"/> are held, analyzed and recorded. A body larger than <see cref="MaxRequestBodyBytes"/>
/// is refused with 413 (up front when <c>Content-Length</c> says so, else when the stream passes the limit).
/// </summary>
/// <param name="MaxRequestBodyBytes">Largest request body forwarded, bytes (default 256 MiB).</param>
/// <param name="AnalyzedBodyBytes">Prefix of a request body analyzed and recorded, bytes (default 64 KiB).</param>
/// <param name="RecordedResponseBytes">Prefix of a response body recorded, bytes (default 64 KiB; also capped by the connection's <c>record_result_bytes</c>).</param>
/// <param name="SessionIdleWindow">A token's requests on one connection share a session until it has been idle this long (default 10 s).</param>
/// <param name="ActivityTimeout">An upstream that sends nothing for this long is given up with 504 (default 100 s).</param>
/// <param name="StreamingActivityTimeout">The same for watches, <c>follow</c> logs and upgraded connections (exec, attach, port-forward; default 1 h).</param>
/// <param name="ConnectTimeout">Longest wait for the upstream's TCP and TLS handshake (default 10 s).</param>
public sealed record ProxyLimits(
    long MaxRequestBodyBytes = 256L * 1024 * 1024,
    int AnalyzedBodyBytes = 64 * 1024,
    int RecordedResponseBytes = 64 * 1024,
    TimeSpan? SessionIdleWindow = null,
    TimeSpan? ActivityTimeout = null,
    TimeSpan? StreamingActivityTimeout = null,
    TimeSpan? ConnectTimeout = null)
{
    /// <summary><see cref="SessionIdleWindow"/> with its default.</summary>
    public TimeSpan IdleWindow => SessionIdleWindow ?? TimeSpan.FromSeconds(10);

    /// <summary><see cref="ActivityTimeout"/> with its default.</summary>
    public TimeSpan Activity => ActivityTimeout ?? TimeSpan.FromSeconds(100);

    /// <summary><see cref="StreamingActivityTimeout"/> with its default.</summary>
    public TimeSpan StreamingActivity => StreamingActivityTimeout ?? TimeSpan.FromHours(1);

    /// <summary><see cref="ConnectTimeout"/> with its default.</summary>
    public TimeSpan Connect => ConnectTimeout ?? TimeSpan.FromSeconds(10);
}
