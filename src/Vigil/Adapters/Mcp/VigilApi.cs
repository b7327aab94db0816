using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ModelContextProtocol;
using Vigil.Hosting;

namespace Vigil.Adapters.Mcp;

/// <summary>One answer of the gateway's REST API: its HTTP status and JSON body (null when it had none).</summary>
public sealed record ApiAnswer(int Status, JsonNode? Body);

/// <summary>
/// The gateway's REST API as an MCP tool's caller sees it: every tool is a translation into <c>/api/…</c> requests sent
/// over loopback with the caller's own bearer token, so authentication, authorization (RBAC, token narrowing), validation
/// and the audit log are exactly the API's. The requests carry <see cref="InternalRequests"/>' secret and the caller's
/// address, so sessions and audit entries name where the agent is, not loopback.
/// <para>
/// Errors: an answer of 400 or more throws <see cref="McpException"/> with the API's problem <c>detail</c>, which the
/// SDK returns to the agent as a tool result with <c>isError: true</c>; the gateway being unreachable likewise.
/// </para>
/// </summary>
public sealed class VigilApi(LoopbackHttp loopback, IHttpContextAccessor accessor, InternalRequests internalRequests)
{
    /// <summary><c>GET path</c>; the body, or throws <see cref="McpException"/>.</summary>
    public async Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, path, null, cancellationToken)).Body;

    /// <summary>Sends <paramref name="body"/> (JSON, snake_case as the API reads it) to <paramref name="path"/> (relative, e.g. <c>api/sessions</c>).</summary>
    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var http = accessor.HttpContext ?? throw new McpException("no request to act for");
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = AuthenticationHeaderValue.Parse(http.Request.Headers.Authorization.ToString());
        request.Headers.Add(InternalRequests.SecretHeader, internalRequests.Secret);
        if (InternalRequests.ClientEndpoint(http) is { } address)
        {
            request.Headers.Add(InternalRequests.AddressHeader, address);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Api.Json);
        }
        HttpResponseMessage response;
        try
        {
            response = await loopback.Client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new McpException($"the gateway's API did not answer: {e.Message}", e);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonNode? json = null;
            if (text.Length > 0)
            {
                try
                {
                    json = JsonNode.Parse(text);
                }
                catch (System.Text.Json.JsonException)
                {
                    json = JsonValue.Create(text);
                }
            }
            var status = (int)response.StatusCode;
            if (status >= 400)
            {
                var detail = json?["detail"]?.GetValue<string>() ?? json?["title"]?.GetValue<string>() ?? response.ReasonPhrase ?? "error";
                throw new McpException($"{detail} (HTTP {status})");
            }
            return new ApiAnswer(status, json);
        }
    }

    /// <summary>
    /// Escapes one path segment (a name or id an agent supplied). An empty value, <c>.</c> or <c>..</c> would address
    /// another route once the URL is normalized, so they are refused (<see cref="McpException"/>).
    /// </summary>
    public static string Segment(string value) => value is "" or "." or ".."
        ? throw new McpException($"'{value}' is not a valid name or id")
        : Uri.EscapeDataString(value);
}

/// <summary>
/// The HTTP client the tools reach this gateway's own API with: the first address the server bound, with a wildcard
/// bind address (0.0.0.0, [::]) replaced by loopback. No timeout of its own: every call carries the tool call's
/// cancellation (long polls and bounded exec waits last longer than HttpClient's default 100 s would allow for).
/// </summary>
public sealed class LoopbackHttp(IServer server) : IDisposable
{
    private readonly Lazy<HttpClient> _client = new(() => new HttpClient
    {
        BaseAddress = new Uri(Loopback(server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the HTTP listener has no address yet")) + "/"),
        Timeout = Timeout.InfiniteTimeSpan,
    });

    /// <summary>The client (created on first use, once the server has bound).</summary>
    public HttpClient Client => _client.Value;

    private static string Loopback(string address)
    {
        var uri = new Uri(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal));
        var host = uri.Host switch
        {
            "0.0.0.0" => "127.0.0.1",
            "[::]" or "::" => "[::1]",
            _ => uri.Host.Contains(':', StringComparison.Ordinal) && !uri.Host.StartsWith('[') ? $"[{uri.Host}]" : uri.Host,
        };
        return $"{uri.Scheme}://{host}:{uri.Port}";
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
