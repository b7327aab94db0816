using Vigil.Analysis;
using Vigil.Analysis.Static.Kubernetes;
using Vigil.Tests.Analysis.Static.Shell;

namespace Vigil.Tests.Analysis.Static.Kubernetes;

/// <summary>kubectl verbs, resources and flags.</summary>
public sealed class KubectlAnalyzerTests
{
    [Theory]
    [InlineData("kubectl get pods -n prod")]
    [InlineData("kubectl get pods -o wide --all-namespaces")]
    [InlineData("kubectl get all -A")]
    [InlineData("kubectl get configmap app -o yaml")]
    [InlineData("kubectl describe deployment api -n prod")]
    [InlineData("kubectl logs api-7d9f -n prod --tail=100")]
    [InlineData("kubectl logs -p api-7d9f")]
    [InlineData("kubectl top nodes")]
    [InlineData("kubectl explain pods.spec")]
    [InlineData("kubectl version")]
    [InlineData("kubectl api-resources")]
    [InlineData("kubectl auth can-i '*' '*'")]
    [InlineData("kubectl config view")]
    [InlineData("kubectl config get-contexts")]
    [InlineData("kubectl rollout status deployment/api")]
    [InlineData("kubectl --context prod -n kube-system get events --sort-by=.lastTimestamp")]
    [InlineData("kubectl delete namespace prod --dry-run=client")]
    [InlineData("kubectl --help")]
    [InlineData("get pods -n prod")]
    public void Low(string line) => Expect(line, RiskLevel.Low);

    [Theory]
    [InlineData("kubectl rollout restart deployment/api -n prod")]
    [InlineData("kubectl rollout undo deployment/api")]
    [InlineData("kubectl scale deployment api --replicas=6 -n prod")]
    [InlineData("kubectl scale deploy/api --replicas 2")]
    [InlineData("kubectl apply -f deploy.yaml -n prod")]
    [InlineData("kubectl create deployment web --image=nginx")]
    [InlineData("kubectl create rolebinding x --clusterrole=view --user=bob")]
    [InlineData("kubectl edit deployment api")]
    [InlineData("kubectl patch deployment api -p '{\"spec\":{\"replicas\":3}}'")]
    [InlineData("kubectl set image deployment/api api=api:v2")]
    [InlineData("kubectl label pod x a=b")]
    [InlineData("kubectl annotate pod x a=b")]
    [InlineData("kubectl cordon node-3")]
    [InlineData("kubectl uncordon node-3")]
    [InlineData("kubectl exec -it api-7d9f -n prod -- /bin/sh")]
    [InlineData("kubectl exec api -- ls /app")]
    [InlineData("kubectl port-forward svc/api 8080:80")]
    [InlineData("kubectl cp prod/api:/tmp/x ./x")]
    [InlineData("kubectl run tmp --image=busybox -it --rm -- sh")]
    [InlineData("kubectl delete pod api-7d9f -n prod")]
    [InlineData("kubectl delete pod/api-7d9f")]
    [InlineData("kubectl delete job migrate-1")]
    [InlineData("kubectl drain node-3 --ignore-daemonsets")]
    [InlineData("kubectl frobnicate")]
    public void Medium(string line) => Expect(line, RiskLevel.Medium);

    [Theory]
    [InlineData("kubectl delete namespace prod")]
    [InlineData("kubectl delete ns/prod")]
    [InlineData("kubectl delete pods --all -n prod")]
    [InlineData("kubectl delete pods -A --all")]
    [InlineData("kubectl delete deploy --all-namespaces -l app=x")]
    [InlineData("kubectl delete pods -l app=api")]
    [InlineData("kubectl delete node node-3")]
    [InlineData("kubectl delete pv pv-1")]
    [InlineData("kubectl delete pvc data-db-0")]
    [InlineData("kubectl delete crd foos.example.com")]
    [InlineData("kubectl delete deployment api -n prod")]
    [InlineData("kubectl delete deployments.apps/api")]
    [InlineData("kubectl delete statefulset db")]
    [InlineData("kubectl delete svc api")]
    [InlineData("kubectl delete -f app.yaml")]
    [InlineData("kubectl scale deployment api --replicas=0 -n prod")]
    [InlineData("kubectl scale statefulset db --replicas 0")]
    [InlineData("kubectl patch deployment api -p '{\"spec\":{\"replicas\":0}}'")]
    [InlineData("kubectl get secrets -n prod -o yaml")]
    [InlineData("kubectl get secret db -o jsonpath='{.data.password}'")]
    [InlineData("kubectl get secret/db")]
    [InlineData("kubectl get cm,secrets")]
    [InlineData("kubectl describe secret db-creds")]
    [InlineData("kubectl config view --raw")]
    [InlineData("kubectl get --raw /api/v1/namespaces/prod/secrets")]
    [InlineData("kubectl create token default")]
    [InlineData("kubectl create clusterrolebinding me-admin --clusterrole=cluster-admin --user=me")]
    [InlineData("kubectl create rolebinding x --clusterrole=admin --user=bob -n prod")]
    [InlineData("kubectl create clusterrolebinding x --clusterrole=view --group=system:masters")]
    [InlineData("kubectl create clusterrole god --verb='*' --resource='*'")]
    [InlineData("kubectl get pods --as-group=system:masters --as=x")]
    [InlineData("kubectl exec api-7d9f -n prod -- rm -rf /data")]
    [InlineData("kubectl exec -it api -- sh -c 'cat /var/run/secrets/kubernetes.io/serviceaccount/token'")]
    [InlineData("kubectl run x --image=alpine --privileged")]
    [InlineData("kubectl run x --image=alpine --overrides='{\"spec\":{\"hostPID\":true}}'")]
    [InlineData("kubectl debug node/node-1 -it --image=busybox")]
    [InlineData("kubectl drain node-3 --ignore-daemonsets --delete-emptydir-data --force")]
    [InlineData("kubectl get secret db -o yaml | base64 -d")]
    public void High(string line) => Expect(line, RiskLevel.High);

    [Fact]
    public void Argv_overload_matches_the_line()
    {
        KubectlAnalyzer.Analyze(["kubectl", "delete", "namespace", "prod"]).Level.Should().Be(RiskLevel.High);
        KubectlAnalyzer.Analyze(["kubectl", "get", "pods"]).Level.Should().Be(RiskLevel.Low);
    }

    [Fact]
    public void Unambiguous_highs_are_certain_and_quote_the_command()
    {
        var verdict = KubectlAnalyzer.Analyze("kubectl delete namespace prod");
        verdict.Certain.Should().BeTrue();
        verdict.Title.Should().Be("Namespace deletion");
        verdict.Evidence.Should().Be("kubectl delete namespace prod");
    }

    private static void Expect(string line, RiskLevel level)
    {
        var verdict = KubectlAnalyzer.Analyze(line);
        verdict.Level.Should().Be(level, "'{0}' got '{1}': {2}", line, verdict.Title, verdict.Explanation);
        ShellFuzzTests.WellFormed(verdict, line);
    }
}
