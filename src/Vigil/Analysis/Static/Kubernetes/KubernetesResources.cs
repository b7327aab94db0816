namespace Vigil.Analysis.Static.Kubernetes;

/// <summary>
/// Resource type names as kubectl and the API accept them (plural, singular, short names, <c>type.group</c>),
/// normalized to the API's plural resource name, and what deleting one means.
/// </summary>
internal static class KubernetesResources
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["po"] = "pods", ["pod"] = "pods", ["svc"] = "services", ["service"] = "services", ["deploy"] = "deployments", ["deployment"] = "deployments",
        ["ns"] = "namespaces", ["namespace"] = "namespaces", ["no"] = "nodes", ["node"] = "nodes", ["pv"] = "persistentvolumes",
        ["persistentvolume"] = "persistentvolumes", ["pvc"] = "persistentvolumeclaims", ["persistentvolumeclaim"] = "persistentvolumeclaims",
        ["crd"] = "customresourcedefinitions", ["crds"] = "customresourcedefinitions", ["customresourcedefinition"] = "customresourcedefinitions",
        ["secret"] = "secrets", ["sa"] = "serviceaccounts", ["serviceaccount"] = "serviceaccounts", ["cm"] = "configmaps", ["configmap"] = "configmaps",
        ["rs"] = "replicasets", ["replicaset"] = "replicasets", ["sts"] = "statefulsets", ["statefulset"] = "statefulsets", ["ds"] = "daemonsets",
        ["daemonset"] = "daemonsets", ["job"] = "jobs", ["cj"] = "cronjobs", ["cronjob"] = "cronjobs", ["ing"] = "ingresses", ["ingress"] = "ingresses",
        ["clusterrole"] = "clusterroles", ["clusterrolebinding"] = "clusterrolebindings", ["role"] = "roles", ["rolebinding"] = "rolebindings",
        ["ev"] = "events", ["event"] = "events", ["ep"] = "endpoints", ["hpa"] = "horizontalpodautoscalers", ["horizontalpodautoscaler"] = "horizontalpodautoscalers",
        ["netpol"] = "networkpolicies", ["networkpolicy"] = "networkpolicies", ["pdb"] = "poddisruptionbudgets", ["poddisruptionbudget"] = "poddisruptionbudgets",
        ["sc"] = "storageclasses", ["storageclass"] = "storageclasses", ["rc"] = "replicationcontrollers", ["replicationcontroller"] = "replicationcontrollers",
        ["csr"] = "certificatesigningrequests", ["certificatesigningrequest"] = "certificatesigningrequests", ["limits"] = "limitranges",
        ["quota"] = "resourcequotas", ["mutatingwebhookconfiguration"] = "mutatingwebhookconfigurations",
        ["validatingwebhookconfiguration"] = "validatingwebhookconfigurations", ["lease"] = "leases", ["endpointslice"] = "endpointslices",
    };

    /// <summary>Resources a controller recreates or that hold no lasting state: deleting one is a scoped, recoverable change.</summary>
    private static readonly HashSet<string> Disposable = new(StringComparer.Ordinal)
    {
        "pods", "jobs", "events", "replicasets", "endpoints", "endpointslices", "leases", "configmaps", "secrets", "horizontalpodautoscalers",
        "poddisruptionbudgets", "limitranges", "resourcequotas", "cronjobs", "networkpolicies", "serviceaccounts",
    };

    private static readonly HashSet<string> Workloads = new(StringComparer.Ordinal)
    {
        "deployments", "statefulsets", "replicasets", "replicationcontrollers", "daemonsets",
    };

    /// <summary>The plural API name: <c>deploy</c>, <c>Deployment</c>, <c>deployments.apps</c> → <c>deployments</c>.</summary>
    internal static string Normalize(string type)
    {
        var t = type.Trim();
        var dot = t.IndexOf('.');
        if (dot > 0) t = t[..dot];
        t = t.ToLowerInvariant();
        return Aliases.TryGetValue(t, out var plural) ? plural : t;
    }

    /// <summary>True when deleting one such object is recoverable (a controller recreates it, or it holds no data).</summary>
    internal static bool IsDisposable(string plural) => Disposable.Contains(plural);

    /// <summary>True for workload controllers that have replicas.</summary>
    internal static bool IsWorkload(string plural) => Workloads.Contains(plural);
}
