namespace Vigil.Analysis.Static.Kubernetes;

/// <summary>
/// A request path split after the Kubernetes API conventions: <c>/api/v1/…</c> (core group) or
/// <c>/apis/{group}/{version}/…</c>, then optionally <c>namespaces/{ns}/</c>, then <c>{resource}[/{name}[/{subresource}]]</c>;
/// legacy <c>watch/</c> prefixes; <c>/api/v1/namespaces/{ns}</c> itself is the namespace object. Segments are
/// percent-decoded and dot segments resolved first, so <c>%73ecrets</c> is <c>secrets</c>.
/// </summary>
internal sealed class KubernetesApiPath
{
    private KubernetesApiPath() { }

    /// <summary>True for <c>/api/…</c> and <c>/apis/…</c> paths.</summary>
    internal bool IsApi { get; private init; }

    /// <summary>The API group ("" for core), or null for discovery paths.</summary>
    internal string? Group { get; private init; }

    /// <summary>The namespace, when namespaced.</summary>
    internal string? Namespace { get; private init; }

    /// <summary>The plural resource (e.g. <c>pods</c>), or null for discovery and non-resource paths.</summary>
    internal string? Resource { get; private init; }

    /// <summary>The object name, or null for a collection.</summary>
    internal string? Name { get; private init; }

    /// <summary>The subresource (<c>exec</c>, <c>scale</c>, <c>status</c>, <c>proxy</c>, …), or null.</summary>
    internal string? Subresource { get; private init; }

    /// <summary>Anything after the subresource (e.g. the kubelet path behind <c>nodes/{n}/proxy/</c>).</summary>
    internal string Rest { get; private init; } = "";

    /// <summary>True for <c>…/watch/…</c> paths or <c>?watch=true</c>.</summary>
    internal bool Watch { get; private init; }

    /// <summary>The decoded path.</summary>
    internal string Path { get; private init; } = "";

    /// <summary>Query parameters (names and values percent-decoded; repeated names kept in order).</summary>
    internal List<KeyValuePair<string, string>> Query { get; private init; } = [];

    internal string? QueryValue(string name) => Query.FirstOrDefault(q => q.Key == name).Value;

    internal static KubernetesApiPath Parse(string target)
    {
        var pathPart = target;
        var query = "";
        var q = target.IndexOf('?');
        if (q >= 0) { pathPart = target[..q]; query = target[(q + 1)..]; }
        var scheme = pathPart.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var slash = pathPart.IndexOf('/', scheme + 3);
            pathPart = slash < 0 ? "/" : pathPart[slash..];
        }
        var segments = new List<string>();
        foreach (var raw in pathPart.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var s = Uri.UnescapeDataString(raw);
            if (s == ".") continue;
            if (s == "..") { if (segments.Count > 0) segments.RemoveAt(segments.Count - 1); continue; }
            segments.Add(s);
        }
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var key = Uri.UnescapeDataString((eq < 0 ? part : part[..eq]).Replace('+', ' '));
            var value = eq < 0 ? "" : Uri.UnescapeDataString(part[(eq + 1)..].Replace('+', ' '));
            pairs.Add(new(key, value));
        }
        var path = "/" + string.Join('/', segments);
        var watchQuery = pairs.Any(p => p.Key == "watch" && p.Value is "true" or "1");
        int at;
        string group;
        if (segments.Count >= 2 && segments[0] == "api") { group = ""; at = 2; }
        else if (segments.Count >= 3 && segments[0] == "apis") { group = segments[1]; at = 3; }
        else return new KubernetesApiPath { IsApi = segments.Count > 0 && segments[0] is "api" or "apis", Path = path, Query = pairs, Watch = watchQuery };

        var watch = watchQuery;
        if (at < segments.Count && segments[at] == "watch") { watch = true; at++; }
        string? ns = null;
        if (at + 1 < segments.Count && segments[at] == "namespaces" && !(at + 2 < segments.Count && segments[at + 2] is "status" or "finalize"))
        {
            if (at + 2 < segments.Count) { ns = segments[at + 1]; at += 2; }
        }
        string? Segment(int i) => i < segments.Count ? segments[i] : null;
        return new KubernetesApiPath
        {
            IsApi = true, Group = group, Namespace = ns, Resource = Segment(at), Name = Segment(at + 1), Subresource = Segment(at + 2),
            Rest = at + 3 < segments.Count ? string.Join('/', segments.Skip(at + 3)) : "", Watch = watch, Path = path, Query = pairs,
        };
    }
}
