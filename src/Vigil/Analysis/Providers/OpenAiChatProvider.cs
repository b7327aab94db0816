using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Chat;

namespace Vigil.Analysis.Providers;

/// <summary>
/// Classification through OpenAI Chat Completions (<c>POST {base}/chat/completions</c>, OpenAI API reference) with the
/// official OpenAI SDK, for <c>openai</c> (default base <see cref="DefaultBaseUrl"/>, <c>Authorization: Bearer</c>),
/// <c>custom</c> (any OpenAI-compatible base URL, Bearer key) and <c>azure-openai</c> (<c>api_url</c> is the deployment
/// URL, e.g. <c>https://NAME.openai.azure.com/openai/deployments/DEPLOYMENT</c>; requests carry
/// <c>?api-version=</c><see cref="AzureApiVersion"/> and an <c>api-key</c> header instead of Bearer).
/// The request has a system and a user message, the three <see cref="AnalyzerTools"/> as function tools,
/// <c>"tool_choice":"required"</c> and <c>temperature: 0</c> (left out for reasoning models, which reject it).
/// The SDK's own retries are off: <see cref="ProviderExchange"/> does the one 429 retry.
/// </summary>
public sealed class OpenAiChatProvider : IRiskProvider
{
    /// <summary>The base URL for <c>openai</c> when <c>api_url</c> is not set.</summary>
    public const string DefaultBaseUrl = "https://api.openai.com/v1";

    /// <summary>The Azure OpenAI data-plane API version sent as <c>api-version</c> (the 2024-10-21 GA release).</summary>
    public const string AzureApiVersion = "2024-10-21";

    private readonly ChatClient _client;
    private readonly ProviderExchange _exchange;
    private readonly bool _sendTemperature;

    /// <summary>Builds the SDK client for <paramref name="settings"/> (provider <c>openai</c>, <c>azure-openai</c> or <c>custom</c>).</summary>
    /// <exception cref="ArgumentException">The settings fail <see cref="RiskProviderFactory.Validate"/>.</exception>
    public OpenAiChatProvider(ProviderSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        if (RiskProviderFactory.Validate(settings.Provider, settings.Model, settings.ApiKey, settings.ApiUrl) is { } error)
        {
            throw new ArgumentException(error, nameof(settings));
        }
        var azure = settings.Provider == RiskProviderFactory.AzureOpenAi;
        // The SDK appends "/chat/completions" to the endpoint's path; a trailing slash would double it.
        var endpoint = new Uri((string.IsNullOrWhiteSpace(settings.ApiUrl) ? DefaultBaseUrl : settings.ApiUrl).TrimEnd('/'));
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            // Our deadline (ProviderExchange) bounds the exchange; the SDK's 100 s default must not cut in first.
            NetworkTimeout = Timeout.InfiniteTimeSpan,
            Transport = new HttpClientPipelineTransport(ProviderHttp.Plain),
            // Message logging could print headers or prompts; the analyzer logs nothing about the exchange itself.
            ClientLoggingOptions = new ClientLoggingOptions { EnableLogging = false, EnableMessageLogging = false, EnableMessageContentLogging = false },
        };
        if (azure)
        {
            options.AddPolicy(new AzureOpenAiPolicy(AzureApiVersion, settings.ApiKey), PipelinePosition.BeforeTransport);
        }
        _client = new ChatClient(settings.Model, new ApiKeyCredential(settings.ApiKey), options);
        _exchange = new ProviderExchange(endpoint, settings.ApiKey, time);
        _sendTemperature = AcceptsTemperature(settings.Model);
    }

    /// <inheritdoc />
    public Task<ProviderVerdict> ClassifyAsync(ClassificationRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ChatMessage[] messages =
        [
            new SystemChatMessage(SystemPrompt.Build(request.CustomPrompt)),
            new UserChatMessage(SystemPrompt.UserMessage(request)),
        ];
        return _exchange.RunAsync(async token =>
        {
            var options = new ChatCompletionOptions { ToolChoice = ChatToolChoice.CreateRequiredChoice() };
            foreach (var name in AnalyzerTools.Names)
            {
                AnalyzerTools.TryGetLevel(name, out var level);
                options.Tools.Add(ChatTool.CreateFunctionTool(name, AnalyzerTools.Description(level), BinaryData.FromString(AnalyzerTools.ParametersSchemaJson)));
            }
            if (_sendTemperature)
            {
                options.Temperature = 0f;
            }
            ChatCompletion completion = await _client.CompleteChatAsync(messages, options, token).ConfigureAwait(false);
            return Interpret(completion);
        }, AsHttpFailure, timeout, cancellationToken);
    }

    private static ProviderVerdict Interpret(ChatCompletion completion)
    {
        var calls = completion.ToolCalls
            .Select(call => (call.FunctionName, call.FunctionArguments?.ToString()))
            .ToList();
        var text = string.Concat(completion.Content.Where(part => part.Kind == ChatMessageContentPartKind.Text).Select(part => part.Text))
            + completion.Refusal;
        var usage = completion.Usage;
        return AnalyzerTools.Resolve(calls, text, usage?.InputTokenCount, usage?.OutputTokenCount);
    }

    private static HttpFailure? AsHttpFailure(Exception error)
    {
        if (error is not ClientResultException { Status: > 0 } result)
        {
            return null;
        }
        var response = result.GetRawResponse();
        string? retryAfter = null, retryAfterMs = null, body = null;
        if (response is not null)
        {
            response.Headers.TryGetValue("Retry-After", out retryAfter);
            response.Headers.TryGetValue("retry-after-ms", out retryAfterMs);
            try
            {
                body = response.Content.ToString();
            }
            catch (InvalidOperationException)
            {
                // Unbuffered content: the status alone has to do.
            }
        }
        return new HttpFailure(result.Status, body, retryAfter, retryAfterMs);
    }

    /// <summary>
    /// Reasoning models (o1, o3, o4-mini, gpt-5…) answer 400 to any <c>temperature</c> other than the default, so it is
    /// sent only to the others.
    /// </summary>
    internal static bool AcceptsTemperature(string model)
    {
        var name = model.Trim().ToLowerInvariant();
        var slash = name.LastIndexOf('/');
        if (slash >= 0)
        {
            name = name[(slash + 1)..];
        }
        return !(name.StartsWith("gpt-5", StringComparison.Ordinal)
            || (name.Length >= 2 && name[0] == 'o' && char.IsAsciiDigit(name[1])));
    }
}
