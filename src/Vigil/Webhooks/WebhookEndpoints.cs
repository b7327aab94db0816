using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;
using Vigil.Identity.Authentication;

namespace Vigil.Webhooks;

/// <summary>
/// <c>/api/webhooks</c> (admins only; anyone else gets 403): create (<c>POST</c>, 201 with the secret), list
/// (<c>GET</c>, paged), show, replace (<c>PUT</c>) and delete by id, <c>POST /{id}/rotate-secret</c> (<c>{secret}</c>),
/// <c>GET /{id}/deliveries</c> (paged, newest first, <c>status</c> filter) and
/// <c>POST /{id}/deliveries/{delivery_id}/replay</c> (202: queued again with the same webhook-id). Bodies are
/// <see cref="WebhookRequest"/>; an invalid one is a 400 naming the field, an unknown id a 404 (RFC 7807 problems).
/// Secrets appear only in the create and rotate answers, which the audit log does not keep.
/// </summary>
public static class WebhookEndpoints
{
    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapWebhookEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/webhooks");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", List);
        group.MapGet("/{id}", Show);
        group.MapPut("/{id}", UpdateAsync);
        group.MapDelete("/{id}", DeleteAsync);
        group.MapPost("/{id}/rotate-secret", RotateSecretAsync);
        group.MapGet("/{id}/deliveries", ListDeliveriesAsync);
        group.MapPost("/{id}/deliveries/{deliveryId}/replay", ReplayAsync);
    }

    private static ProblemHttpResult? Forbidden(HttpContext http) =>
        ApiAuthentication.Caller(http).IsAdmin ? null : Api.Problem(403, "only admins may manage webhooks");

    /// <summary>The caller is an admin and the body is a valid webhook; otherwise the 403 or 400 to answer.</summary>
    private static async Task<(WebhookRequest? Request, ProblemHttpResult? Problem)> ReadRequestAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (Forbidden(http) is { } forbidden)
        {
            return (null, forbidden);
        }
        var (request, error) = await Api.ReadBodyAsync<WebhookRequest>(http.Request, cancellationToken);
        if (error is not null)
        {
            return (null, error);
        }
        return request!.Problem() is { } invalid ? (null, Api.Problem(400, invalid)) : (request, null);
    }

    private static async Task<Results<Created<CreatedWebhookView>, ProblemHttpResult>> CreateAsync(
        HttpContext http, WebhookRepository repository, WebhookSubscriptions subscriptions, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadRequestAsync(http, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        var (webhook, secret) = await repository.CreateAsync(
            request!.Url!, request.DistinctEventTypes(), request.Format ?? WebhookFormat.Standard, request.Description, time.GetUtcNow(), cancellationToken);
        await subscriptions.ReloadAsync(cancellationToken);
        var view = WebhookView.From(webhook);
        return TypedResults.Created($"/api/webhooks/{webhook.Id}",
            new CreatedWebhookView(view.Id, view.Url, view.EventTypes, view.Format, view.Description, secret, view.CreatedAt, view.UpdatedAt));
    }

    private static Results<Ok<Paged<WebhookView>>, ProblemHttpResult> List(HttpContext http, WebhookSubscriptions subscriptions)
    {
        if (Forbidden(http) is { } forbidden)
        {
            return forbidden;
        }
        var (page, size) = Api.Paging(http.Request);
        var all = subscriptions.All;
        var items = all.Skip((page - 1) * size).Take(size).Select(WebhookView.From).ToList();
        return TypedResults.Ok(new Paged<WebhookView>(items, new PageInfo(all.Count, page, size)));
    }

    private static Results<Ok<WebhookView>, ProblemHttpResult> Show(string id, HttpContext http, WebhookSubscriptions subscriptions)
    {
        if (Forbidden(http) is { } forbidden)
        {
            return forbidden;
        }
        var webhook = subscriptions.All.FirstOrDefault(w => w.Id == id);
        return webhook is null ? NotFound(id) : TypedResults.Ok(WebhookView.From(webhook));
    }

    private static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> UpdateAsync(
        string id, HttpContext http, WebhookRepository repository, WebhookSubscriptions subscriptions, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadRequestAsync(http, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }
        var webhook = await repository.UpdateAsync(
            id, request!.Url!, request.DistinctEventTypes(), request.Format ?? WebhookFormat.Standard, request.Description, time.GetUtcNow(), cancellationToken);
        if (webhook is null)
        {
            return NotFound(id);
        }
        await subscriptions.ReloadAsync(cancellationToken);
        return TypedResults.Ok(WebhookView.From(webhook));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, HttpContext http, WebhookRepository repository, WebhookSubscriptions subscriptions, CancellationToken cancellationToken)
    {
        if (Forbidden(http) is { } forbidden)
        {
            return forbidden;
        }
        if (!await repository.DeleteAsync(id, cancellationToken))
        {
            return NotFound(id);
        }
        await subscriptions.ReloadAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<SecretView>, ProblemHttpResult>> RotateSecretAsync(
        string id, HttpContext http, WebhookRepository repository, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Forbidden(http) is { } forbidden)
        {
            return forbidden;
        }
        var secret = await repository.RotateSecretAsync(id, time.GetUtcNow(), cancellationToken);
        return secret is null ? NotFound(id) : TypedResults.Ok(new SecretView(secret));
    }

    private static async Task<Results<Ok<Paged<WebhookDelivery>>, ProblemHttpResult>> ListDeliveriesAsync(
        string id, HttpContext http, WebhookSubscriptions subscriptions, DeliveryRepository deliveries, CancellationToken cancellationToken)
    {
        if (Forbidden(http) is { } forbidden)
        {
            return forbidden;
        }
        if (subscriptions.All.All(w => w.Id != id))
        {
            return NotFound(id);
        }
        var status = Api.Query(http.Request, "status");
        if (status is not null && !DeliveryStatus.All.Contains(status, StringComparer.Ordinal))
        {
            return Api.Problem(400, $"query parameter 'status' must be one of {string.Join(", ", DeliveryStatus.All)}");
        }
        var (page, size) = Api.Paging(http.Request);
        var (total, items) = await deliveries.ListAsync(id, status, page, size, cancellationToken);
        return TypedResults.Ok(new Paged<WebhookDelivery>(items, new PageInfo(total, page, size)));
    }

    private static async Task<Results<Accepted<WebhookDelivery>, ProblemHttpResult>> ReplayAsync(
        string id, string deliveryId, HttpContext http, DeliveryRepository deliveries, WebhookDispatcher dispatcher, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (Forbidden(http) is { } forbidden)
        {
            return forbidden;
        }
        if (!await deliveries.ReplayAsync(id, deliveryId, time.GetUtcNow(), cancellationToken))
        {
            return Api.Problem(404, $"webhook '{id}' has no delivery '{deliveryId}'");
        }
        dispatcher.Wake();
        var delivery = await deliveries.GetAsync(id, deliveryId, cancellationToken);
        return TypedResults.Accepted($"/api/webhooks/{id}/deliveries?status=pending", delivery);
    }

    private static ProblemHttpResult NotFound(string id) => Api.Problem(404, $"webhook '{id}' not found");
}
