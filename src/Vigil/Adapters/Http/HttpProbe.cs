using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Vigil.Connections;

namespace Vigil.Adapters.Http;

/// <summary>
/// Tests an <c>http</c> connection: a <c>GET</c> of its base URL (what <c>/proxy/{connection}/</c> forwards to) on the
/// connection's own pooled client (<see cref="UpstreamClients"/>: its TLS rules, its client certificate) with its
/// credentials (<see cref="UpstreamCredentials"/>). Any HTTP answer means reachable: the target is the status, e.g.
/// <c>HTTP 404 Not Found</c> (RFC 9110 §15 reason phrases, not the server's). The body is not read.
/// </summary>
public sealed class HttpProbe(UpstreamClients clients) : IConnectivityProbe
{
    /// <inheritdoc />
    public bool Handles(string type) => type == ConnectionTypes.Http;

    /// <inheritdoc />
    public async Task<ProbeOutcome> ProbeAsync(Connection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (response, failure) = await SendAsync(clients, connection, "/", null, cancellationToken);
        using (response)
        {
            return failure ?? ProbeOutcome.Reached(Status(response!.StatusCode));
        }
    }

    /// <summary>A status as <c>HTTP 200 OK</c>.</summary>
    internal static string Status(HttpStatusCode status) =>
        ReasonPhrases.GetReasonPhrase((int)status) is { Length: > 0 } phrase ? $"HTTP {(int)status} {phrase}" : $"HTTP {(int)status}";

    /// <summary>
    /// Sends <c>GET {url}{path}</c> to <paramref name="connection"/>'s upstream as the proxy would (its client, its
    /// credentials); returns the response (headers read, body not), or the failure when none came.
    /// </summary>
    internal static async Task<(HttpResponseMessage? Response, ProbeOutcome? Failure)> SendAsync(
        UpstreamClients clients, Connection connection, string path, string? accept, CancellationToken cancellationToken)
    {
        var upstream = connection.Http!;
        using var request = new HttpRequestMessage(HttpMethod.Get, upstream.Url + path);
        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }
        UpstreamCredentials.Apply(request, upstream);
        var where = $"cannot reach connection '{connection.Name}' ({upstream.Url})";
        try
        {
            return (await clients.For(connection).SendAsync(request, cancellationToken), null);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError)
        {
            return (null, ProbeOutcome.Failed(ConnectivityFailure.Unreachable, $"{where}: {e.Message}"));
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.SecureConnectionError)
        {
            var why = e.InnerException is AuthenticationException tls ? tls.Message : e.Message;
            return (null, ProbeOutcome.Failed(ConnectivityFailure.Tls,
                $"{where}: TLS handshake failed ({why}); trust its CA with certificate_authority, or use insecure_skip_tls_verify for a test upstream"));
        }
        catch (HttpRequestException e)
        {
            return (null, ProbeOutcome.Failed(ConnectivityFailure.Protocol, $"{where}: {e.Message}"));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The client's own connect timeout (ProxyLimits.ConnectTimeout) passed before the test's.
            return (null, ProbeOutcome.Failed(ConnectivityFailure.Timeout, $"{where}: {e.Message}"));
        }
    }
}
