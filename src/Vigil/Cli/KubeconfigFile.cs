using YamlDotNet.RepresentationModel;

namespace Vigil.Cli;

/// <summary>
/// A kubeconfig (the kubectl configuration file, <c>apiVersion: v1, kind: Config</c>) entry for a Vigil connection: a
/// cluster whose server is the gateway's <c>/proxy/{connection}</c>, a user holding the caller's Vigil token, and a
/// context joining them. <see cref="Merge"/> lays the entry over an existing file, replacing entries of the same names
/// and keeping every other cluster, user and context, and makes it the current context.
/// </summary>
/// <param name="Context">The context name (also the cluster and user names), e.g. <c>vigil-prod</c>.</param>
/// <param name="Server">The gateway's address for the connection, e.g. <c>https://vigil.example.com/proxy/prod</c>.</param>
/// <param name="Token">The caller's Vigil API token.</param>
/// <param name="Namespace">The context's default namespace, or null.</param>
/// <param name="CertificateAuthority">PEM of the CA that the gateway's certificate chains to (<c>certificate-authority-data</c>), or null: the system roots.</param>
/// <param name="InsecureSkipTlsVerify">Accept any certificate from the gateway (<c>insecure-skip-tls-verify</c>).</param>
public sealed record KubeconfigFile(string Context, string Server, string Token, string? Namespace, string? CertificateAuthority = null, bool InsecureSkipTlsVerify = false)
{
    /// <summary>A whole kubeconfig holding only this entry.</summary>
    public string Standalone() => Merge(null);

    /// <summary>The kubeconfig <paramref name="existing"/> (YAML or JSON; null or empty: none) with this entry laid over it.</summary>
    /// <exception cref="FormatException">The existing file is not a kubeconfig mapping.</exception>
    public string Merge(string? existing)
    {
        var root = Load(existing);
        Set(root, "apiVersion", "v1");
        Set(root, "kind", "Config");
        var cluster = new YamlMappingNode { { "server", Scalar(Server) } };
        if (CertificateAuthority is not null)
        {
            cluster.Add("certificate-authority-data", Scalar(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(CertificateAuthority))));
        }
        if (InsecureSkipTlsVerify)
        {
            cluster.Add("insecure-skip-tls-verify", new YamlScalarNode("true") { Style = YamlDotNet.Core.ScalarStyle.Plain });
        }
        Upsert(root, "clusters", Named("cluster", cluster));
        Upsert(root, "users", Named("user", new YamlMappingNode { { "token", Scalar(Token) } }));
        var context = new YamlMappingNode { { "cluster", Scalar(Context) }, { "user", Scalar(Context) } };
        if (Namespace is not null)
        {
            context.Add("namespace", Scalar(Namespace));
        }
        Upsert(root, "contexts", Named("context", context));
        Set(root, "current-context", Context);
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        // YamlStream ends a document with "...": valid YAML, but not what kubectl writes.
        return writer.ToString().Replace("\n...\n", "\n", StringComparison.Ordinal);
    }

    private YamlMappingNode Named(string kind, YamlMappingNode body) => new() { { "name", Scalar(Context) }, { kind, body } };

    private static YamlMappingNode Load(string? existing)
    {
        if (string.IsNullOrWhiteSpace(existing))
        {
            return [];
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(existing));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"the existing kubeconfig is not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count == 0)
        {
            return [];
        }
        return stream.Documents[0].RootNode as YamlMappingNode ?? throw new FormatException("the existing kubeconfig is not a YAML mapping");
    }

    private static void Set(YamlMappingNode root, string key, string value) => root.Children[Scalar(key)] = Scalar(value);

    private void Upsert(YamlMappingNode root, string key, YamlMappingNode entry)
    {
        if (!root.Children.TryGetValue(Scalar(key), out var node) || node is not YamlSequenceNode list)
        {
            list = [];
            root.Children[Scalar(key)] = list;
        }
        var kept = list.Children.Where(n => !(n is YamlMappingNode m && m.Children.TryGetValue(Scalar("name"), out var name) && name is YamlScalarNode { Value: var v } && v == Context)).ToList();
        list.Children.Clear();
        foreach (var node2 in kept)
        {
            list.Children.Add(node2);
        }
        list.Children.Add(entry);
    }

    private static YamlScalarNode Scalar(string value) => new(value);
}
