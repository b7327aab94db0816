using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Core;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;

namespace Vigil.Analysis.Providers;

/// <summary>
/// Classification through the Anthropic Messages API (<c>POST {base}/v1/messages</c>) with the official Anthropic SDK:
/// <c>system</c> prompt, one user message, the three <see cref="AnalyzerTools"/> with <c>input_schema</c>,
/// <c>"tool_choice":{"type":"any"}</c> and <c>max_tokens</c> <see cref="MaxTokens"/>. Authentication and
/// <c>anthropic-version</c> headers come from the SDK (13.x sends the key as <c>Authorization: Bearer</c>). Base URL from <c>api_url</c>, default <see cref="DefaultBaseUrl"/>.
/// The SDK's retries are off: <see cref="ProviderExchange"/> does the one 429 retry.
/// </summary>
public sealed class AnthropicMessagesProvider : IRiskProvider
{
    /// <summary>The base URL when <c>api_url</c> is not set (the SDK appends <c>/v1/messages</c>).</summary>
    public const string DefaultBaseUrl = "https://api.anthropic.com";

    /// <summary>Output budget: one tool call with a 4-word title and a 30-word explanation fits with room to spare.</summary>
    public const int MaxTokens = 400;

    private static readonly Dictionary<string, JsonElement> s_schema =
        JsonDocument.Parse(AnalyzerTools.ParametersSchemaJson).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());

    private readonly AnthropicClient _client;
    private readonly string _model;
    private readonly ProviderExchange _exchange;

    /// <summary>Builds the SDK client for <paramref name="settings"/> (provider <c>anthropic</c>).</summary>
    /// <exception cref="ArgumentException">The settings fail <see cref="RiskProviderFactory.Validate"/>.</exception>
    public AnthropicMessagesProvider(ProviderSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        if (RiskProviderFactory.Validate(settings.Provider, settings.Model, settings.ApiKey, settings.ApiUrl) is { } error)
        {
            throw new ArgumentException(error, nameof(settings));
        }
        var baseUrl = (string.IsNullOrWhiteSpace(settings.ApiUrl) ? DefaultBaseUrl : settings.ApiUrl).TrimEnd('/');
        _client = new AnthropicClient(new ClientOptions
        {
            ApiKey = settings.ApiKey,
            BaseUrl = baseUrl,
            MaxRetries = 0,
            // Our deadline (ProviderExchange) bounds the exchange; the SDK's own per-attempt timeout stays out of the way.
            Timeout = TimeSpan.FromHours(1),
            HttpClient = ProviderHttp.Capturing,
        });
        _model = settings.Model;
        _exchange = new ProviderExchange(new Uri(baseUrl), settings.ApiKey, time);
    }

    /// <inheritdoc />
    public Task<ProviderVerdict> ClassifyAsync(ClassificationRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = new MessageCreateParams
        {
            Model = _model,
            MaxTokens = MaxTokens,
            System = SystemPrompt.Build(request.CustomPrompt),
            Messages = [new UserMessageParam { Content = SystemPrompt.UserMessage(request) }],
            Tools = [.. AnalyzerTools.Names.Select(Tool)],
            ToolChoice = new ToolChoiceAny(),
        };
        return ClassifyAsync(parameters, timeout, cancellationToken);
    }

    private async Task<ProviderVerdict> ClassifyAsync(MessageCreateParams parameters, TimeSpan timeout, CancellationToken cancellationToken)
    {
        // Scoped to this async flow: the handler under the SDK writes the 429 wait headers here (see ResponseCapture).
        var captured = ResponseCapture.Begin();
        return await _exchange.RunAsync(async token =>
        {
            var message = await _client.Messages.Create(parameters, token).ConfigureAwait(false);
            return Interpret(message);
        }, error => AsHttpFailure(error, captured), timeout, cancellationToken).ConfigureAwait(false);
    }

    private static ToolUnion Tool(string name)
    {
        AnalyzerTools.TryGetLevel(name, out var level);
        return new Tool
        {
            Name = name,
            Description = AnalyzerTools.Description(level),
            // From the raw schema so both wires send the same one (InputSchema's typed setters lack additionalProperties).
            InputSchema = new InputSchema(s_schema),
        };
    }

    private static ProviderVerdict Interpret(Message message)
    {
        var calls = new List<(string Name, string? Arguments)>();
        var text = new StringBuilder();
        foreach (var block in message.Content)
        {
            if (block.TryPickToolUse(out var toolUse))
            {
                // The raw "input" object: parsed by AnalyzerTools like OpenAI's argument string, so both wires share
                // one validation.
                calls.Add((toolUse.Name, block.Json.TryGetProperty("input", out var input) ? input.GetRawText() : null));
            }
            else if (block.TryPickText(out var textBlock))
            {
                text.Append(textBlock.Text);
            }
        }
        var (inputTokens, outputTokens) = Usage(message);
        return AnalyzerTools.Resolve(calls, text.ToString(), inputTokens, outputTokens);
    }

    private static (int?, int?) Usage(Message message)
    {
        if (!message.RawData.TryGetValue("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return (null, null);
        }
        return (Count(usage, "input_tokens"), Count(usage, "output_tokens"));

        static int? Count(JsonElement usage, string name) =>
            usage.TryGetProperty(name, out var value) && value.TryGetInt32(out var count) ? count : null;
    }

    private static HttpFailure? AsHttpFailure(Exception error, CapturedResponse captured)
    {
        if (error is not AnthropicApiException api)
        {
            return null;
        }
        var status = (int)api.StatusCode;
        // The headers are those of the last response; they belong to this error only if the status agrees.
        var same = captured.Status == status;
        return new HttpFailure(status, api.ResponseBody, same ? captured.RetryAfter : null, same ? captured.RetryAfterMs : null);
    }
}
