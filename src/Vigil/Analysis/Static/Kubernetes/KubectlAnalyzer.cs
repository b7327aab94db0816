using Vigil.Analysis.Static.Shell;

namespace Vigil.Analysis.Static.Kubernetes;

/// <summary>
/// Deterministic risk analysis of a <c>kubectl</c> command line (verbs and flags as documented in the kubectl
/// reference; resources as in the Kubernetes API conventions). Reads are Low except secrets and raw kubeconfig;
/// namespace, node, workload, storage and bulk deletes, scale to zero and RBAC grants of cluster-admin are High;
/// other changes are Medium. <c>exec … -- CMD</c> and <c>run … -- CMD</c> also get the shell analyzer's verdict on CMD.
/// </summary>
public static class KubectlAnalyzer
{
    private static readonly HashSet<string> ReadVerbs = new(StringComparer.Ordinal)
    {
        "logs", "top", "explain", "version", "api-resources", "api-versions", "events", "wait", "diff", "kustomize", "completion",
        "options", "help", "plugin", "cluster-info",
    };

    private static readonly HashSet<string> ChangeVerbs = new(StringComparer.Ordinal)
    {
        "apply", "replace", "edit", "set", "label", "annotate", "cordon", "uncordon", "port-forward", "cp", "expose", "attach", "taint",
        "certificate", "proxy", "autoscale",
    };

    /// <summary>Classifies a kubectl command line. Lines that are not a single kubectl command (pipes, lists, other
    /// programs) are handed to <see cref="ShellAnalyzer"/>, which routes their kubectl parts back here. Never throws.</summary>
    public static StaticVerdict Analyze(string commandLine)
    {
        commandLine ??= "";
        var script = ShellTokenizer.Parse(commandLine);
        if (script.Commands.Count == 1 && script.Commands[0] is { Redirections.Count: 0 } only && only.Words.Count > 0)
        {
            var argv = only.Words.Select(w => w.Text).ToList();
            var name = ShellArgs.Base(argv[0]);
            if (name is "kubectl" or "oc") return Analyze(argv);
            if (IsVerb(argv[0])) return Analyze(["kubectl", .. argv]);
        }
        if (script.Commands.Count == 0) return Verdicts.Low("Empty command", "No command to run.");
        return ShellAnalyzer.Analyze(commandLine);
    }

