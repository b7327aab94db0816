using Microsoft.Extensions.DependencyInjection.Extensions;
using Yarp.ReverseProxy.Forwarder;

namespace Vigil.Adapters.Http;

/// <summary>Registration of the HTTP and Kubernetes adapter (<c>/proxy/{connection}/…</c>, <see cref="ProxyHandler"/>).</summary>
public static class HttpAdapter
{
    /// <summary>Registers the forwarder, the session grouping, the upstream clients and the connectivity probes (limits: <see cref="Hosting.GatewayOptions.Proxy"/> unless registered before).</summary>
    public static IServiceCollection AddHttpAdapter(this IServiceCollection services)
    {
        services.AddHttpForwarder();
        services.TryAddSingleton(sp => sp.GetRequiredService<Hosting.GatewayOptions>().Proxy);
        services.AddSingleton<UpstreamClients>();
        services.AddSingleton<Connections.IConnectivityProbe, HttpProbe>();
        services.AddSingleton<Connections.IConnectivityProbe, KubernetesProbe>();
        services.AddSingleton<ProxySessions>();
        services.AddHostedService(sp => sp.GetRequiredService<ProxySessions>());
        services.AddSingleton<ProxyHandler>();
        return services;
    }

    /// <summary>Maps <c>/proxy/{connection}</c> and everything under it, every method.</summary>
    public static void MapHttpAdapter(this WebApplication app)
    {
        var handler = app.Services.GetRequiredService<ProxyHandler>();
        app.Map("/proxy/{connection}", handler.InvokeAsync);
        app.Map("/proxy/{connection}/{**path}", handler.InvokeAsync);
    }
}
