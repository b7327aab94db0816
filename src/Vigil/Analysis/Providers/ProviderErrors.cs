using System.Net.Sockets;
using System.Text.Json;

namespace Vigil.Analysis.Providers;

/// <summary>Readable, key-free <see cref="ProviderException"/> messages for the failure kinds all providers share.</summary>
internal static class ProviderErrors
{
    /// <summary>Longest body excerpt quoted in an HTTP error message, in characters.</summary>
    private const int BodyExcerpt = 200;

    public static ProviderException TimedOut(TimeSpan timeout) =>
        new($"provider timed out after {(long)timeout.TotalMilliseconds} ms");

    /// <summary>A connection-level failure (refused, DNS, TLS, reset); only the innermost reason is kept.</summary>
    public static ProviderException Unreachable(Uri endpoint, Exception error, string apiKey)
    {
        var reason = error;
        while (reason.InnerException is { } inner && reason is not SocketException)
        {
            reason = inner;
        }
        return new ProviderException(
            $"cannot reach provider at {endpoint.Authority}: {Redact(reason.Message, apiKey)}",
            reason as SocketException);
    }

    /// <summary>"provider returned HTTP 503: …" with the error's message (or a body excerpt), key removed.</summary>
    public static ProviderException Http(int status, string? body, string apiKey) =>
        new($"provider returned HTTP {status}: {Redact(Describe(body), apiKey)}");

    public static ProviderException RateLimited(string detail, string? body, string apiKey) =>
        new($"provider is rate limiting (HTTP 429), {detail}: {Redact(Describe(body), apiKey)}");

    public static ProviderException Unreadable(Exception error) =>
        new($"provider answered with a response that could not be read ({error.GetType().Name})");

    /// <summary>Whitespace collapsed, cut to <paramref name="limit"/> characters with an ellipsis.</summary>
    public static string Excerpt(string? text, int limit)
    {
        var flat = string.Join(' ', (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= limit ? flat : string.Concat(flat.AsSpan(0, limit), "…");
    }

    /// <summary>
    /// Replaces the key, whole or in a long-enough piece (some providers echo a key partly masked), with <c>***</c>.
    /// </summary>
    public static string Redact(string text, string apiKey)
    {
        if (string.IsNullOrEmpty(apiKey))
        {
            return text;
        }
        text = text.Replace(apiKey, "***", StringComparison.Ordinal);
        // OpenAI's 401 says "Incorrect API key provided: sk-abc*****wxyz": a prefix or suffix of 8+ characters is
        // still a piece of the secret.
        const int piece = 8;
        if (apiKey.Length > piece)
        {
            text = text.Replace(apiKey[..piece], "***", StringComparison.Ordinal)
                .Replace(apiKey[^piece..], "***", StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>The provider's error message when the body is the usual <c>{"error":{"message":…}}</c>, else an excerpt.</summary>
    private static string Describe(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return "(empty body)";
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message)
                    && message.ValueKind == JsonValueKind.String)
                {
                    return Excerpt(message.GetString(), BodyExcerpt);
                }
                if (error.ValueKind == JsonValueKind.String)
                {
                    return Excerpt(error.GetString(), BodyExcerpt);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, plain text): quote it as is.
        }
        return Excerpt(body, BodyExcerpt);
    }
}
