using System.Net;
using System.Net.Http.Json;
using Vigil.Identity;
using Vigil.Identity.Tokens;
using Vigil.Tests.Fixtures;

namespace Vigil.Tests.Adapters.Http;

/// <summary>
/// Validated tokens are reused (<see cref="TokenCache"/>), yet a revocation, a deactivation or a group change made
/// through the gateway takes effect on the very next proxied request, though the token was used (and cached) just before.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ProxyTokenCacheTests(GatewayFixture gateway) : IAsyncLifetime
{
    private HttpUpstream _upstream = null!;
    private string _connection = "";

    public async Task InitializeAsync()
    {
        _upstream = await HttpUpstream.StartAsync();
        _connection = await _upstream.RegisterAsync(gateway);
    }

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    private async Task<HttpStatusCode> GetAsync(string token)
    {
        using var client = gateway.ClientFor(token);
        using var response = await client.GetAsync($"/proxy/{_connection}/echo/x");
        return response.StatusCode;
    }

    [Fact]
    public async Task A_revoked_token_is_refused_on_the_next_request()
    {
        var member = await gateway.CreateMemberAsync(_connection);
        (await GetAsync(member.Token)).Should().Be(HttpStatusCode.OK);

        (await gateway.Http.DeleteAsync($"/api/tokens/{member.TokenId}")).EnsureSuccessStatusCode();

        (await GetAsync(member.Token)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_deactivated_user_is_refused_on_the_next_request()
    {
        var member = await gateway.CreateMemberAsync(_connection);
        (await GetAsync(member.Token)).Should().Be(HttpStatusCode.OK);

        (await gateway.Http.PatchAsJsonAsync($"/api/users/{member.Id}", new { status = "inactive" })).EnsureSuccessStatusCode();

        (await GetAsync(member.Token)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_user_taken_out_of_the_connections_group_is_refused_on_the_next_request()
    {
        var member = await gateway.CreateMemberAsync(_connection);
        (await GetAsync(member.Token)).Should().Be(HttpStatusCode.OK);

        (await gateway.Http.PatchAsJsonAsync($"/api/users/{member.Id}", new { groups = Array.Empty<string>() })).EnsureSuccessStatusCode();

        (await GetAsync(member.Token)).Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public void A_validation_is_reused_within_the_ttl_but_not_past_it_nor_past_the_tokens_expiry_nor_across_an_invalidation()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var cache = new TokenCache(TimeSpan.FromSeconds(10), time);
        byte[] a = [1], b = [2], c = [3];
        var caller = new CallerIdentity("u1", "u1@example.com", IdentityKind.User, [], "t1");
        var expiring = caller with { TokenId = "t2", TokenExpiresAt = time.GetUtcNow().AddSeconds(5) };

        cache.Set(a, caller, cache.Generation);
        cache.Set(b, expiring, cache.Generation);
        var stale = cache.Generation;
        cache.ForgetToken("unrelated");
        cache.Set(c, caller with { TokenId = "t3" }, stale);

        cache.Get(a).Should().Be(caller);
        cache.Get(c).Should().BeNull("it was read from the store before an invalidation");
        time.Advance(TimeSpan.FromSeconds(6));
        cache.Get(a).Should().Be(caller);
        cache.Get(b).Should().BeNull("the token expired");
        time.Advance(TimeSpan.FromSeconds(5));
        cache.Get(a).Should().BeNull("the ttl is over");
        var off = new TokenCache(TimeSpan.Zero, time);
        off.Set(a, caller, off.Generation);
        off.Get(a).Should().BeNull("a zero ttl disables the cache");
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
