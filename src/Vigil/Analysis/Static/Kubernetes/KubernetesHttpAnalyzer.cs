using Vigil.Analysis.Static.Shell;

namespace Vigil.Analysis.Static.Kubernetes;

/// <summary>
/// Deterministic risk analysis of an HTTP request written as <c>METHOD PATH</c> (an optional <c>HTTP/1.1</c>), then
/// optionally a newline and a JSON (or YAML) body; header lines before a blank line are skipped. Kubernetes API paths
/// (see <see cref="KubernetesApiPath"/>) are judged by verb, resource, subresource and body: reads are Low except
/// secrets; namespace, node, collection and lasting-resource deletes are High; scale to zero, cluster-admin bindings,
/// privileged pods and token minting are High; exec/attach are Medium plus the exec'd command's verdict; nodes/proxy is
/// High (it reaches the kubelet API, which can exec in every pod on the node). Other paths: reads Low, DELETE High
/// (irreversible with unknown scope), other writes Medium. Malformed requests are Medium. Never throws.
/// </summary>
public static class KubernetesHttpAnalyzer
{
    /// <summary>Longer request lines are refused rather than parsed (Kestrel's default limit is 8 KiB too).</summary>
    private const int MaxRequestLine = 8192;

    private static readonly HashSet<string> Methods = new(StringComparer.Ordinal)
    {
        "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "TRACE",
    };

