using Vigil.Analysis;
using Vigil.Analysis.Static.Kubernetes;
using Vigil.Tests.Analysis.Static.Shell;

namespace Vigil.Tests.Analysis.Static.Kubernetes;

/// <summary>HTTP requests against the Kubernetes API and other APIs.</summary>
public sealed class KubernetesHttpAnalyzerTests
{
    [Theory]
    [InlineData("GET /api/v1/namespaces/prod/pods")]
    [InlineData("GET /api/v1/namespaces/prod/pods/api-1/log?tailLines=100")]
    [InlineData("GET /apis/apps/v1/deployments?watch=true")]
    [InlineData("GET /apis/apps/v1/namespaces/prod/deployments/api HTTP/1.1")]
    [InlineData("get /api/v1/nodes")]
    [InlineData("HEAD /api/v1/namespaces")]
    [InlineData("OPTIONS /apis")]
    [InlineData("GET /healthz")]
    [InlineData("GET /version")]
    [InlineData("GET https://10.0.0.1:6443/api/v1/pods")]
    [InlineData("POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews\n{\"spec\":{}}")]
    [InlineData("DELETE /api/v1/namespaces/prod?dryRun=All")]
    [InlineData("GET /orders/42")]
    public void Low(string request) => Expect(request, RiskLevel.Low);

    [Theory]
    [InlineData("POST /apis/apps/v1/namespaces/prod/deployments/api/scale\n{\"spec\":{\"replicas\":4}}")]
    [InlineData("PATCH /apis/apps/v1/namespaces/prod/deployments/api\n{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"x\":\"y\"}}}}}")]
    [InlineData("POST /api/v1/namespaces/prod/configmaps\n{\"metadata\":{\"name\":\"x\"}}")]
    [InlineData("PUT /api/v1/namespaces/prod/configmaps/x\nContent-Type: application/json\n\n{\"data\":{}}")]
    [InlineData("DELETE /api/v1/namespaces/prod/pods/api-1")]
    [InlineData("DELETE /api/v1/namespaces/prod/configmaps/x")]
    [InlineData("POST /api/v1/namespaces/prod/pods/api/exec?command=ls&stdout=true")]
    [InlineData("GET /api/v1/namespaces/prod/pods/api/attach?stdin=true")]
    [InlineData("POST /apis/rbac.authorization.k8s.io/v1/namespaces/prod/rolebindings\n{\"roleRef\":{\"name\":\"view\"}}")]
    [InlineData("POST /api/v1/namespaces/prod/pods/api-1/eviction\n{}")]
    [InlineData("POST /v1/orders\n{\"id\":1}")]
    [InlineData("PUT /items/1")]
    [InlineData("garbage")]
    [InlineData("GET")]
    [InlineData("FOO /x")]
    [InlineData("GET relative/path")]
    [InlineData("")]
    public void Medium(string request) => Expect(request, RiskLevel.Medium);

    [Theory]
    [InlineData("DELETE /api/v1/namespaces/prod")]
    [InlineData("DELETE /api/v1/nodes/node-1")]
    [InlineData("DELETE /api/v1/namespaces/prod/pods")]
    [InlineData("DELETE /apis/apps/v1/namespaces/prod/deployments?labelSelector=app%3Dx")]
    [InlineData("DELETE /apis/apps/v1/namespaces/prod/deployments/api")]
    [InlineData("DELETE /api/v1/persistentvolumes/pv-1")]
    [InlineData("GET /api/v1/namespaces/prod/secrets")]
    [InlineData("GET /api/v1/secrets")]
    [InlineData("GET /api/v1/namespaces/kube-system/secrets/admin-token")]
    [InlineData("GET /api/v1/watch/namespaces/prod/secrets")]
    [InlineData("GET /api/v1/namespaces/prod/%73ecrets")]
    [InlineData("GET /api/v1/namespaces/prod/pods/../secrets")]
    [InlineData("PATCH /apis/apps/v1/namespaces/prod/deployments/api\n{\"spec\":{\"replicas\":0}}")]
    [InlineData("PUT /apis/apps/v1/namespaces/prod/deployments/api/scale\n{\"spec\":{\"replicas\":0}}")]
    [InlineData("PATCH /apis/apps/v1/namespaces/prod/statefulsets/db\n[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":0}]")]
    [InlineData("PATCH /apis/apps/v1/namespaces/prod/deployments/api\nspec:\n  replicas: 0\n")]
    [InlineData("POST /apis/rbac.authorization.k8s.io/v1/clusterrolebindings\n{\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"eve\"}]}")]
    [InlineData("POST /apis/rbac.authorization.k8s.io/v1/clusterroles\n{\"rules\":[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]}")]
    [InlineData("POST /api/v1/namespaces/prod/pods\n{\"spec\":{\"containers\":[{\"securityContext\":{\"privileged\":true}}]}}")]
    [InlineData("POST /api/v1/namespaces/prod/pods\n{\"spec\":{\"volumes\":[{\"hostPath\":{\"path\":\"/\"}}]}}")]
    [InlineData("POST /api/v1/namespaces/prod/serviceaccounts/default/token\n{}")]
    [InlineData("POST /api/v1/namespaces/prod/pods/api/exec?command=rm&command=-rf&command=/")]
    [InlineData("GET /api/v1/nodes/node-1/proxy/run/prod/api/app")]
    [InlineData("DELETE /v1/users/42")]
    [InlineData("GET /v1/secret/data/db")]
    public void High(string request) => Expect(request, RiskLevel.High);

    private static void Expect(string request, RiskLevel level)
    {
        var verdict = KubernetesHttpAnalyzer.Analyze(request);
        verdict.Level.Should().Be(level, "'{0}' got '{1}': {2}", request, verdict.Title, verdict.Explanation);
        ShellFuzzTests.WellFormed(verdict, request);
    }
}
