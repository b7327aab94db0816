using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Hosting;

namespace Vigil.Cli;

/// <summary>
/// The CLI's HTTP client: gateway from <c>VIGIL_GATEWAY_URL</c> (default http://127.0.0.1:8009), token from
/// <c>VIGIL_TOKEN</c>. Failures become <see cref="CliException"/> with the problem detail the API returned.
/// </summary>
public sealed class GatewayClient : IDisposable
{
    private readonly HttpClient _http;

    /// <summary>Creates a client from the environment.</summary>
    public GatewayClient()
    {
        var url = Environment.GetEnvironmentVariable("VIGIL_GATEWAY_URL") is { Length: > 0 } u ? u : "http://127.0.0.1:8009";
        _http = new HttpClient { BaseAddress = new Uri(url.TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };
        if (Environment.GetEnvironmentVariable("VIGIL_TOKEN") is { Length: > 0 } token)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>Sends a request and returns the JSON body (null for 204).</summary>
    /// <exception cref="CliException">Unreachable gateway or a non-success status.</exception>
    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Api.Json);
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"cannot reach the gateway at {_http.BaseAddress}: {e.Message} (set VIGIL_GATEWAY_URL)");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var detail = TryParse(text)?["detail"]?.GetValue<string>() ?? response.ReasonPhrase;
                var hint = response.StatusCode == System.Net.HttpStatusCode.Unauthorized ? " (set VIGIL_TOKEN to an API token)" : "";
                throw new CliException($"{(int)response.StatusCode}: {detail}{hint}");
            }
            return text.Length == 0 ? null : TryParse(text);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A CLI failure whose message is printed as "vigil: MESSAGE" with exit code 1.</summary>
public sealed class CliException(string message) : Exception(message);
