using System.Text.Json.Nodes;
using Vigil.Webhooks;

namespace Vigil.Adapters.Mcp.Admin;

/// <summary>
/// Webhooks over <c>/api/webhooks</c> (admins; docs/webhooks.md): <c>webhooks_list</c>, <c>webhook_get</c>,
/// <c>webhook_create</c> (the signing secret is in its answer only), <c>webhook_update</c>, <c>webhook_delete</c>.
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
