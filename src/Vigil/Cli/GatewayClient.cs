using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Hosting;

namespace Vigil.Cli;

/// <summary>Where the token a <see cref="GatewayClient"/> sends comes from.</summary>
public enum TokenSource
{
    /// <summary>No token: anonymous requests only.</summary>
    None,
    /// <summary>The <c>VIGIL_TOKEN</c> environment variable.</summary>
    Environment,
    /// <summary>The credentials <c>vigil login</c> stored (<see cref="CredentialStore"/>).</summary>
    Stored,
    /// <summary>Given to the constructor (e.g. a token <c>vigil login</c> just obtained).</summary>
    Explicit,
}

/// <summary>
/// The CLI's HTTP client. Gateway: <c>VIGIL_GATEWAY_URL</c> &gt; the stored login's URL &gt; http://127.0.0.1:8009.
/// Token: <c>VIGIL_TOKEN</c> &gt; the stored login's token, which is only sent to the gateway it was issued by.
/// Failures become <see cref="CliException"/> with the problem detail (RFC 7807) the API returned.
/// </summary>
public sealed class GatewayClient : IDisposable
{
    /// <summary>The gateway used when neither <c>VIGIL_GATEWAY_URL</c> nor a stored login names one.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8009";

    private readonly HttpClient _http;
    private readonly string? _setupError;

    /// <summary>Creates a client from the environment and the stored credentials (errors surface on the first request).</summary>
    public GatewayClient()
    {
        string url;
        try
        {
            var stored = CredentialStore.Load();
            url = NormalizeUrl(Env("VIGIL_GATEWAY_URL") ?? stored?.GatewayUrl ?? DefaultUrl);
            if (Env("VIGIL_TOKEN") is { } token)
            {
                Token = token;
                Source = TokenSource.Environment;
            }
            else if (stored is not null && SameGateway(stored.GatewayUrl, url))
            {
                Token = stored.Token;
                Source = TokenSource.Stored;
            }
            else
            {
                _setupError = stored is null
                    ? $"not logged in to {url}: run `vigil login` or set VIGIL_TOKEN"
                    : $"not logged in to {url} (the stored login is for {stored.GatewayUrl}): run `vigil login --gateway {url}` or set VIGIL_TOKEN";
            }
        }
        catch (CliException e)
        {
            _setupError = e.Message;
            url = DefaultUrl;
            Token = null;
            Source = TokenSource.None;
        }
        _http = CreateHttp(url, Token, cookies: true);
    }

    /// <summary>
    /// Creates a client for <paramref name="gatewayUrl"/> with <paramref name="token"/> (null: anonymous). With
    /// <paramref name="cookies"/> false the client keeps no cookie jar, so a <c>Cookie</c> header can be set by hand.
    /// </summary>
    public GatewayClient(string gatewayUrl, string? token, bool cookies = true)
    {
        Token = token;
        Source = token is null ? TokenSource.None : TokenSource.Explicit;
        _http = CreateHttp(NormalizeUrl(gatewayUrl), token, cookies);
    }

    /// <summary>The gateway's base address (ends with '/').</summary>
    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>The gateway URL without the trailing '/', as stored in credentials.</summary>
    public string GatewayUrl => BaseAddress.ToString().TrimEnd('/');

    /// <summary>The bearer token sent, or null.</summary>
    public string? Token { get; }

    /// <summary>Where <see cref="Token"/> came from.</summary>
    public TokenSource Source { get; }

    /// <summary>Headers sent with every request (e.g. <c>X-CSRF-Token</c> and <c>Cookie</c> during a login).</summary>
    public HttpRequestHeaders DefaultHeaders => _http.DefaultRequestHeaders;

    /// <summary>
    /// Sends a request and returns the JSON body (null for 204). A client built from the environment without any
    /// token refuses to send (the one-line "run vigil login or set VIGIL_TOKEN" error).
    /// </summary>
    /// <exception cref="CliException">No credentials, unreachable gateway or a non-success status.</exception>
    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        (await SendWithHeadersAsync(method, path, body, cancellationToken)).Body;

    /// <summary>As <see cref="SendAsync"/>, also returning the response headers (e.g. <c>Set-Cookie</c>).</summary>
    /// <exception cref="CliException">No credentials, unreachable gateway or a non-success status.</exception>
    public async Task<(JsonNode? Body, HttpResponseHeaders Headers)> SendWithHeadersAsync(
        HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        if (_setupError is not null)
        {
            throw new CliException(_setupError);
        }
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
            throw new CliException($"cannot reach the gateway at {GatewayUrl}: {e.Message} (set VIGIL_GATEWAY_URL or use `vigil login --gateway URL`)");
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                var problem = TryParse(text);
                var detail = Text(problem?["detail"]) ?? Text(problem?["title"]) ?? response.ReasonPhrase;
                throw new CliException($"{(int)response.StatusCode}: {detail}{Hint(response)}", (int)response.StatusCode);
            }
            return (text.Length == 0 ? null : TryParse(text), response.Headers);
        }
    }

    /// <summary>
    /// <paramref name="url"/> as an absolute http(s) URL without a trailing '/', query or fragment
    /// (e.g. <c>http://127.0.0.1:8009</c>).
    /// </summary>
    /// <exception cref="CliException">Not an absolute http or https URL.</exception>
    public static string NormalizeUrl(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException($"'{url}' is not a gateway URL such as http://127.0.0.1:8009");
        }
        return uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    /// <summary>True when both URLs name the same gateway (after <see cref="NormalizeUrl"/>; host case-insensitive).</summary>
    public static bool SameGateway(string a, string b)
    {
        try
        {
            return Uri.Compare(new Uri(NormalizeUrl(a)), new Uri(NormalizeUrl(b)), UriComponents.HttpRequestUrl, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0;
        }
        catch (CliException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    private static HttpClient CreateHttp(string url, string? token, bool cookies)
    {
        var http = new HttpClient(new SocketsHttpHandler { UseCookies = cookies })
        {
            BaseAddress = new Uri(url + "/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return http;
    }

    private string Hint(HttpResponseMessage response) => response.StatusCode switch
    {
        HttpStatusCode.Unauthorized => Source switch
        {
            TokenSource.Environment => " (VIGIL_TOKEN was refused: set it to a valid API token)",
            TokenSource.Stored => $" (the token stored by `vigil login` was refused: run `vigil login` again)",
            _ => "",
        },
        HttpStatusCode.TooManyRequests when response.Headers.RetryAfter is { } retry =>
            retry.Delta is { } delta ? $" (try again in {Math.Ceiling(delta.TotalSeconds)}s)"
            : retry.Date is { } date ? $" (try again after {date:u})" : "",
        _ => "",
    };

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

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
/// <param name="message">The readable reason.</param>
/// <param name="status">The HTTP status the gateway answered with, when the failure is an API error.</param>
public sealed class CliException(string message, int? status = null) : Exception(message)
{
    /// <summary>The HTTP status of an API error (e.g. 400), null for local failures and an unreachable gateway.</summary>
    public int? Status { get; } = status;
}
