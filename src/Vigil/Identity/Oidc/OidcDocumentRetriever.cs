using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.IdentityModel.Protocols;

namespace Vigil.Identity.Oidc;

/// <summary>
/// Fetches the discovery document and the JWKS for <c>ConfigurationManager</c> over the caller's
/// <see cref="HttpClient"/>. Unlike the library's <c>HttpDocumentRetriever</c> it fails with a readable
/// <see cref="OidcException"/> (status code, URL) instead of a message with "[PII is hidden]", enforces the
/// https-or-loopback rule on every URL (the JWKS URL comes from the provider), caps the size, and requires a JSON object.
/// </summary>
internal sealed class OidcDocumentRetriever(HttpClient http) : IDocumentRetriever
{
    public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || !OidcHttp.IsAllowed(uri))
        {
            throw new OidcException($"{OidcHttp.Printable(address, 200)} must be an absolute https URL (plain http only for a loopback host)");
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        if (!response.IsSuccessStatusCode)
        {
            throw new OidcException($"GET {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
        }
        var body = await OidcHttp.ReadBodyAsync(response, $"the answer of {uri}", cancel);
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new OidcException($"GET {uri} did not answer a JSON object");
            }
        }
        catch (JsonException)
        {
            throw new OidcException($"GET {uri} did not answer JSON");
        }
        return body;
    }
}
