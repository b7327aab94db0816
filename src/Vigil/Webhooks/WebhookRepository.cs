using System.Text.Json;
using Dapper;
using Vigil.Security;
using Vigil.Storage;

namespace Vigil.Webhooks;

/// <summary>
/// Webhook endpoints in the store (<c>webhooks</c>). The signing secret and the URL (a Slack or Teams incoming-webhook
/// URL is itself a credential) are encrypted at rest with <see cref="SecretProtector"/>, bound to the purposes
/// <c>webhook:{id}:secret</c> and <c>webhook:{id}:url</c>; the secret it leaves this class only through
/// <see cref="GetSecretAsync"/> (for signing) and the return values of <see cref="CreateAsync"/> and
/// <see cref="RotateSecretAsync"/> (shown once to the admin). Deleting an endpoint deletes its deliveries.
/// </summary>
public sealed class WebhookRepository(SqliteStore store, SecretProtector protector)
{
    /// <summary>Every endpoint, oldest first.</summary>
    public async Task<IReadOnlyList<Webhook>> ListAllAsync(CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var rows = await db.QueryAsync<Row>(new CommandDefinition(
            "SELECT id, url_encrypted, event_types, format, description, created_at, updated_at FROM webhooks ORDER BY created_at, id", cancellationToken: cancellationToken));
        return rows.Select(ToWebhook).ToList();
    }

    /// <summary>The endpoint <paramref name="id"/>, or null.</summary>
    public async Task<Webhook?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT id, url_encrypted, event_types, format, description, created_at, updated_at FROM webhooks WHERE id=@id", new { id }, cancellationToken: cancellationToken));
        return row is null ? null : ToWebhook(row);
    }

    /// <summary>Stores a new endpoint with a fresh secret; returns it and the secret (the only time it is readable in clear).</summary>
    public async Task<(Webhook Webhook, string Secret)> CreateAsync(
        string url, IReadOnlyList<string> eventTypes, string format, string? description, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var webhook = new Webhook(Guid.NewGuid().ToString(), url, eventTypes, format, description, now, now);
        var secret = WebhookSecret.Generate();
        await using var db = await store.OpenAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO webhooks (id, url_encrypted, event_types, format, description, secret_encrypted, created_at, updated_at)
            VALUES (@id, @url, @event_types, @format, @description, @secret, @created_at, @updated_at)
            """,
            new
            {
                id = webhook.Id, url = protector.Protect(url, UrlPurpose(webhook.Id)), event_types = JsonSerializer.Serialize(eventTypes), format, description,
                secret = protector.Protect(secret, Purpose(webhook.Id)), created_at = Rfc3339.Format(now), updated_at = Rfc3339.Format(now),
            },
            cancellationToken: cancellationToken));
        return (webhook, secret);
    }

    /// <summary>Replaces an endpoint's settings (not its secret); null when it does not exist.</summary>
    public async Task<Webhook?> UpdateAsync(
        string id, string url, IReadOnlyList<string> eventTypes, string format, string? description, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var changed = await db.ExecuteAsync(new CommandDefinition(
            "UPDATE webhooks SET url_encrypted=@url, event_types=@event_types, format=@format, description=@description, updated_at=@now WHERE id=@id",
            new { id, url = protector.Protect(url, UrlPurpose(id)), event_types = JsonSerializer.Serialize(eventTypes), format, description, now = Rfc3339.Format(now) },
            cancellationToken: cancellationToken));
        return changed == 1 ? await GetAsync(id, cancellationToken) : null;
    }

    /// <summary>Gives an endpoint a new secret and returns it; null when the endpoint does not exist. The old secret stops signing at once.</summary>
    public async Task<string?> RotateSecretAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var secret = WebhookSecret.Generate();
        await using var db = await store.OpenAsync(cancellationToken);
        var changed = await db.ExecuteAsync(new CommandDefinition(
            "UPDATE webhooks SET secret_encrypted=@secret, updated_at=@now WHERE id=@id",
            new { id, secret = protector.Protect(secret, Purpose(id)), now = Rfc3339.Format(now) }, cancellationToken: cancellationToken));
        return changed == 1 ? secret : null;
    }

    /// <summary>The endpoint's secret in clear, for signing; null when the endpoint does not exist.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The stored value does not decrypt with this master key.</exception>
    public async Task<string?> GetSecretAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var stored = await db.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT secret_encrypted FROM webhooks WHERE id=@id", new { id }, cancellationToken: cancellationToken));
        return stored is null ? null : protector.Unprotect(stored, Purpose(id));
    }

    /// <summary>Deletes an endpoint and its deliveries; false when it does not exist.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return await db.ExecuteAsync(new CommandDefinition("DELETE FROM webhooks WHERE id=@id", new { id }, cancellationToken: cancellationToken)) == 1;
    }

    private static string Purpose(string id) => $"webhook:{id}:secret";

    /// <summary>The <see cref="SecretProtector"/> purpose an endpoint's URL is encrypted under.</summary>
    internal static string UrlPurpose(string id) => $"webhook:{id}:url";

    private Webhook ToWebhook(Row r) => new(
        r.id, protector.Unprotect(r.url_encrypted, UrlPurpose(r.id)), JsonSerializer.Deserialize<string[]>(r.event_types) ?? [], r.format, r.description,
        Rfc3339.Parse(r.created_at), Rfc3339.Parse(r.updated_at));

#pragma warning disable IDE1006 // column names
    private sealed class Row
    {
        public string id { get; set; } = "";
        public string url_encrypted { get; set; } = "";
        public string event_types { get; set; } = "[]";
        public string format { get; set; } = "";
        public string? description { get; set; }
        public string created_at { get; set; } = "";
        public string updated_at { get; set; } = "";
    }
#pragma warning restore IDE1006
}
