using Microsoft.AspNetCore.DataProtection;
using Vigil.Webhooks;

namespace Vigil.WebConsole;

/// <summary>
/// Registers the web console (the feature folder is <c>Console/</c>; its namespace is <c>Vigil.WebConsole</c> because a
/// <c>Vigil.Console</c> namespace would hide <see cref="System.Console"/> from every other <c>Vigil.*</c> namespace).
/// </summary>
public static class ConsoleServices
{
    /// <summary>
    /// Adds the Razor component renderer (static server-side rendering only: no circuit, no WebAssembly), the live
    /// update hub and the event tap that feeds it. Call after the webhook outbox is registered: the tap replaces the
    /// <see cref="IEventPublisher"/> registration with one that forwards to <see cref="WebhookOutbox"/>.
    /// </summary>
    public static IServiceCollection AddConsole(this IServiceCollection services)
    {
        services.AddRazorComponents();
        // The renderer brings ASP.NET Core data protection (for its antiforgery and persisted component state, neither of
        // which the console uses: its forms carry the browser session's CSRF token). Ephemeral keys keep it from
        // writing a key ring to the home directory of whoever runs the gateway.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddSingleton<ConsoleEvents>();
        services.AddSingleton<IEventPublisher>(sp => new ConsoleEventTap(sp.GetRequiredService<WebhookOutbox>(), sp.GetRequiredService<ConsoleEvents>()));
        services.AddSingleton<ConsoleAuthentication>();
        return services;
    }
}
