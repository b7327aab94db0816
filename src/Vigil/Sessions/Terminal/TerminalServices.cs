namespace Vigil.Sessions.Terminal;

/// <summary>Registers terminal recording.</summary>
public static class TerminalServices
{
    /// <summary>Adds <see cref="TerminalRecorder"/> and <see cref="TerminalRepository"/> under <paramref name="options"/>.</summary>
    public static IServiceCollection AddTerminalRecording(this IServiceCollection services, TerminalOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<TerminalRecorder>();
        services.AddSingleton<TerminalRepository>();
        return services;
    }
}
