namespace Vigil.Adapters.Ssh.Server;

/// <summary>Registers the native SSH adapter: the listener (a hosted service) and its channel handlers.</summary>
public static class SshAdapter
{
    /// <summary>Adds <see cref="SshGatewayListener"/> and what it needs, and the <c>ssh</c> connectivity probe.</summary>
    public static IServiceCollection AddSshAdapter(this IServiceCollection services)
    {
        services.AddSingleton<SshExecChannel>();
        services.AddSingleton<SshShellChannel>();
        services.AddSingleton<SftpChannel>();
        services.AddSingleton<SshGatewayHandler>();
        services.AddSingleton<Connections.IConnectivityProbe, Upstream.SshProbe>();
        services.AddSingleton<SshGatewayListener>();
        services.AddHostedService(sp => sp.GetRequiredService<SshGatewayListener>());
        return services;
    }
}