    /// <summary>Classifies a kubectl argv; <c>argv[0]</c> is <c>kubectl</c>.</summary>
    public static StaticVerdict Analyze(IReadOnlyList<string> argv)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0) return Verdicts.Low("Empty command", "No command to run.");
        var c = KubectlCommand.Parse(argv);
        var evidence = Verdicts.Clip(ShellArgs.Join(argv is string[] array ? array : [.. argv], 0, 10));
        var verdict = Classify(c, evidence);
        if (c.Flag("as-group") is { } group && group.Contains("system:masters", StringComparison.Ordinal) || c.Flag("as") is "system:admin")
            verdict = Verdicts.Worse(verdict, Verdicts.High("Privilege escalation", "Impersonates the system:masters group, which bypasses all authorization.", evidence))!;
        else if (c.Has("as") || c.Has("as-group"))
            verdict = Verdicts.Worse(verdict, Verdicts.Medium("Impersonation", "Acts as another user or group through impersonation.", evidence))!;
        return verdict;
    }

    private static bool IsVerb(string word) =>
        ReadVerbs.Contains(word) || ChangeVerbs.Contains(word) || word is "get" or "describe" or "delete" or "scale" or "rollout" or "create" or "patch" or "exec" or "run" or "drain" or "debug" or "auth" or "config";

    private static StaticVerdict Classify(KubectlCommand c, string evidence)
    {
        if (c.Has("help") || c.Verb is "" or "help") return Verdicts.Low("Read-only diagnostic", "Shows kubectl help or version.");
        var dryRun = c.Flag("dry-run");
        if (dryRun is "" or "client" or "server" or "true" && c.Verb is not ("get" or "describe" or "logs" or "exec" or "config"))
            return Verdicts.Low("Dry run", "Runs with --dry-run, so nothing in the cluster changes.", evidence);
        var ns = c.Flag("namespace");
        var allNamespaces = c.Has("all-namespaces");
        switch (c.Verb)
        {
            case "get" or "describe":
                {
                    if (c.Flag("raw") is { Length: > 0 } raw) return KubernetesHttpAnalyzer.Analyze("GET " + raw);
                    var (types, _) = c.Resources();
                    if (types.Contains("secrets"))
                        return Verdicts.High("Credential access", "Reads Kubernetes secrets, which hold passwords, tokens and keys.", evidence);
                    return Verdicts.Low("Read-only diagnostic", "Reads cluster state without changing it.");
                }
            case "config":
                {
                    var sub = c.Args.FirstOrDefault() ?? "view";
                    if (sub == "view" && c.Has("raw"))
                        return Verdicts.High("Credential access", "Prints the kubeconfig with its embedded tokens and client keys.", evidence);
                    return sub is "view" or "get-contexts" or "current-context" or "get-clusters" or "get-users"
                        ? Verdicts.Low("Read-only diagnostic", "Shows kubeconfig settings (credentials redacted).")
                        : Verdicts.Medium("Kubeconfig change", "Changes the local kubeconfig (contexts, clusters or credentials).", evidence);
                }
            case "auth":
                return c.Args.FirstOrDefault() is "reconcile"
                    ? Verdicts.Medium("RBAC change", "Reconciles RBAC roles and bindings from a file.", evidence)
                    : Verdicts.Low("Read-only diagnostic", "Checks permissions without changing anything.");
            case "cluster-info" when c.Args.FirstOrDefault() == "dump":
                return Verdicts.Medium("Cluster dump", "Dumps cluster state and logs of every pod, a broad read.", evidence);
            case "rollout":
                return c.Args.FirstOrDefault() is "status" or "history"
                    ? Verdicts.Low("Read-only diagnostic", "Reads rollout status or history.")
                    : Verdicts.Medium("Rollout change", "Restarts, rolls back, pauses or resumes a workload rollout.", evidence);
            case "delete":
                return Delete(c, evidence, allNamespaces);
            case "scale":
                {
                    var replicas = c.Flag("replicas");
                    if (replicas is not null && long.TryParse(replicas, out var n) && n == 0)
                        return Verdicts.High("Scale to zero", "Scales the workload to zero replicas, taking the service down.", evidence);
                    return Verdicts.Medium("Capacity change", "Changes the number of replicas of a workload.", evidence);
                }
            case "create":
                return Create(c, evidence);
            case "patch":
                {
                    var body = KubernetesBody.Read(c.Flag("patch"));
                    if (body.Replicas == 0) return Verdicts.High("Scale to zero", "Patches replicas to zero, taking the service down.", evidence);
                    if (body.RoleRef is "cluster-admin" or "admin" || body.MastersSubject)
                        return Verdicts.High("Privilege escalation", "Patches a binding to grant cluster-admin rights.", evidence);
                    if (body.HostAccess is { } host) return Verdicts.High("Privileged pod", "Patches a workload to run privileged or with host access (" + host + ").", evidence);
                    return Verdicts.Medium("Resource change", "Patches a resource in the cluster.", evidence);
                }
            case "exec":
                {
                    StaticVerdict v = Verdicts.Medium("Command in pod", "Runs a command or shell inside a running container.", evidence);
                    var inner = c.Tail ?? (c.Args.Count > 1 ? c.Args.Skip(1).ToList() : null);
                    return inner is { Count: > 0 } ? Verdicts.Worse(v, ShellAnalyzer.Analyze(inner))! : v;
                }
            case "run":
                {
                    var body = KubernetesBody.Read(c.Flag("overrides"));
                    if (c.Has("privileged") && c.Flag("privileged") is not "false" || body.HostAccess is not null)
                        return Verdicts.High("Privileged pod", "Starts a privileged pod or one with host access, which gives root on the node.", evidence);
                    StaticVerdict v = Verdicts.Medium("Pod creation", "Starts a new pod in the cluster.", evidence);
                    return c.Tail is { Count: > 0 } tail ? Verdicts.Worse(v, ShellAnalyzer.Analyze(tail))! : v;
                }
            case "debug":
                return c.Args.Any(a => a.StartsWith("node/", StringComparison.Ordinal) || a.StartsWith("nodes/", StringComparison.Ordinal)) || c.Flag("profile") is "sysadmin"
                    ? Verdicts.High("Node host access", "Starts a debug pod with the node's root filesystem and namespaces: root on the host.", evidence, certain: false)
                    : Verdicts.Medium("Debug container", "Attaches a debug container to a pod.", evidence);
            case "drain":
                return c.Has("force") || c.Has("delete-emptydir-data") || c.Has("delete-local-data") || c.Has("disable-eviction") || c.Flag("grace-period") is "0"
                    ? Verdicts.High("Forced node drain", "Drains a node forcibly: unmanaged pods and emptyDir data are deleted, disruption budgets may be bypassed.", evidence)
                    : Verdicts.Medium("Node drain", "Evicts every pod from a node, honouring disruption budgets; reversible with uncordon.", evidence);
            case "certificate":
                return Verdicts.Medium("Certificate approval", "Approves or denies a certificate signing request, which can mint credentials.", evidence);
        }
        if (ReadVerbs.Contains(c.Verb)) return Verdicts.Low("Read-only diagnostic", "Reads cluster state without changing it.");
        if (ChangeVerbs.Contains(c.Verb)) return Verdicts.Medium("Cluster change", "Changes resources in the cluster (" + c.Verb + ").", evidence);
        return Verdicts.Medium("Unrecognized kubectl verb", "The analyzer does not know this kubectl verb or plugin.", evidence);
    }

    private static StaticVerdict Delete(KubectlCommand c, string evidence, bool allNamespaces)
    {
        var (types, names) = c.Resources();
        if (types.Contains("namespaces"))
            return Verdicts.High("Namespace deletion", "Deletes a namespace and every resource in it.", evidence);
        if (allNamespaces)
            return Verdicts.High("Cluster-wide delete", "Deletes across all namespaces.", evidence);
        if (c.Has("all") && c.Flag("all") is not "false")
            return Verdicts.High("Mass delete", "Deletes every resource of the type in the namespace: an outage.", evidence);
        if (c.Has("selector") || c.Has("field-selector"))
            return Verdicts.High("Bulk delete", "Deletes every resource matching a selector.", evidence, certain: false);
        if (c.Has("filename") || c.Has("kustomize"))
            return Verdicts.High("Manifest delete", "Deletes every resource in a manifest the analyzer cannot see.", evidence, certain: false);
        if (types.Count == 0)
            return Verdicts.Medium("Resource deletion", "Deletes resources in the cluster.", evidence);
        var lasting = types.FirstOrDefault(t => !KubernetesResources.IsDisposable(t));
        if (lasting is not null)
            return Verdicts.High(lasting is "nodes" ? "Node deletion" : lasting is "persistentvolumes" or "persistentvolumeclaims" ? "Storage deletion" : "Resource deletion",
                "Deletes " + lasting + ", which no controller recreates: an outage or data loss.", evidence);
        return Verdicts.Medium(types.Contains("pods") ? "Pod deletion" : "Resource deletion",
            names > 1 ? "Deletes several objects that a controller recreates or that hold no lasting data." : "Deletes one object that a controller recreates or that holds no lasting data.", evidence);
    }

    private static StaticVerdict Create(KubectlCommand c, string evidence)
    {
        var sub = KubernetesResources.Normalize(c.Args.FirstOrDefault() ?? "");
        switch (sub)
        {
            case "clusterrolebindings" or "rolebindings":
                {
                    var role = c.Flag("clusterrole") ?? c.Flag("role") ?? "";
                    if (role is "cluster-admin" or "admin" || (c.Flag("group") ?? "").Contains("system:masters", StringComparison.Ordinal))
                        return Verdicts.High("Privilege escalation", "Binds a subject to " + (role.Length > 0 ? role : "system:masters") + ", granting full control.", evidence);
                    return Verdicts.Medium("RBAC change", "Grants a role to a user, group or service account.", evidence);
                }
            case "clusterroles" or "roles":
                {
                    var verbs = c.Flag("verb") ?? "";
                    var resources = c.Flag("resource") ?? "";
                    if (verbs.Contains('*', StringComparison.Ordinal) && resources.Contains('*', StringComparison.Ordinal)
                        || verbs.Contains("escalate", StringComparison.Ordinal) || verbs.Contains("bind", StringComparison.Ordinal) || verbs.Contains("impersonate", StringComparison.Ordinal))
                        return Verdicts.High("Privilege escalation", "Creates a role with wildcard or escalation permissions.", evidence);
                    return Verdicts.Medium("RBAC change", "Creates a role.", evidence);
                }
            case "token":
                return Verdicts.High("Credential minting", "Mints a bearer token for a service account.", evidence);
            default:
                return Verdicts.Medium("Resource creation", "Creates resources in the cluster.", evidence);
        }
    }
}
