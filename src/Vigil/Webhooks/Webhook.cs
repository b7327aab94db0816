namespace Vigil.Webhooks;

/// <summary>
/// A webhook endpoint as stored (without its secret): where events of <paramref name="EventTypes"/> (names of
/// <see cref="GatewayEventTypes"/>, or <c>*</c> for every type) are POSTed, and in which <see cref="WebhookFormat"/>.
/// </summary>
public sealed record Webhook(
    string Id, string Url, IReadOnlyList<string> EventTypes, string Format, string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>The event-type value that subscribes to every type.</summary>
    public const string AllTypes = "*";

    /// <summary>True when this endpoint receives events of <paramref name="type"/>.</summary>
    public bool Subscribes(string type) => EventTypes.Contains(AllTypes, StringComparer.Ordinal) || EventTypes.Contains(type, StringComparer.Ordinal);
}
