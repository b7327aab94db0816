using Microsoft.Data.Sqlite;
using Vigil.Identity;
using Vigil.Identity.Tokens;
using Vigil.Identity.Users;
using Vigil.Storage;

namespace Vigil.Tests.Storage;

/// <summary>A data directory written by the foundation release (schema 1, user_version 0) upgrades in place.</summary>
public sealed class SchemaMigrationTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"vigil-migrate-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        File.Delete(_path);
    }

    [Fact]
    public async Task Foundation_store_keeps_its_admin_token_and_connections_after_the_upgrade()
    {
        const string token = "vgl_token_from_the_foundation_release_000000";
        await using (var old = new SqliteConnection($"Data Source={_path}"))
        {
            await old.OpenAsync();
            await using var command = old.CreateCommand();
            // The foundation release's tables and rows exactly as it wrote them (user_version stays 0).
            command.CommandText = string.Join(";\n", typeof(SqliteStore).Assembly.GetType("Vigil.Storage.Schema")!
                .GetField("Migrations")!.GetValue(null) is string[][] migrations ? migrations[0] : []) + ";\n" +
                """
                INSERT INTO users VALUES ('u1', 'admin', 'Administrator', 1, '2026-11-01T00:00:00.000000Z');
                INSERT INTO users VALUES ('u2', 'Reader@Example.com', 'Reader', 0, '2026-11-01T00:00:00.000000Z');
                INSERT INTO connections VALUES ('prod', 'postgres', 'db', 5432, 'app', 'app', NULL, 'prefer', NULL,
                    '2026-11-01T00:00:00.000000Z', '2026-11-01T00:00:00.000000Z');
                """;
            await command.ExecuteNonQueryAsync();
            command.CommandText = "INSERT INTO api_tokens (id, user_id, name, token_sha256, created_at) VALUES ('t1', 'u1', 'bootstrap', $hash, '2026-11-01T00:00:00.000000Z')";
            command.Parameters.AddWithValue("$hash", System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
            await command.ExecuteNonQueryAsync();
        }

        var store = new SqliteStore(_path);
        var caller = await new TokenService(store, new UserRepository(store), TimeProvider.System).AuthenticateAsync(token, CancellationToken.None);
        caller.Should().NotBeNull();
        caller!.IsAdmin.Should().BeTrue("is_admin became membership of the admin group");
        caller.Name.Should().Be("admin");
        var reader = await new UserRepository(store).FindAsync(IdentityKind.User, "reader@example.com", CancellationToken.None);
        reader!.Groups.Should().BeEmpty();
        reader.Status.Should().Be("active");

        await using var db = await store.OpenAsync(CancellationToken.None);
        await using var check = db.CreateCommand();
        check.CommandText = "SELECT access_groups || ' ' || access_modes FROM connections WHERE name = 'prod'";
        (await check.ExecuteScalarAsync()).Should().Be("[] [\"exec\",\"connect\"]");
        check.CommandText = "PRAGMA user_version";
        (await check.ExecuteScalarAsync()).Should().Be((long)Schema.Migrations.Length);
        check.CommandText = "SELECT count(*) FROM ai_rules";
        (await check.ExecuteScalarAsync()).Should().Be(0L, "the analyzer's tables exist after the upgrade");

        var again = () => new SqliteStore(_path);
        again.Should().NotThrow("opening an up-to-date store applies nothing");
    }
}