    /// <summary>Classifies one request. Never throws.</summary>
    public static StaticVerdict Analyze(string request)
    {
        request ??= "";
        var newline = request.IndexOf('\n');
        var line = (newline < 0 ? request : request[..newline]).Trim();
        if (line.Length > MaxRequestLine)
            return Verdicts.Medium("Malformed request", "The request line is longer than any real API request; it was not analyzed.", Verdicts.Clip(line));
        var body = newline < 0 ? null : Body(request[(newline + 1)..]);
        var parts = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is < 2 or > 3 || (parts.Length == 3 && !parts[2].StartsWith("HTTP/", StringComparison.OrdinalIgnoreCase)))
            return Verdicts.Medium("Malformed request", "Expected 'METHOD PATH' on the first line; the request could not be analyzed.", Verdicts.Clip(line));
        var method = parts[0].ToUpperInvariant();
        var target = parts[1];
        if (!Methods.Contains(method) || !(target.StartsWith('/') || target.Contains("://", StringComparison.Ordinal)))
            return Verdicts.Medium("Malformed request", "Unknown HTTP method or a path that does not start with '/'.", Verdicts.Clip(line));
        KubernetesApiPath path;
        try { path = KubernetesApiPath.Parse(target); }
        catch (UriFormatException) { return Verdicts.Medium("Malformed request", "The path has invalid percent-encoding.", Verdicts.Clip(line)); }
        var evidence = Verdicts.Clip(method + " " + path.Path);
        if (method == "TRACE" || method == "CONNECT")
            return Verdicts.Medium("Unusual HTTP method", "TRACE and CONNECT are not used by normal API clients.", evidence);
        return path.Resource is null
            ? NonResource(method, path, evidence)
            : Resource(method, path, body, evidence);
    }

    private static string? Body(string rest)
    {
        var trimmed = rest.TrimStart('\r', '\n', ' ', '\t');
        if (trimmed.Length == 0) return null;
        if (trimmed[0] is '{' or '[') return trimmed;
        // Header lines (Name: value) up to a blank line, then the body.
        var blank = rest.IndexOf("\n\n", StringComparison.Ordinal);
        if (blank < 0) blank = rest.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var firstLine = trimmed.Split('\n')[0];
        var colon = firstLine.IndexOf(':');
        if (blank >= 0 && colon > 0 && !firstLine[..colon].Contains(' ', StringComparison.Ordinal)) return rest[(blank + 2)..].Trim();
        return trimmed;
    }

    private static StaticVerdict NonResource(string method, KubernetesApiPath path, string evidence)
    {
        if (method is "GET" or "HEAD" or "OPTIONS")
        {
            var lower = path.Path.ToLowerInvariant();
            if (!path.IsApi && (lower.Contains("/secret", StringComparison.Ordinal) || lower.Contains("/credentials", StringComparison.Ordinal) || lower.Contains("/passwords", StringComparison.Ordinal)))
                return Verdicts.High("Credential access", "Reads an endpoint that serves secrets or credentials.", evidence, certain: false);
            return Verdicts.Low("Read-only request", "A read-only HTTP request.");
        }
        if (method == "DELETE")
            return Verdicts.High("Irreversible delete", "Deletes through an API whose scope the analyzer cannot see; deletes are usually irreversible.", evidence, certain: false);
        return Verdicts.Medium("State-changing request", "Writes through the API; the effect depends on the service.", evidence);
    }

    private static StaticVerdict Resource(string method, KubernetesApiPath path, string? bodyText, string evidence)
    {
        var resource = KubernetesResources.Normalize(path.Resource!);
        var sub = path.Subresource;
        var dryRun = path.QueryValue("dryRun") is { Length: > 0 };

        // Subresources that run code or reach the node, whatever the method (exec and attach upgrade from GET or POST).
        if (resource == "pods" && sub is "exec" or "attach")
        {
            StaticVerdict v = Verdicts.Medium(sub == "exec" ? "Command in pod" : "Attach to pod", "Runs a command in, or attaches to, a running container.", evidence);
            var command = path.Query.Where(q => q.Key == "command").Select(q => q.Value).ToList();
            return command.Count > 0 ? Verdicts.Worse(v, ShellAnalyzer.Analyze(command))! : v;
        }
        if (resource == "nodes" && sub == "proxy")
            return Verdicts.High("Kubelet API access", "nodes/proxy reaches the kubelet API, which can run commands in every pod on the node.", evidence, certain: false);
        if (resource == "serviceaccounts" && sub == "token" && method == "POST")
            return Verdicts.High("Credential minting", "Mints a bearer token for a service account.", evidence);

        if (method is "GET" or "HEAD" or "OPTIONS" || path.Watch)
        {
            if (resource == "secrets")
                return Verdicts.High("Credential access", "Reads Kubernetes secrets, which hold passwords, tokens and keys.", evidence);
            return Verdicts.Low("Read-only request", "Reads cluster state without changing it.");
        }
        if (dryRun) return Verdicts.Low("Dry run", "The request sets dryRun, so nothing is persisted.", evidence);
        if (method == "POST" && resource is "selfsubjectaccessreviews" or "selfsubjectrulesreviews" or "subjectaccessreviews" or "localsubjectaccessreviews" or "tokenreviews" or "selfsubjectreviews")
            return Verdicts.Low("Read-only request", "An authorization or token review: a read-only check sent as POST.");
        if (method == "DELETE") return Delete(path, resource, evidence);

        var body = KubernetesBody.Read(bodyText);
        if (body.Replicas == 0 && (sub == "scale" || KubernetesResources.IsWorkload(resource)))
            return Verdicts.High("Scale to zero", "Sets replicas to zero, taking the service down.", evidence + " replicas: 0");
        if (resource is "clusterrolebindings" or "rolebindings" && (body.RoleRef is "cluster-admin" or "admin" || body.MastersSubject))
            return Verdicts.High("Privilege escalation", "Creates or changes a binding that grants " + (body.RoleRef ?? "system:masters") + ": full control.", evidence);
        if (resource is "clusterroles" or "roles" && body.WildcardRules)
            return Verdicts.High("Privilege escalation", "Grants wildcard or escalate/bind/impersonate permissions.", evidence);
        if (body.HostAccess is { } host)
            return Verdicts.High("Privileged pod", "Runs a pod privileged or with host access (" + host + "), which gives root on the node.", evidence);
        if (resource == "certificatesigningrequests" && sub == "approval")
            return Verdicts.High("Certificate approval", "Approves a certificate signing request, minting cluster credentials.", evidence, certain: false);
        if (sub == "scale" || body.Replicas is not null)
            return Verdicts.Medium("Capacity change", "Changes the number of replicas of a workload.", evidence);
        if (resource is "clusterrolebindings" or "rolebindings" or "clusterroles" or "roles")
            return Verdicts.Medium("RBAC change", "Changes roles or role bindings.", evidence);
        if (resource == "pods" && sub == "eviction")
            return Verdicts.Medium("Pod eviction", "Evicts a pod; its controller recreates it elsewhere.", evidence);
        return Verdicts.Medium("Cluster change", "Creates or changes a resource in the cluster.", evidence);
    }

    private static StaticVerdict Delete(KubernetesApiPath path, string resource, string evidence)
    {
        if (resource == "namespaces")
            return Verdicts.High("Namespace deletion", "Deletes a namespace and every resource in it.", evidence);
        if (path.Name is null)
            return Verdicts.High("Collection delete", "Deletes a whole collection of " + resource + (path.Namespace is null ? " across the cluster." : " in the namespace."), evidence);
        if (resource == "nodes")
            return Verdicts.High("Node deletion", "Removes a node from the cluster.", evidence);
        if (path.Subresource is not null)
            return Verdicts.Medium("Resource change", "Deletes through a subresource.", evidence);
        if (!KubernetesResources.IsDisposable(resource))
            return Verdicts.High("Resource deletion", "Deletes " + resource + ", which no controller recreates: an outage or data loss.", evidence);
        return Verdicts.Medium(resource == "pods" ? "Pod deletion" : "Resource deletion", "Deletes one object that a controller recreates or that holds no lasting data.", evidence);
    }
}
