using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Vigil.Hosting;

/// <summary>
/// Absolute links the gateway hands out (in exec responses, PostgreSQL error messages, chat notifications):
/// <see cref="GatewayOptions.PublicUrl"/> when set, otherwise the address the HTTPS listener bound when there is one
/// (clients such as kubectl send tokens only over TLS), otherwise the address the HTTP listener bound.
/// </summary>
public sealed class GatewayLinks(GatewayOptions options, IServer server)
{
    /// <summary>The base address without a trailing slash, e.g. <c>https://vigil.example.com</c>.</summary>
    public string Base => (options.PublicUrl ?? HttpsListener.Address(server) ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? $"http://{options.HttpListen}").TrimEnd('/');

    /// <summary>The HTTPS listener's address without a trailing slash, or null without one.</summary>
    public string? HttpsBase => HttpsListener.Address(server)?.TrimEnd('/');

    /// <summary>Where a review is read and decided: <c>{base}/api/reviews/{id}</c>.</summary>
    public string Review(string id) => $"{Base}/api/reviews/{Uri.EscapeDataString(id)}";
}
