using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vigil.Analysis.Static.Kubernetes;
using Vigil.Connections;
using Vigil.Masking;

namespace Vigil.Adapters.Http;

/// <summary>
/// Kubernetes <c>Secret</c> values never leave the gateway: on a <c>kubernetes</c> connection, every response to a
/// request for the core <c>secrets</c> resource (get, list, watch) has the values of <c>data</c> and
/// <c>stringData</c> replaced, in the object, in list items, in watch events and in Table rows that carry objects, so
/// the client and the recording both see <see cref="RedactedData"/> (valid base64, so clients still decode it) and
/// <see cref="RedactedText"/>; so does the copy of them in the <see cref="LastAppliedAnnotation"/> that
/// <c>kubectl apply</c> writes. The keys stay (what a Secret holds is visible, not its values). Responses are read as
/// JSON (the request's <c>Accept</c> is narrowed to JSON) by <see cref="ResponseRewriter"/>; one that cannot be read
/// so is not forwarded (fail closed). A data masking rule with <c>kubernetes_secrets: reveal</c> on the connection
/// (<see cref="MaskingSet.KubernetesSecretsRevealedBy"/>) lets the values through to the client
/// (<see cref="SecretHandling.Reveal"/>); the recording still gets them redacted.
/// </summary>
public static class SecretRedaction
{
    /// <summary>base64 of <see cref="RedactedText"/>: what each <c>data</c> value becomes.</summary>
    public static readonly string RedactedData = Convert.ToBase64String(Encoding.UTF8.GetBytes(RedactedText));

    /// <summary>What each <c>stringData</c> value becomes, and what <see cref="RedactedData"/> decodes to.</summary>
    public const string RedactedText = "vigil:redacted";

    /// <summary>
    /// The annotation in which <c>kubectl apply</c> keeps the manifest it applied, as one JSON string: a Secret's
    /// values are in it too.
    /// </summary>
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>True when responses to <paramref name="target"/> on <paramref name="connection"/> must be redacted.</summary>
    public static bool Applies(Connection connection, ProxyTarget target)
    {
        if (connection.Type != ConnectionTypes.Kubernetes)
        {
            return false;
        }
        try
        {
            var path = KubernetesApiPath.Parse(target.PathAndQuery);
            return path.Resource is { } resource && string.IsNullOrEmpty(path.Group) && KubernetesResources.Normalize(resource) == "secrets";
        }
        catch (UriFormatException)
        {
            // A path the analyzer cannot read is not forwarded with secrets in it either.
            return true;
        }
    }

    /// <summary>
    /// How the Secret values in the response to <paramref name="target"/> on <paramref name="connection"/> are treated,
    /// and the masking rule that reveals them (null unless <see cref="SecretHandling.Reveal"/>).
    /// </summary>
    public static (SecretHandling Handling, string? RevealedBy) For(Connection connection, ProxyTarget target, MaskingSet masking)
    {
        if (!Applies(connection, target))
        {
            return (SecretHandling.None, null);
        }
        return masking.KubernetesSecretsRevealedBy(connection.Name) is { } rule ? (SecretHandling.Reveal, rule) : (SecretHandling.Redact, null);
    }

    /// <summary>True when the response to <paramref name="target"/> is a watch stream (newline-delimited events).</summary>
    public static bool IsWatch(ProxyTarget target)
    {
        try
        {
            return KubernetesApiPath.Parse(target.PathAndQuery).Watch;
        }
        catch (UriFormatException)
        {
            return false;
        }
    }

    /// <summary>Replaces Secret values in <paramref name="node"/> (an object, a list, a watch event or a Table); returns how many.</summary>
    public static int Redact(JsonNode? node)
    {
        if (node is not JsonObject o)
        {
            return 0;
        }
        var count = Replace(o["data"], RedactedData) + Replace(o["stringData"], RedactedText) + LastApplied(o);
        if (o["items"] is JsonArray items)
        {
            count += items.Sum(Redact);
        }
        if (o["rows"] is JsonArray rows)
        {
            count += rows.Sum(row => Redact((row as JsonObject)?["object"]));
        }
        if (o["object"] is JsonObject inner)
        {
            count += Redact(inner);
        }
        return count;
    }

    /// <summary>Reads <paramref name="text"/> as JSON, or null.</summary>
    public static JsonNode? Parse(string text)
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

    /// <summary>Redacts the manifest in <paramref name="o"/>'s <see cref="LastAppliedAnnotation"/>; one that is not JSON is replaced whole (fail closed).</summary>
    private static int LastApplied(JsonObject o)
    {
        if (o["metadata"] is not JsonObject metadata || metadata["annotations"] is not JsonObject annotations
            || annotations[LastAppliedAnnotation] is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            return 0;
        }
        if (Parse(text) is not JsonObject applied)
        {
            annotations[LastAppliedAnnotation] = RedactedText;
            return 1;
        }
        var count = Redact(applied);
        if (count > 0)
        {
            annotations[LastAppliedAnnotation] = applied.ToJsonString();
        }
        return count;
    }

    private static int Replace(JsonNode? values, string replacement)
    {
        if (values is not JsonObject map)
        {
            return 0;
        }
        foreach (var key in map.Select(p => p.Key).ToList())
        {
            map[key] = replacement;
        }
        return map.Count;
    }
}
