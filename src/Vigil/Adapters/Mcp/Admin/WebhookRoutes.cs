using System.Text.Json.Nodes;
using Vigil.Webhooks;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// Webhooks over <c>/api/webhooks</c> (admins; docs/webhooks.md): <c>webhooks_list</c>, <c>webhook_get</c>,
/// <c>webhook_create</c> and <c>webhook_secret_rotate</c> (the signing secret is in their answers only),
/// <c>webhook_update</c>, <c>webhook_delete</c>, <c>webhook_deliveries_list</c>.
/// </summary>
internal static class WebhookRoutes
{
    public static IEnumerable<ApiRoute> All =>
    [
        AdminTools.List("webhooks_list", "List webhooks", Audience.Admins, "api/webhooks",
            "The webhook endpoints Vigil posts events to (reviews, sessions, high-risk analyses, guardrail violations, masking).",
            [], Answers.Table("Webhooks", "id", "url", "event_types", "format")),
        AdminTools.Get("webhook_get", "Show a webhook", Audience.Admins, "api/webhooks/{id}", "id", "The webhook's id", "One webhook endpoint."),
        new("webhook_create", "Create a webhook", Audience.Admins, ToolEffect.Create, HttpMethod.Post, "api/webhooks",
            "Subscribe an endpoint to gateway events. Deliveries are signed (Standard Webhooks); the answer's `secret` is the "
            + "signing secret, shown this once. Use format slack or teams for a chat's incoming-webhook URL.",
            Schema.Object(null, Fields(), "url", "event_types"),
            Answers.Item("Webhook created; `secret` is its signing secret, shown only this once")),
        new("webhook_update", "Replace a webhook", Audience.Admins, ToolEffect.Change, HttpMethod.Put, "api/webhooks/{id}",
            "Replace a webhook's url, event types, format and description (fields left out take their defaults). Its secret stays.",
            Schema.Object(null, [("id", Schema.String("The webhook's id")), .. Fields()], "id", "url", "event_types"),
            Answers.Item("Webhook '{id}' replaced")),
        new("webhook_secret_rotate", "Rotate a webhook's signing secret", Audience.Admins, ToolEffect.Change, HttpMethod.Post, "api/webhooks/{id}/rotate-secret",
            "Give a webhook a new signing secret; the old one stops being used at once. The answer's `secret` is shown this once.",
            Schema.Object(null, [("id", Schema.String("The webhook's id"))], "id"),
            Answers.Item("New signing secret of webhook '{id}', shown only this once")),
        AdminTools.List("webhook_deliveries_list", "List a webhook's deliveries", Audience.Admins, "api/webhooks/{id}/deliveries",
            "A webhook's deliveries, newest first: event type, status (pending, delivered, failed), attempts, the last HTTP "
            + "status or error, and when the next attempt is due. Use it to see why an endpoint did not get an event.",
            [("id", Schema.String("The webhook's id")), ("status", Schema.String("Only deliveries of this status", DeliveryStatus.All))],
            Answers.Table("Deliveries", "id", "event_type", "status", "attempts", "last_status_code", "last_error", "created_at"), "id"),
        AdminTools.Delete("webhook_delete", "Delete a webhook", "api/webhooks/{id}", "id", "The webhook's id",
            "Delete a webhook: no more deliveries to it.", "Deleted webhook '{id}'."),
    ];

    private static IEnumerable<(string, JsonObject)> Fields() =>
    [
        ("url", Schema.String("Absolute http(s) URL that receives the POSTs; a slack or teams URL is a credential, shown afterwards as scheme://host/… only", maxLength: WebhookRequest.MaxUrlLength)),
        ("event_types", Schema.Strings("Events to send, or [\"*\"] for all", [.. GatewayEventTypes.All, Webhook.AllTypes], 1)),
        ("format", Schema.String("Payload format (default standard)", WebhookFormat.All)),
        ("description", Schema.String("Free text", maxLength: WebhookRequest.MaxDescriptionLength)),
    ];
}
