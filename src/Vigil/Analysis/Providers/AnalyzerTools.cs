using System.Text.Json;

namespace Vigil.Analysis.Providers;

/// <summary>
/// The three tools the model must choose from, one per <see cref="RiskLevel"/>, and the parsing of one call's
/// arguments. Each tool takes <c>{"title": string (at most 4 words), "explanation": string (at most 30 words),
/// "summary"?: string}</c> (a JSON Schema object; OpenAI sends it as <c>function.parameters</c>, Anthropic as
/// <c>input_schema</c>).
/// </summary>
public static class AnalyzerTools
{
    /// <summary>The tool for <see cref="RiskLevel.Low"/>.</summary>
    public const string Low = "LowRiskAISessionAnalyzer";

    /// <summary>The tool for <see cref="RiskLevel.Medium"/>.</summary>
    public const string Medium = "MediumRiskAISessionAnalyzer";

    /// <summary>The tool for <see cref="RiskLevel.High"/>.</summary>
    public const string High = "HighRiskAISessionAnalyzer";

    /// <summary>Longest title kept, in words; longer titles are cut, not rejected.</summary>
    public const int TitleWords = 4;

    /// <summary>Longest explanation kept, in words; longer explanations are cut, not rejected.</summary>
    public const int ExplanationWords = 30;

    /// <summary>The three tool names, low to high.</summary>
    public static IReadOnlyList<string> Names { get; } = [Low, Medium, High];

    /// <summary>
    /// The parameters' JSON Schema (draft 2020-12 subset both providers accept): an object with string properties
    /// <c>title</c>, <c>explanation</c> and <c>summary</c>, the first two required, no others allowed.
    /// </summary>
    public static string ParametersSchemaJson { get; } = """
        {"type":"object","properties":{"title":{"type":"string","description":"At most 4 words naming what the command does."},"explanation":{"type":"string","description":"At most 30 words: why the command has this risk level."},"summary":{"type":"string","description":"Optional one-sentence summary of the command."}},"required":["title","explanation"],"additionalProperties":false}
        """;

    /// <summary>The tool name for <paramref name="level"/>.</summary>
    public static string Name(RiskLevel level) => level switch
    {
        RiskLevel.Low => Low,
        RiskLevel.Medium => Medium,
        _ => High,
    };

    /// <summary>The level a tool name stands for (exact, case-sensitive match: tool names are identifiers).</summary>
    public static bool TryGetLevel(string? toolName, out RiskLevel level)
    {
        switch (toolName)
        {
            case Low: level = RiskLevel.Low; return true;
            case Medium: level = RiskLevel.Medium; return true;
            case High: level = RiskLevel.High; return true;
            default: level = default; return false;
        }
    }

    /// <summary>The tool's description shown to the model.</summary>
    public static string Description(RiskLevel level) => level switch
    {
        RiskLevel.Low => "Call when the command is low risk: read-only, scoped, routine diagnostics, tight filters or limits.",
        RiskLevel.Medium => "Call when the command is medium risk: expensive or unstable, broad reads of sensitive data, schema changes with rollback risk, reversible but risky writes, possible service disruption.",
        _ => "Call when the command is high risk: destructive or irreversible, privilege escalation, data exfiltration, credential access, disabling security or auditing, mass changes without constraints, remote code execution, persistence, network scanning.",
    };

    /// <summary>
    /// Parses one call's arguments (a JSON object as text): <c>title</c> and <c>explanation</c> must be non-blank
    /// strings, cut to <see cref="TitleWords"/> and <see cref="ExplanationWords"/> words when longer (whitespace
    /// collapsed); <c>summary</c> is kept when it is a non-blank string and ignored otherwise.
    /// </summary>
    /// <exception cref="ProviderException">The text is not a JSON object, or a required argument is missing, not a
    /// string or blank.</exception>
    public static ToolArguments ParseArguments(string toolName, string? argumentsJson)
    {
        if (string.IsNullOrWhiteSpace(argumentsJson))
        {
            throw new ProviderException($"the model called {toolName} without arguments");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(argumentsJson);
        }
        catch (JsonException)
        {
            throw new ProviderException($"the model called {toolName} with arguments that are not JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ProviderException($"the model called {toolName} with arguments that are not a JSON object");
            }
            var title = RequiredString(root, "title", toolName);
            var explanation = RequiredString(root, "explanation", toolName);
            string? summary = null;
            if (root.TryGetProperty("summary", out var value) && value.ValueKind == JsonValueKind.String
                && !string.IsNullOrWhiteSpace(value.GetString()))
            {
                summary = value.GetString()!.Trim();
            }
            return new ToolArguments(CutWords(title, TitleWords), CutWords(explanation, ExplanationWords), summary);
        }
    }

    /// <summary>
    /// Turns the model's tool calls into a verdict: exactly one level must be called (several calls naming the same
    /// tool are accepted, the first one's arguments are used); every call must name a known tool and carry valid
    /// arguments.
    /// </summary>
    /// <param name="calls">The calls in answer order: tool name and raw JSON arguments.</param>
    /// <param name="text">Any text the model answered instead, for the error message (cut to a short excerpt).</param>
    /// <param name="inputTokens">Prompt tokens, when the provider reported usage.</param>
    /// <param name="outputTokens">Completion tokens, when the provider reported usage.</param>
    /// <exception cref="ProviderException">No call, an unknown tool, bad arguments or conflicting levels.</exception>
    public static ProviderVerdict Resolve(IReadOnlyList<(string Name, string? Arguments)> calls, string? text, int? inputTokens, int? outputTokens)
    {
        if (calls.Count == 0)
        {
            throw new ProviderException(string.IsNullOrWhiteSpace(text)
                ? "the model made no tool call"
                : $"the model answered with text instead of a tool call: {ProviderErrors.Excerpt(text, 120)}");
        }
        RiskLevel? chosen = null;
        ToolArguments? first = null;
        foreach (var (name, arguments) in calls)
        {
            if (!TryGetLevel(name, out var level))
            {
                throw new ProviderException($"the model called an unknown tool: {ProviderErrors.Excerpt(name, 60)}");
            }
            if (chosen is { } previous && previous != level)
            {
                throw new ProviderException($"the model made conflicting calls: {Name(previous)} and {name}");
            }
            chosen = level;
            var parsed = ParseArguments(name, arguments);
            first ??= parsed;
        }
        return new ProviderVerdict(chosen!.Value, first!.Title, first.Explanation, first.Summary, inputTokens, outputTokens);
    }

    private static string RequiredString(JsonElement root, string name, string toolName)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            throw new ProviderException($"the model called {toolName} without \"{name}\"");
        }
        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new ProviderException($"the model called {toolName} with \"{name}\" that is not a non-empty string");
        }
        return value.GetString()!;
    }

    /// <summary>The first <paramref name="limit"/> whitespace-separated words, joined by single spaces.</summary>
    internal static string CutWords(string text, int limit)
    {
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return words.Length <= limit ? string.Join(' ', words) : string.Join(' ', words.Take(limit));
    }
}

/// <summary>One analyzer tool call's arguments after <see cref="AnalyzerTools.ParseArguments"/>.</summary>
/// <param name="Title">At most <see cref="AnalyzerTools.TitleWords"/> words.</param>
/// <param name="Explanation">At most <see cref="AnalyzerTools.ExplanationWords"/> words.</param>
/// <param name="Summary">The optional summary, trimmed; null when absent or not a string.</param>
public sealed record ToolArguments(string Title, string Explanation, string? Summary);
