using System.ClientModel.Primitives;

namespace Vigil.Analysis.Providers;

/// <summary>
/// Turns the OpenAI SDK's requests into Azure OpenAI ones (Azure OpenAI REST reference, data plane): adds
/// <c>api-version</c> to the query and sends the key as <c>api-key</c> instead of <c>Authorization: Bearer</c>.
/// Runs just before the transport, after the SDK's Bearer policy. (The SDK's constructor that takes an
/// <c>AuthenticationPolicy</c> would do the header part, but it is marked experimental, OPENAI001, in 2.15.)
/// </summary>
internal sealed class AzureOpenAiPolicy(string apiVersion, string apiKey) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Rewrite(message);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Rewrite(message);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    private void Rewrite(PipelineMessage message)
    {
        message.Request.Headers.Remove("Authorization");
        message.Request.Headers.Set("api-key", apiKey);
        var uri = message.Request.Uri;
        if (uri is null || uri.Query.Contains("api-version=", StringComparison.Ordinal))
        {
            return;
        }
        var builder = new UriBuilder(uri);
        var version = "api-version=" + Uri.EscapeDataString(apiVersion);
        builder.Query = string.IsNullOrEmpty(builder.Query) ? version : builder.Query.TrimStart('?') + "&" + version;
        message.Request.Uri = builder.Uri;
    }
}
