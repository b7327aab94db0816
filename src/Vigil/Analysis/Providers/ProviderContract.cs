namespace Vigil.Analysis.Providers;

/// <summary>
/// The configured LLM provider (one per gateway): <c>provider</c> is <c>openai</c>, <c>anthropic</c>,
/// <c>azure-openai</c> or <c>custom</c> (any OpenAI-compatible Chat Completions endpoint); <c>api_url</c> is required
/// for the last two and overrides the default base URL for the others.
/// </summary>
public sealed record ProviderSettings(string Provider, string Model, string ApiKey, string? ApiUrl);

/// <summary>What the provider is asked to classify.</summary>
/// <param name="ConnectionType">The connection's type (<see cref="InputType"/>), given to the model as context.</param>
/// <param name="ConnectionName">The connection's name, given to the model as context.</param>
/// <param name="Input">The command, passed as delimited untrusted data.</param>
/// <param name="CustomPrompt">The rule's <c>custom_prompt</c>, prepended to the system prompt; null for none.</param>
public sealed record ClassificationRequest(string ConnectionType, string ConnectionName, string Input, string? CustomPrompt);

/// <summary>The verdict of the one tool call the model made.</summary>
/// <param name="Level">From the tool's name (<c>Low…</c>, <c>Medium…</c>, <c>HighRiskAISessionAnalyzer</c>).</param>
/// <param name="Title">The <c>title</c> argument, cut to 4 words.</param>
/// <param name="Explanation">The <c>explanation</c> argument, cut to 30 words.</param>
/// <param name="Summary">The optional <c>summary</c> argument.</param>
/// <param name="InputTokens">Prompt tokens when the provider reports usage.</param>
/// <param name="OutputTokens">Completion tokens when the provider reports usage.</param>
public sealed record ProviderVerdict(RiskLevel Level, string Title, string Explanation, string? Summary, int? InputTokens, int? OutputTokens);

/// <summary>
/// The provider could not give a verdict: timeout, refused connection, HTTP error (after the one 429 retry), no tool
/// call, an unknown tool, unparseable arguments or conflicting calls. <see cref="Exception.Message"/> is a readable
/// reason that never contains the API key.
/// </summary>
public sealed class ProviderException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A chat model forced to answer with exactly one of the three analyzer tools.</summary>
public interface IRiskProvider
{
    /// <summary>
    /// Classifies <paramref name="request"/> within <paramref name="timeout"/> (which bounds the whole exchange,
    /// including one retry after HTTP 429 honoring <c>Retry-After</c> when it fits in what is left).
    /// </summary>
    /// <exception cref="ProviderException">No valid verdict; the message says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<ProviderVerdict> ClassifyAsync(ClassificationRequest request, TimeSpan timeout, CancellationToken cancellationToken);
}
