namespace Vigil.Analysis.Static.Kubernetes;

/// <summary>
/// A kubectl argv split into verb, positional arguments, flags and the command after <c>--</c>, following kubectl's
/// pflag syntax: <c>--flag=value</c>, <c>--flag value</c> for flags that take one, <c>-n prod</c>, <c>-nprod</c>,
/// boolean clusters such as <c>-it</c>.
/// </summary>
internal sealed class KubectlCommand
{
    /// <summary>Long flags that take a value (the short forms map to these in <see cref="ShortFlags"/>).</summary>
    private static readonly HashSet<string> ValueFlags = new(StringComparer.Ordinal)
    {
        "namespace", "context", "cluster", "user", "kubeconfig", "server", "token", "as", "as-group", "as-uid", "request-timeout",
        "selector", "output", "filename", "container", "field-selector", "replicas", "image", "tail", "since", "since-time", "clusterrole",
        "role", "group", "serviceaccount", "patch", "type", "grace-period", "timeout", "kustomize", "to-revision", "port", "sort-by",
        "template", "label-columns", "chunk-size", "overrides", "restart", "env", "limits", "requests", "current-replicas",
        "resource-version", "profile", "target", "certificate-authority", "client-certificate", "client-key", "field-manager",
        "max", "min", "cpu-percent", "name", "labels", "pod-running-timeout", "subresource", "for", "limit-bytes", "verb", "resource",
        "resource-name", "copy-to", "attach", "duration", "audience", "bound-object-kind", "bound-object-name", "from-literal", "from-file",
        "from-env-file", "docker-server", "docker-username", "docker-password", "docker-email", "cert", "key", "schedule",
    };

    private static readonly Dictionary<char, string> ShortFlags = new()
    {
        ['n'] = "namespace", ['o'] = "output", ['f'] = "filename", ['l'] = "selector", ['c'] = "container", ['k'] = "kustomize",
        ['L'] = "label-columns", ['s'] = "server", ['A'] = "all-namespaces", ['i'] = "stdin", ['t'] = "tty", ['w'] = "watch",
        ['R'] = "recursive", ['q'] = "quiet", ['p'] = "previous", ['h'] = "help", ['a'] = "all-containers",
    };

    private KubectlCommand() { }

    /// <summary>The first positional word (<c>get</c>, <c>delete</c>, …), lower case; "" when there is none.</summary>
    internal string Verb { get; private set; } = "";

    /// <summary>Positional words after the verb.</summary>
    internal List<string> Args { get; } = [];

    /// <summary>Flags by long name; boolean flags map to "" (or their <c>=value</c>).</summary>
    internal Dictionary<string, string> Flags { get; } = new(StringComparer.Ordinal);

    /// <summary>Words after <c>--</c> (the command of <c>exec</c>, <c>run</c>, <c>debug</c>).</summary>
    internal List<string>? Tail { get; private set; }

    internal bool Has(string flag) => Flags.ContainsKey(flag);

    internal string? Flag(string flag) => Flags.TryGetValue(flag, out var v) ? v : null;

    /// <summary>Parses <paramref name="argv"/>; <c>argv[0]</c> is <c>kubectl</c> (or <c>oc</c>) and is skipped.</summary>
    internal static KubectlCommand Parse(IReadOnlyList<string> argv)
    {
        var c = new KubectlCommand();
        for (var k = 1; k < argv.Count; k++)
        {
            var w = argv[k];
            if (w == "--") { c.Tail = [.. argv.Skip(k + 1)]; break; }
            if (w.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = w.IndexOf('=');
                var name = eq > 0 ? w[2..eq] : w[2..];
                if (eq > 0) c.Flags[name] = w[(eq + 1)..];
                else if ((ValueFlags.Contains(name) || (name == "raw" && k + 1 < argv.Count && argv[k + 1].StartsWith('/'))) && k + 1 < argv.Count) c.Flags[name] = argv[++k];
                else c.Flags[name] = "";
                continue;
            }
            if (w.Length > 1 && w[0] == '-')
            {
                for (var j = 1; j < w.Length; j++)
                {
                    var name = ShortFlags.TryGetValue(w[j], out var longName) ? longName : w[j].ToString();
                    if (w[j] == 'p' && c.Verb == "patch") name = "patch";
                    if (ValueFlags.Contains(name))
                    {
                        var rest = w[(j + 1)..].TrimStart('=');
                        c.Flags[name] = rest.Length > 0 ? rest : (k + 1 < argv.Count ? argv[++k] : "");
                        break;
                    }
                    c.Flags[name] = "";
                }
                continue;
            }
            if (c.Verb.Length == 0) c.Verb = w.ToLowerInvariant();
            else c.Args.Add(w);
        }
        return c;
    }

    /// <summary>The resource types and object names of <c>get</c>/<c>delete</c>/…: <c>pods a b</c>, <c>pod/a</c>, <c>pods,svc</c>.</summary>
    internal (List<string> Types, int Names) Resources(int from = 0)
    {
        var types = new List<string>();
        var names = 0;
        for (var k = from; k < Args.Count; k++)
        {
            var a = Args[k];
            var slash = a.IndexOf('/');
            if (slash > 0)
            {
                types.Add(KubernetesResources.Normalize(a[..slash]));
                names++;
            }
            else if (k == from) types.AddRange(a.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(KubernetesResources.Normalize));
            else names++;
        }
        return (types, names);
    }
}
