namespace Vigil.Webhooks;

/// <summary>
/// The webhook endpoints in memory, read by <see cref="WebhookOutbox.Publish"/> on the command path without touching
/// the store: an immutable list swapped whole by <see cref="ReloadAsync"/>, which runs at start and after every
/// create, update and delete.
/// </summary>
public sealed class WebhookSubscriptions(WebhookRepository repository)
{
    private volatile IReadOnlyList<Webhook> _all = [];

    /// <summary>Every endpoint.</summary>
    public IReadOnlyList<Webhook> All => _all;

    /// <summary>The ids of the endpoints subscribed to <paramref name="type"/>; empty (and allocation-free) when none is.</summary>
    public IReadOnlyList<string> For(string type)
    {
        var all = _all;
        List<string>? ids = null;
        foreach (var webhook in all)
        {
            if (webhook.Subscribes(type))
            {
                (ids ??= []).Add(webhook.Id);
            }
        }
        return ids ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Re-reads the endpoints from the store.</summary>
    public async Task ReloadAsync(CancellationToken cancellationToken) => _all = await repository.ListAllAsync(cancellationToken);
}
