using System.Text.Json;
using System.Text.Json.Serialization;
using Vigil.Connections;
using Vigil.Reviews;

namespace Vigil.Adapters.Http;

/// <summary>
/// The gateway's own answers on <c>/proxy/…</c> (refusals, bad requests, upstream failures), in the form the client
/// understands: for a <c>kubernetes</c> connection a Kubernetes <c>Status</c> object (kind Status, apiVersion v1,
/// status Failure, reason, code), which kubectl prints as <c>Error from server (Forbidden): vigil: …</c> as it does RBAC
/// denials; otherwise an RFC 7807 problem (<c>application/problem+json</c>). Messages start with <c>vigil:</c>; a
/// refusal that opened a review carries it (<c>review: {id, status, url, expires_at}</c> in a problem,
/// <c>details.causes</c> in a Status).
/// </summary>
public static class ProxyReplies
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes <paramref name="status"/> with <paramref name="message"/> ("vigil: " is prefixed) unless the response has started.</summary>
    public static async Task WriteAsync(HttpContext http, string? connectionType, int status, string message, ReviewRef? review = null)
    {
        if (http.Response.HasStarted)
        {
            return;
        }
        var text = "vigil: " + message;
        http.Response.Clear();
        http.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = ProxyCredentials.Challenge;
        }
        if (connectionType == ConnectionTypes.Kubernetes)
        {
            http.Response.ContentType = "application/json";
            await JsonSerializer.SerializeAsync(http.Response.Body, new KubernetesStatus(
                "Status", "v1", new { }, "Failure", text, Reason(status),
                review is null ? null : new StatusDetails([new StatusCause("VigilReview", $"review {review.Id}: {review.Url}", review.Id)]), status), KubernetesJson);
            return;
        }
        http.Response.ContentType = "application/problem+json";
        await JsonSerializer.SerializeAsync(http.Response.Body, new Problem(Title(status), status, text, review), Json);
    }

    /// <summary>The Kubernetes <c>StatusReason</c> for an HTTP status (k8s.io/apimachinery metav1).</summary>
    private static string Reason(int status) => status switch
    {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        413 => "RequestEntityTooLarge",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "InternalError",
    };

    private static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Content Too Large",
        502 => "Bad Gateway",
        504 => "Gateway Timeout",
        _ => "Error",
    };

    private static readonly JsonSerializerOptions KubernetesJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record Problem(string Title, int Status, string Detail, ReviewRef? Review)
    {
        public string Type => "about:blank";
    }

    private sealed record KubernetesStatus(string Kind, string ApiVersion, object Metadata, string Status, string Message, string Reason, StatusDetails? Details, int Code);

    private sealed record StatusDetails(IReadOnlyList<StatusCause> Causes);

    private sealed record StatusCause(string Reason, string Message, string Field);
}
