namespace Vigil.Adapters.Http;

/// <summary>What happens to the <c>data</c> and <c>stringData</c> of Kubernetes <c>Secret</c> objects in one response (<see cref="SecretRedaction.For"/>).</summary>
public enum SecretHandling
{
    /// <summary>Not a response to a Secret request: the body goes through the result stages only.</summary>
    None,

    /// <summary>Redacted for the client and the recording (the default).</summary>
    Redact,

    /// <summary>Sent to the client as the cluster sent them (a masking rule's <c>kubernetes_secrets: reveal</c>); redacted in the recording.</summary>
    Reveal,
}
