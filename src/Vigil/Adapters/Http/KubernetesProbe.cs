using System.Net;
using System.Text.Json;
using Vigil.Connections;

namespace Vigil.Adapters.Http;

/// <summary>
/// Tests a <c>kubernetes</c> connection: <c>GET {url}/version</c> with the connection's token or client certificate,
/// as <c>kubectl version</c> does. 200 with a <c>gitVersion</c> → the target <c>Kubernetes v1.32.0</c>; 401 or 403 →
/// <c>authentication</c> (an API server answers 401 to a bad bearer token on every path, and 403 when the identity
/// may not even read <c>/version</c>); any other answer → <c>protocol</c> with the status.
/// </summary>
public sealed class KubernetesProbe(UpstreamClients clients) : IConnectivityProbe
{
    /// <summary>Largest <c>/version</c> body read: a real one is a few hundred bytes.</summary>
    private const int MaxVersionBytes = 64 * 1024;

    /// <inheritdoc />
    public bool Handles(string type) => type == ConnectionTypes.Kubernetes;

    /// <inheritdoc />
    public async Task<ProbeOutcome> ProbeAsync(Connection connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (response, failure) = await HttpProbe.SendAsync(clients, connection, "/version", "application/json", cancellationToken);
        if (failure is not null)
        {
            return failure;
        }
        using (response)
        {
            var status = response!.StatusCode;
            var answered = $"the API server at {connection.Http!.Url} answered {HttpProbe.Status(status)} to GET /version";
            if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                return ProbeOutcome.Failed(ConnectivityFailure.Authentication, $"{answered}: it refused the connection's token or client certificate");
            }
            if (status != HttpStatusCode.OK)
            {
                return ProbeOutcome.Failed(ConnectivityFailure.Protocol, answered);
            }
            return await VersionAsync(response, cancellationToken) is { } version
                ? ProbeOutcome.Reached($"Kubernetes {version}")
                : ProbeOutcome.Failed(ConnectivityFailure.Protocol, $"{answered} without a JSON gitVersion: is it a Kubernetes API server?");
        }
    }

    /// <summary>The <c>gitVersion</c> of a version.Info body (k8s.io/apimachinery/pkg/version), or null.</summary>
    private static async Task<string?> VersionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxVersionBytes];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }
        try
        {
            using var document = JsonDocument.Parse(buffer.AsMemory(0, read));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("gitVersion", out var version)
                && version.ValueKind == JsonValueKind.String
                && version.GetString() is { Length: > 0 } text
                ? text
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
