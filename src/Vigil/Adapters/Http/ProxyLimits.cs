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
/// <param name="MaskingHoldBytes">Largest response body held to be masked, checked by output guardrails or redacted (a watch: per event), bytes (default 16 MiB); a larger one is not forwarded (502).</param>
/// <remarks>Set from the environment by <see cref="FromEnvironment"/> (<c>vigil serve</c>).</remarks>
public sealed record ProxyLimits(
    long MaxRequestBodyBytes = 256L * 1024 * 1024,
    int AnalyzedBodyBytes = 64 * 1024,
    int RecordedResponseBytes = 64 * 1024,
    TimeSpan? SessionIdleWindow = null,
    TimeSpan? ActivityTimeout = null,
    TimeSpan? StreamingActivityTimeout = null,
    TimeSpan? ConnectTimeout = null,
    int MaskingHoldBytes = 16 * 1024 * 1024)
{
    /// <summary>
    /// The limits from <c>VIGIL_PROXY_MAX_BODY</c>, <c>VIGIL_PROXY_ANALYZED_BODY</c>, <c>VIGIL_PROXY_RECORDED_RESPONSE</c>,
    /// <c>VIGIL_PROXY_MASKING_HOLD</c> (bytes, or with a KiB/MiB/GiB suffix: "64KiB", "256MiB"),
    /// <c>VIGIL_PROXY_TIMEOUT</c>, <c>VIGIL_PROXY_STREAM_TIMEOUT</c>, <c>VIGIL_PROXY_CONNECT_TIMEOUT</c> and
    /// <c>VIGIL_PROXY_SESSION_IDLE</c> (durations such as "100s", "1h"); unset ones keep their defaults.
    /// </summary>
    /// <param name="environment">Reads a variable (null when unset).</param>
    /// <exception cref="FormatException">A value that is not a positive size or duration, naming the variable.</exception>
    public static ProxyLimits FromEnvironment(Func<string, string?> environment)
    {
        long? Size(string name, long max)
        {
            if (environment(name) is not { } text)
            {
                return null;
            }
            var (digits, unit) = text.EndsWith("GiB", StringComparison.Ordinal) ? (text[..^3], 1L << 30)
                : text.EndsWith("MiB", StringComparison.Ordinal) ? (text[..^3], 1L << 20)
                : text.EndsWith("KiB", StringComparison.Ordinal) ? (text[..^3], 1L << 10)
                : (text, 1L);
            return long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= max / unit
                ? n * unit
                : throw new FormatException($"{name}: '{text}' is not a size from 1 to {max} bytes (e.g. 65536, 64KiB, 256MiB)");
        }
        TimeSpan? Duration(string name) => environment(name) is not { } text ? null
            : Hosting.DurationText.TryParse(text, out var d) && d > TimeSpan.Zero ? d : throw new FormatException($"{name}: '{text}' is not a duration such as 100s or 1h");
        var defaults = new ProxyLimits();
        return new ProxyLimits(
            Size("VIGIL_PROXY_MAX_BODY", long.MaxValue) ?? defaults.MaxRequestBodyBytes,
            (int)(Size("VIGIL_PROXY_ANALYZED_BODY", int.MaxValue) ?? defaults.AnalyzedBodyBytes),
            (int)(Size("VIGIL_PROXY_RECORDED_RESPONSE", int.MaxValue) ?? defaults.RecordedResponseBytes),
            Duration("VIGIL_PROXY_SESSION_IDLE"),
            Duration("VIGIL_PROXY_TIMEOUT"),
            Duration("VIGIL_PROXY_STREAM_TIMEOUT"),
            Duration("VIGIL_PROXY_CONNECT_TIMEOUT"),
            (int)(Size("VIGIL_PROXY_MASKING_HOLD", int.MaxValue) ?? defaults.MaskingHoldBytes));
    }

    /// <summary><see cref="SessionIdleWindow"/> with its default.</summary>
    public TimeSpan IdleWindow => SessionIdleWindow ?? TimeSpan.FromSeconds(10);

    /// <summary><see cref="ActivityTimeout"/> with its default.</summary>
    public TimeSpan Activity => ActivityTimeout ?? TimeSpan.FromSeconds(100);

    /// <summary><see cref="StreamingActivityTimeout"/> with its default.</summary>
    public TimeSpan StreamingActivity => StreamingActivityTimeout ?? TimeSpan.FromHours(1);

    /// <summary><see cref="ConnectTimeout"/> with its default.</summary>
    public TimeSpan Connect => ConnectTimeout ?? TimeSpan.FromSeconds(10);
}
