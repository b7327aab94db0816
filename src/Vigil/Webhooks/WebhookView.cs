namespace Vigil.Webhooks;

/// <summary>
/// A webhook endpoint as the API shows it: <c>{id, url, event_types, format, description, created_at, updated_at}</c>
/// and, only in the answers to create and rotate-secret, <c>secret</c> (<c>whsec_…</c>); times RFC 3339 UTC. The
/// <c>url</c> of a <c>slack</c> or <c>teams</c> endpoint carries its credential in the path, so it is shown as
/// <c>scheme://host/…</c>.
/// </summary>
public sealed record WebhookView(
    string Id, string Url, IReadOnlyList<string> EventTypes, string Format, string? Description, string CreatedAt, string UpdatedAt)
{
    /// <summary>The view of <paramref name="webhook"/> (never with its secret).</summary>
    public static WebhookView From(Webhook webhook) => new(
        webhook.Id, Shown(webhook), webhook.EventTypes, webhook.Format, webhook.Description,
        Storage.Rfc3339.Format(webhook.CreatedAt), Storage.Rfc3339.Format(webhook.UpdatedAt));

    private static string Shown(Webhook webhook) =>
        webhook.Format == WebhookFormat.Standard ? webhook.Url
        : Uri.TryCreate(webhook.Url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/…"
        : "…";
}

/// <summary>The answer to <c>POST /api/webhooks</c>: the endpoint and its secret, shown this once.</summary>
public sealed record CreatedWebhookView(
    string Id, string Url, IReadOnlyList<string> EventTypes, string Format, string? Description, string Secret, string CreatedAt, string UpdatedAt);

/// <summary>The answer to <c>POST /api/webhooks/{id}/rotate-secret</c>: <c>{secret}</c>, shown this once.</summary>
public sealed record SecretView(string Secret);
