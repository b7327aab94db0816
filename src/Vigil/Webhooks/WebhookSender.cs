using System.Net.Http.Headers;
using System.Text;
using Vigil.Analysis.Providers;

namespace Vigil.Webhooks;

/// <summary>
/// Makes one delivery attempt: <c>POST</c> of the body with <c>content-type: application/json</c> and the given
/// headers, within a timeout (connect to the end of the answer). Redirects are not followed (a 3xx is a failure, as the
/// Standard Webhooks spec asks: the URL should be updated instead); at most <see cref="MaxAnswerBytes"/> of an answer
/// are read and, for a failure, kept as context in the error.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    /// <summary>The most of an answer's body read and kept: 4 KiB.</summary>
    public const int MaxAnswerBytes = 4 * 1024;

    private readonly HttpClient _http;
    private readonly TimeProvider _time;

    /// <summary>Creates a sender whose connections time out after <paramref name="timeout"/>.</summary>
    public WebhookSender(TimeSpan timeout, TimeProvider time)
    {
        _time = time;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Vigil-Webhooks/1.0");
    }

    /// <summary>Sends <paramref name="body"/> to <paramref name="url"/>; never throws except when <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (shutdown).</exception>
    public async Task<AttemptResult> SendAsync(
        string url, byte[] body, IReadOnlyList<KeyValuePair<string, string>> headers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            if (status is >= 200 and <= 299)
            {
                return new AttemptResult(true, status, null); // the answer's body is not needed: a slow one must not turn success into a timeout
            }
            var answer = await ReadCappedAsync(response.Content, linked.Token);
            if (status is >= 300 and <= 399)
            {
                return new AttemptResult(false, status, $"HTTP {status}: redirect to {response.Headers.Location} not followed; update the webhook's URL");
            }
            var retryAfter = RetryAfter.Parse(response.Headers.RetryAfter?.ToString(), null, _time.GetUtcNow());
            return new AttemptResult(false, status, answer.Length == 0 ? $"HTTP {status}" : $"HTTP {status}: {answer}", retryAfter);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AttemptResult(false, null, $"timed out after {timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            return new AttemptResult(false, null, $"request failed: {e.Message}");
        }
        catch (IOException e)
        {
            return new AttemptResult(false, null, $"connection failed: {e.Message}");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static async Task<string> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxAnswerBytes];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
