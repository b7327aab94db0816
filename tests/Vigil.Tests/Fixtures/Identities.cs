using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Vigil.Tests.Fixtures;

/// <summary>Creates real users, groups, service accounts and tokens through the admin API, with unique names per call.</summary>
public static class Identities
{
    /// <summary>A created identity: its id, name (e-mail or service-account name) and an API token.</summary>
    public sealed record Created(string Id, string Name, string Token, string TokenId);

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";

    public static async Task<string> CreateGroupAsync(this GatewayFixture gateway, string? name = null)
    {
        name ??= Unique("team");
        (await gateway.Http.PostAsJsonAsync("/api/groups", new { name })).EnsureSuccessStatusCode();
        return name;
    }

    public static async Task<Created> CreateUserAsync(this GatewayFixture gateway, string[] groups, string? password = null)
    {
        var email = Unique("user") + "@example.com";
        var response = await gateway.Http.PostAsJsonAsync("/api/users", new { email, name = "Test User", groups, password });
        await EnsureAsync(response);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var (token, tokenId) = await gateway.CreateTokenAsync(new { user = email });
        return new Created(id, email, token, tokenId);
    }

    public static async Task<Created> CreateServiceAccountAsync(this GatewayFixture gateway, string[] groups, string[]? connections = null)
    {
        var name = Unique("agent");
        var response = await gateway.Http.PostAsJsonAsync("/api/serviceaccounts", new { name, groups });
        await EnsureAsync(response);
        var id = (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
        var (token, tokenId) = await gateway.CreateTokenAsync(new { serviceaccount = name, connections });
        return new Created(id, name, token, tokenId);
    }

    public static async Task<(string Token, string Id)> CreateTokenAsync(this GatewayFixture gateway, object body)
    {
        var response = await gateway.Http.PostAsJsonAsync("/api/tokens", body);
        await EnsureAsync(response);
        var json = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return (json["token"]!.GetValue<string>(), json["id"]!.GetValue<string>());
    }

    /// <summary>Registers a connection to the test database that <paramref name="accessGroups"/> may use.</summary>
    public static async Task<string> CreateConnectionAsync(this GatewayFixture gateway, string[] accessGroups, string[]? accessModes = null)
    {
        var name = Unique("conn");
        var response = await gateway.Http.PostAsJsonAsync("/api/connections", new
        {
            name, type = "postgres", host = "127.0.0.1", port = gateway.Postgres.Port, database = "app", username = "app",
            password = GatewayFixture.AppPassword, ssl_mode = "disable", access_groups = accessGroups, access_modes = accessModes,
        });
        await EnsureAsync(response);
        return name;
    }

    /// <summary>An HTTP client of the gateway authenticated with <paramref name="token"/> (none when null).</summary>
    public static HttpClient ClientFor(this GatewayFixture gateway, string? token)
    {
        var client = new HttpClient { BaseAddress = new Uri(gateway.HttpAddress) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>An Npgsql connection string through the proxy with <paramref name="token"/> as the password.</summary>
    public static string ProxyConnectionStringFor(this GatewayFixture gateway, string connection, string token) =>
        $"Host=127.0.0.1;Port={gateway.PgPort};Database={connection};Username=someone;Password={token};SSL Mode=Disable;Pooling=false";

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
