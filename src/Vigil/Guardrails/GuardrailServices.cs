using Vigil.Pipeline;

namespace Vigil.Guardrails;

/// <summary>Registers the guardrails feature.</summary>
public static class GuardrailServices
{
    /// <summary>
    /// Adds <see cref="GuardrailRepository"/> and <see cref="GuardrailSet"/> (a singleton that loads and compiles the
    /// stored guardrails when the host starts). The pipeline resolves <see cref="GuardrailSet"/> and calls
    /// <see cref="GuardrailSet.ForConnection"/> per command and per result.
    /// </summary>
    public static IServiceCollection AddGuardrails(this IServiceCollection services)
    {
        services.AddSingleton<GuardrailRepository>();
        services.AddSingleton<GuardrailSet>();
        services.AddSingleton<GuardrailViolations>();
        services.AddSingleton<IInputStage, GuardrailInputStage>();
        services.AddSingleton<IResultStage, GuardrailOutputStage>();
        services.AddHostedService(sp => sp.GetRequiredService<GuardrailSet>());
        return services;
    }
}
