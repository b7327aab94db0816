using System.Text.Json;

namespace Vigil.Analysis.Static.Kubernetes;

/// <summary>
/// What a request or patch body sets, read from JSON (a merge/strategic patch, a JSON Patch array or a full object) or,
/// when it is not JSON (YAML apply bodies), from a plain text scan: <c>spec.replicas</c>, RBAC role references and
/// subjects, privileged pod settings.
/// </summary>
internal sealed class KubernetesBody
{
    /// <summary>The <c>spec.replicas</c> (or JSON Patch <c>/spec/replicas</c>) value, when set.</summary>
    internal long? Replicas { get; private set; }

    /// <summary>The <c>roleRef.name</c>, when set.</summary>
    internal string? RoleRef { get; private set; }

    /// <summary>A subject is the <c>system:masters</c> group.</summary>
    internal bool MastersSubject { get; private set; }

    /// <summary>The body grants <c>*</c> verbs or resources, or escalate/bind/impersonate.</summary>
    internal bool WildcardRules { get; private set; }

    /// <summary><c>privileged: true</c>, <c>hostPID</c>/<c>hostIPC</c>/<c>hostNetwork: true</c> or a hostPath of a sensitive host directory.</summary>
    internal string? HostAccess { get; private set; }

    /// <summary>True when the body was valid JSON.</summary>
    internal bool IsJson { get; private set; }

    internal static KubernetesBody Read(string? body)
    {
        var result = new KubernetesBody();
        if (string.IsNullOrWhiteSpace(body)) return result;
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            result.IsJson = true;
            result.Walk(doc.RootElement, parent: "", depth: 0);
        }
        catch (JsonException)
        {
            result.ScanText(body);
        }
        return result;
    }

    private void Walk(JsonElement e, string parent, int depth)
    {
        if (depth > 60) return;
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                {
                    // JSON Patch operation: {"op":"replace","path":"/spec/replicas","value":0}
                    if (e.TryGetProperty("path", out var path) && path.ValueKind == JsonValueKind.String && e.TryGetProperty("value", out var value))
                    {
                        var p = path.GetString() ?? "";
                        if (p.EndsWith("/replicas", StringComparison.Ordinal) && value.TryGetInt64(out var r)) Replicas = r;
                        if (p.EndsWith("/roleRef/name", StringComparison.Ordinal) && value.ValueKind == JsonValueKind.String) RoleRef = value.GetString();
                        if (p.EndsWith("/privileged", StringComparison.Ordinal) && value.ValueKind == JsonValueKind.True) HostAccess = "privileged: true";
                    }
                    foreach (var property in e.EnumerateObject())
                    {
                        var name = property.Name;
                        var v = property.Value;
                        if (name == "replicas" && parent is "spec" or "" && v.TryGetInt64(out var replicas)) Replicas = replicas;
                        else if (name == "name" && parent == "roleRef" && v.ValueKind == JsonValueKind.String) RoleRef = v.GetString();
                        else if (name == "privileged" && v.ValueKind == JsonValueKind.True) HostAccess = "privileged: true";
                        else if (name is "hostPID" or "hostIPC" or "hostNetwork" && v.ValueKind == JsonValueKind.True) HostAccess = name + ": true";
                        else if (name == "path" && parent == "hostPath" && v.ValueKind == JsonValueKind.String && IsSensitiveHostPath(v.GetString() ?? "")) HostAccess = "hostPath: " + v.GetString();
                        else if (name == "name" && parent == "subjects" && v.GetString() == "system:masters") MastersSubject = true;
                        else if (name is "verbs" or "resources" or "apiGroups" && v.ValueKind == JsonValueKind.Array)
                            foreach (var item in v.EnumerateArray())
                                if (item.ValueKind == JsonValueKind.String && item.GetString() is "*" or "escalate" or "bind" or "impersonate" && name != "apiGroups") WildcardRules = true;
                        Walk(v, name, depth + 1);
                    }
                    break;
                }
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray()) Walk(item, parent, depth + 1);
                break;
        }
    }

    private static bool IsSensitiveHostPath(string path) =>
        path is "/" or "/etc" or "/root" or "/var/run/docker.sock" or "/run/containerd/containerd.sock" or "/var/lib/kubelet" or "/proc" or "/dev" or "/home";

    private void ScanText(string body)
    {
        var replicas = Find(body, "replicas");
        if (replicas is not null && long.TryParse(replicas, out var r)) Replicas = r;
        if (body.Contains("cluster-admin", StringComparison.Ordinal)) RoleRef = "cluster-admin";
        if (body.Contains("system:masters", StringComparison.Ordinal)) MastersSubject = true;
        var privileged = Find(body, "privileged");
        if (privileged is "true") HostAccess = "privileged: true";
        foreach (var key in (string[])["hostPID", "hostIPC", "hostNetwork"])
            if (Find(body, key) is "true") HostAccess = key + ": true";
    }

    /// <summary>The scalar after <c>key:</c> (YAML) or <c>"key":</c> (JSON-ish), unquoted.</summary>
    private static string? Find(string text, string key)
    {
        var at = 0;
        while ((at = text.IndexOf(key, at, StringComparison.Ordinal)) >= 0)
        {
            var k = at + key.Length;
            if (k < text.Length && text[k] == '"') k++;
            while (k < text.Length && text[k] is ' ' or '\t') k++;
            if (k < text.Length && text[k] == ':')
            {
                k++;
                while (k < text.Length && text[k] is ' ' or '\t' or '"' or '\'') k++;
                var end = k;
                while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '-')) end++;
                return text[k..end];
            }
            at = k;
        }
        return null;
    }
}
