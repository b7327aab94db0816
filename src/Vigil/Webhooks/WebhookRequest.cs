namespace Vigil.Webhooks;

/// <summary>
/// Body of <c>POST /api/webhooks</c> and <c>PUT /api/webhooks/{id}</c>:
/// <c>{url, event_types:[…], format?: "standard"|"slack"|"teams" (default standard), description?}</c>.
/// </summary>
public sealed record WebhookRequest(string? Url, string[]? EventTypes, string? Format, string? Description)
{
    /// <summary>Longest accepted URL, in characters.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>Longest accepted description, in characters.</summary>
    public const int MaxDescriptionLength = 1024;

    /// <summary>
    /// Checks the request; returns a readable reason naming the field when it is invalid, else null. <c>url</c> must be an
    /// absolute http or https URL of at most <see cref="MaxUrlLength"/> characters; <c>event_types</c> a non-empty list
    /// of <see cref="GatewayEventTypes.All"/> names or <c>*</c>; <c>format</c> one of <see cref="WebhookFormat.All"/>.
    /// </summary>
    public string? Problem()
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            return "field 'url' is required";
        }
        if (Url.Length > MaxUrlLength)
        {
            return $"field 'url' must be at most {MaxUrlLength} characters";
        }
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            return "field 'url' must be an absolute http:// or https:// URL";
        }
        if (EventTypes is null || EventTypes.Length == 0)
        {
            return $"field 'event_types' must list at least one event type: {string.Join(", ", GatewayEventTypes.All)} (or * for all)";
        }
        foreach (var type in EventTypes)
        {
            if (type != Webhook.AllTypes && !GatewayEventTypes.All.Contains(type, StringComparer.Ordinal))
            {
                return $"field 'event_types': unknown event type '{type}'; known types: {string.Join(", ", GatewayEventTypes.All)} (or * for all)";
            }
        }
        if (Format is not null && !WebhookFormat.IsKnown(Format))
        {
            return $"field 'format' must be one of {string.Join(", ", WebhookFormat.All)}";
        }
        if (Description is { Length: > MaxDescriptionLength })
        {
            return $"field 'description' must be at most {MaxDescriptionLength} characters";
        }
        return null;
    }

    /// <summary>The event types without duplicates, in the order given.</summary>
    public string[] DistinctEventTypes() => EventTypes!.Distinct(StringComparer.Ordinal).ToArray();
}
