namespace Vigil.Analysis.Providers;

/// <summary>
/// Builds the <see cref="IRiskProvider"/> for a <see cref="ProviderSettings"/> and validates settings for the API
/// (<c>POST /api/ai/session-analyzer/providers</c>: <c>provider</c>, <c>model</c>, <c>api_key</c>, <c>api_url</c>).
/// </summary>
public static class RiskProviderFactory
{
    /// <summary>OpenAI Chat Completions at <see cref="OpenAiChatProvider.DefaultBaseUrl"/> (or <c>api_url</c>).</summary>
    public const string OpenAi = "openai";

    /// <summary>Anthropic Messages at <see cref="AnthropicMessagesProvider.DefaultBaseUrl"/> (or <c>api_url</c>).</summary>
    public const string Anthropic = "anthropic";

    /// <summary>Azure OpenAI; <c>api_url</c> is the deployment URL.</summary>
    public const string AzureOpenAi = "azure-openai";

    /// <summary>Any OpenAI-compatible Chat Completions base URL given as <c>api_url</c>.</summary>
    public const string Custom = "custom";

    /// <summary>The accepted <c>provider</c> values.</summary>
    public static IReadOnlyList<string> Providers { get; } = [OpenAi, Anthropic, AzureOpenAi, Custom];

    /// <summary>The provider for <paramref name="settings"/>; <paramref name="time"/> drives its deadline and retry wait.</summary>
    /// <exception cref="ArgumentException">The settings fail <see cref="Validate"/> (the message is the reason).</exception>
    public static IRiskProvider Create(ProviderSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (Validate(settings.Provider, settings.Model, settings.ApiKey, settings.ApiUrl) is { } error)
        {
            throw new ArgumentException(error, nameof(settings));
        }
        return settings.Provider == Anthropic
            ? new AnthropicMessagesProvider(settings, time)
            : new OpenAiChatProvider(settings, time);
    }

    /// <summary>
    /// Null when the settings are usable, else a sentence saying what is wrong (never quoting the key): unknown provider
    /// (exact, lower-case names), missing model or key, <c>api_url</c> missing for <c>azure-openai</c>/<c>custom</c>, or
    /// not an absolute <c>http</c>/<c>https</c> URL (with no user info, query or fragment).
    /// </summary>
    public static string? Validate(string? provider, string? model, string? apiKey, string? apiUrl)
    {
        if (string.IsNullOrWhiteSpace(provider) || !Providers.Contains(provider))
        {
            return $"provider must be one of {string.Join(", ", Providers)}";
        }
        if (string.IsNullOrWhiteSpace(model))
        {
            return "model is required";
        }
        if (string.IsNullOrWhiteSpace(apiKey))
        {
            return "api_key is required";
        }
        if (string.IsNullOrWhiteSpace(apiUrl))
        {
            return provider is AzureOpenAi or Custom ? $"api_url is required for {provider}" : null;
        }
        if (!Uri.TryCreate(apiUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return "api_url must be an absolute http or https URL";
        }
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return "api_url must not contain user info, a query or a fragment";
        }
        return null;
    }
}
