using Dapper;
using Vigil.Security;
using Vigil.Storage;

namespace Vigil.Analysis.Providers;

/// <summary>The stored provider: its settings (key encrypted with <see cref="SecretProtector"/>) and timestamps.</summary>
public sealed record StoredProvider(ProviderSettings Settings, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The one provider row (<c>ai_providers</c>, id 1); the API key is encrypted at rest, bound to its purpose.</summary>
public sealed class ProviderRepository(SqliteStore store, SecretProtector protector)
{
    private const string Purpose = "ai-provider:api_key";

    /// <summary>The provider, or null when none is configured.</summary>
    public async Task<StoredProvider?> GetAsync(CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        var row = await db.QuerySingleOrDefaultAsync<(string Provider, string Model, string Key, string? Url, string Created, string Updated)>(new CommandDefinition(
            "SELECT provider, model, api_key_encrypted, api_url, created_at, updated_at FROM ai_providers WHERE id = 1", cancellationToken: cancellationToken));
        return row.Provider is null
            ? null
            : new StoredProvider(new ProviderSettings(row.Provider, row.Model, protector.Unprotect(row.Key, Purpose), row.Url), Rfc3339.Parse(row.Created), Rfc3339.Parse(row.Updated));
    }

    /// <summary>Creates or replaces the provider.</summary>
    public async Task<StoredProvider> SetAsync(ProviderSettings settings, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO ai_providers (id, provider, model, api_key_encrypted, api_url, created_at, updated_at)
            VALUES (1, @provider, @model, @key, @url, @now, @now)
            ON CONFLICT (id) DO UPDATE SET provider=excluded.provider, model=excluded.model,
                api_key_encrypted=excluded.api_key_encrypted, api_url=excluded.api_url, updated_at=excluded.updated_at
            """,
            new { provider = settings.Provider, model = settings.Model, key = protector.Protect(settings.ApiKey, Purpose), url = settings.ApiUrl, now = Rfc3339.Format(now) },
            cancellationToken: cancellationToken));
        return (await GetAsync(cancellationToken))!;
    }

    /// <summary>Removes the provider; false when none was configured.</summary>
    public async Task<bool> DeleteAsync(CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        return await db.ExecuteAsync(new CommandDefinition("DELETE FROM ai_providers WHERE id = 1", cancellationToken: cancellationToken)) == 1;
    }
}
