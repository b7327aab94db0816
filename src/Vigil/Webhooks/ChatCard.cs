using System.Globalization;
using System.Text.Json;

namespace Vigil.Webhooks;

/// <summary>
/// What a chat message (<see cref="SlackMessage"/>, <see cref="TeamsMessage"/>) shows of an event, read from the
/// stored Standard Webhooks payload <c>{type, timestamp, data}</c> as JSON, so it does not depend on the publishing
/// feature's C# types. For reviews and access grants (<c>review.*</c>, <c>access.granted</c>) it reads <c>data</c>'s
/// <c>type</c> (onetime|jit), <c>connection</c>, <c>requested_by</c>, <c>input</c> (the command, cut to
/// <see cref="MaxCommandLength"/> characters), <c>ai_analysis.{risk_level, title, explanation}</c> (may be null),
/// <c>status</c> and <c>url</c> (where to decide); for other events, up to eight top-level scalar fields of
/// <c>data</c> as facts.
/// </summary>
public sealed record ChatCard(
    string Headline, string? Command, string? RiskLevel, string? Title, string? Explanation, IReadOnlyList<(string Name, string Value)> Facts, string? Url)
{
    /// <summary>Longest command shown, in characters; a longer one ends in "…".</summary>
    public const int MaxCommandLength = 500;

    /// <summary>Longest explanation shown, in characters.</summary>
    public const int MaxExplanationLength = 1500;

    /// <summary>Reads the card of a payload.</summary>
    /// <exception cref="JsonException">The payload is not JSON.</exception>
    public static ChatCard From(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        var root = document.RootElement;
        var type = Text(root, "type") ?? "event";
        var data = root.TryGetProperty("data", out var d) ? d : default;
        if (data.ValueKind != JsonValueKind.Object)
        {
            return new ChatCard($"Vigil: {type}", null, null, null, null, [], null);
        }
        if (!type.StartsWith("review.", StringComparison.Ordinal) && type != GatewayEventTypes.AccessGranted)
        {
            var facts = data.EnumerateObject()
                .Where(p => p.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                .Take(8)
                .Select(p => (p.Name, Cut(Scalar(p.Value), 200)))
                .ToList();
            return new ChatCard($"Vigil: {type}", Text(data, "input") is { } command ? Cut(command, MaxCommandLength) : null,
                RiskOf(data), TitleOf(data), ExplanationOf(data), facts, Text(data, "url"));
        }
        var jit = Text(data, "type") == "jit";
        var headline = type switch
        {
            GatewayEventTypes.ReviewCreated => jit ? "Access request waiting for review" : "Command waiting for review",
            GatewayEventTypes.ReviewApproved => jit ? "Access request approved" : "Command approved",
            GatewayEventTypes.ReviewRejected => jit ? "Access request rejected" : "Command rejected",
            GatewayEventTypes.ReviewExpired => jit ? "Access request expired" : "Review expired",
            GatewayEventTypes.AccessGranted => "Access granted",
            _ => $"Vigil: {type}",
        };
        List<(string, string)> reviewFacts = [];
        Add(reviewFacts, "Requested by", Text(data, "requested_by"));
        Add(reviewFacts, "Connection", Text(data, "connection"));
        Add(reviewFacts, "Risk", RiskOf(data));
        Add(reviewFacts, "Status", Text(data, "status"));
        Add(reviewFacts, "Expires", Text(data, "expires_at"));
        var input = Text(data, "input");
        return new ChatCard(headline, input is null ? null : Cut(input, MaxCommandLength), RiskOf(data), TitleOf(data), ExplanationOf(data), reviewFacts, Text(data, "url"));
    }

    /// <summary>The one-line summary chat services show in notifications.</summary>
    public string Summary()
    {
        var who = Facts.FirstOrDefault(f => f.Name == "Requested by").Value;
        var where = Facts.FirstOrDefault(f => f.Name == "Connection").Value;
        var text = Headline;
        if (who is not null)
        {
            text += $": {who}";
        }
        if (where is not null)
        {
            text += $" on {where}";
        }
        if (RiskLevel is not null)
        {
            text += $" ({RiskLevel} risk)";
        }
        return text;
    }

    private static string? RiskOf(JsonElement data) => Analysis(data) is { } a ? Text(a, "risk_level") : null;

    private static string? TitleOf(JsonElement data) => Analysis(data) is { } a ? Text(a, "title") : null;

    private static string? ExplanationOf(JsonElement data) => Analysis(data) is { } a && Text(a, "explanation") is { } e ? Cut(e, MaxExplanationLength) : null;

    private static JsonElement? Analysis(JsonElement data) =>
        data.TryGetProperty("ai_analysis", out var a) && a.ValueKind == JsonValueKind.Object ? a : null;

    private static void Add(List<(string, string)> facts, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            facts.Add((name, Cut(value, 200)));
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? Scalar(value)
            : null;

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };

    private static string Cut(string text, int max)
    {
        var info = new StringInfo(text);
        return info.LengthInTextElements <= max ? text : info.SubstringByTextElements(0, max - 1) + "…";
    }
}
